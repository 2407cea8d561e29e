package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
)

// A province or sector segment is resolved from the members' index, and
// is exactly the brute-force answer — every consenting, active member whose
// profile has the value — through profile edits that move members between
// provinces and sectors, removed profiles and forgotten members.
func TestSegmentFromMemberIndex(t *testing.T) {
	ctx := context.Background()
	s, red := newStore(t)
	r := rand.New(rand.NewPCG(3, 3))
	provinces, sectors := flows.Provinces()[:4], flows.Sectors()[:3]
	profiles := map[int64]*flows.Profile{}
	users := map[int64]*flows.User{}
	save := func(uid int64) {
		p := &flows.Profile{UserID: uid, FullName: fmt.Sprint("Member ", uid), Sector: sectors[r.IntN(len(sectors))],
			Province: provinces[r.IntN(len(provinces))], ConsentVersion: flows.ConsentVersion}
		if err := s.SaveProfile(ctx, p); err != nil {
			t.Fatal(err)
		}
		profiles[uid] = p
	}
	for uid := int64(1); uid <= 120; uid++ {
		u := &flows.User{ID: uid, Lang: "id", Consent: flows.ConsentVersion, Inactive: uid%13 == 0, NoUpdates: uid%17 == 0}
		if err := s.SaveUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		users[uid] = u
		save(uid)
	}
	check := func(round string) {
		t.Helper()
		for _, seg := range []string{"prov:" + provinces[0], "prov:" + provinces[3], "sector:" + sectors[1], "prov:PA"} {
			rs, err := flows.Recipients(ctx, s, &flows.Broadcast{ID: "b", MessageID: 1, Segment: seg})
			if err != nil {
				t.Fatal(err)
			}
			var got, want []int64
			for _, x := range rs {
				got = append(got, x.UserID)
			}
			sg, _ := flows.ParseSegment(seg)
			for uid, p := range profiles {
				u := users[uid]
				if u == nil || u.Inactive || u.NoUpdates {
					continue
				}
				if (sg.Kind == flows.SegProvince && p.Province == sg.Value) || (sg.Kind == flows.SegSector && p.Sector == sg.Value) {
					want = append(want, uid)
				}
			}
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("%s: segment %s:\n got %v\nwant %v", round, seg, got, want)
			}
		}
	}
	check("saved")
	for range 80 {
		save(1 + r.Int64N(120)) // moves some between provinces and sectors
	}
	check("edited")
	for uid := int64(5); uid <= 120; uid += 11 {
		if err := s.RemoveProfile(ctx, uid); err != nil {
			t.Fatal(err)
		}
		delete(profiles, uid)
	}
	check("removed")
	for uid := int64(3); uid <= 120; uid += 7 {
		if _, err := s.ForgetUser(ctx, uid, t0); err != nil {
			t.Fatal(err)
		}
		delete(profiles, uid)
		delete(users, uid)
		for _, seg := range []flows.SegmentKind{flows.SegSector, flows.SegProvince} {
			for _, v := range append(flows.Sectors(), flows.Provinces()...) {
				// The index itself: ProfileMembers would also leave out a
				// member without a profile.
				in, err := s.Client().SIsMember(ctx, red.Prefix+"members:"+string(seg)+":"+v, uid).Result()
				if err != nil {
					t.Fatal(err)
				}
				if in {
					t.Fatalf("forgotten %d still indexed under %s %s", uid, seg, v)
				}
			}
		}
	}
	check("forgotten")
}

// MigrateMembers indexes the profiles of a database written before the
// index, once.
func TestMigrateMembers(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	for uid := int64(1); uid <= 50; uid++ {
		if err := s.SaveUser(ctx, &flows.User{ID: uid, Lang: "id", Consent: flows.ConsentVersion}); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(&flows.Profile{UserID: uid, Sector: "ngo", Province: flows.Provinces()[uid%3], Updated: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		// As a build before the index wrote it.
		if err := s.Client().Set(ctx, fmt.Sprintf("%s{c:%d}:profile", r.Prefix, uid), b, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if us, _ := s.ProfileMembers(ctx, flows.SegSector, "ngo"); len(us) != 0 {
		t.Fatalf("indexed before the migration: %d", len(us))
	}
	if n, err := s.MigrateMembers(ctx); n != 50 || err != nil {
		t.Fatalf("migrated %d, %v", n, err)
	}
	us, err := s.ProfileMembers(ctx, flows.SegProvince, flows.Provinces()[1])
	if err != nil || len(us) != 17 {
		t.Fatalf("%d members in %s, want 17 (%v)", len(us), flows.Provinces()[1], err)
	}
	if n, err := s.MigrateMembers(ctx); n != 0 || err != nil {
		t.Fatalf("second run: %d, %v", n, err)
	}
}

// A theme segment is every member whose organisation profile — visible or
// paused — has the theme, read from {pp}:members:theme:<code>: the
// brute-force answer through edits that change themes, pauses, deletions,
// forgotten members, and profiles stored before the index (MigrateMembers).
func TestThemeSegmentFromIndex(t *testing.T) {
	ctx := context.Background()
	s, red := newStore(t)
	r := rand.New(rand.NewPCG(4, 4))
	themes := flows.Themes()[:3]
	partners := map[int64]*flows.PartnerProfile{}
	users := map[int64]*flows.User{}
	save := func(uid int64) {
		p := partner(uid, "ngo", pick(r, themes, 1, 2), []string{"JB"}, nil, []string{"funding"})
		p.Visible = r.IntN(3) != 0
		savePartner(t, s, p)
		partners[uid] = p
	}
	for uid := int64(1); uid <= 90; uid++ {
		u := &flows.User{ID: uid, Lang: "id", Consent: flows.ConsentVersion, Inactive: uid%11 == 0}
		if err := s.SaveUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		users[uid] = u
		save(uid)
	}
	// As a build before the index stored one: the profile alone.
	b, err := json.Marshal(partner(91, "ngo", []string{themes[0]}, []string{"JB"}, nil, []string{"funding"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Client().Set(ctx, red.Prefix+"{pp}:prof:91", b, 0).Err(); err != nil {
		t.Fatal(err)
	}
	users[91] = &flows.User{ID: 91, Lang: "id", Consent: flows.ConsentVersion}
	if err := s.SaveUser(ctx, users[91]); err != nil {
		t.Fatal(err)
	}
	partners[91] = partner(91, "ngo", []string{themes[0]}, []string{"JB"}, nil, []string{"funding"})
	if _, err := s.MigrateMembers(ctx); err != nil {
		t.Fatal(err)
	}
	check := func(round string) {
		t.Helper()
		for _, th := range themes {
			rs, err := flows.Recipients(ctx, s, &flows.Broadcast{ID: "b", MessageID: 1, Segment: "theme:" + th})
			if err != nil {
				t.Fatal(err)
			}
			var got, want []int64
			for _, x := range rs {
				got = append(got, x.UserID)
			}
			for uid, p := range partners {
				if u := users[uid]; u != nil && !u.Inactive && slices.Contains(p.Themes, th) {
					want = append(want, uid)
				}
			}
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("%s: theme %s:\n got %v\nwant %v", round, th, got, want)
			}
		}
	}
	check("saved")
	for range 60 {
		save(1 + r.Int64N(90))
	}
	check("edited")
	for uid := int64(2); uid <= 90; uid += 9 {
		if err := s.DeletePartner(ctx, uid); err != nil {
			t.Fatal(err)
		}
		delete(partners, uid)
	}
	check("deleted")
	for uid := int64(4); uid <= 91; uid += 13 {
		if _, err := s.ForgetUser(ctx, uid, t0); err != nil {
			t.Fatal(err)
		}
		delete(partners, uid)
		delete(users, uid)
	}
	check("forgotten")
}
