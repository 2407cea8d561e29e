package store_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/transport"
	"sinergi/store"
	"sinergi/store/redistest"
)

// exactScan is the truth the indexes are compared with: every profile and
// user record of the uids from..to, read one by one.
type exactScan struct {
	profiles map[int64]*flows.Profile
	users    map[int64]*flows.User
	all      map[int64]bool // users:all (what AllUsers lists)
}

func scanMembers(t *testing.T, s *store.Store, from, to int64) exactScan {
	t.Helper()
	ctx := context.Background()
	sc := exactScan{profiles: map[int64]*flows.Profile{}, users: map[int64]*flows.User{}, all: map[int64]bool{}}
	for id := from; id <= to; id++ {
		p, err := s.GetProfile(ctx, id)
		if err == nil {
			sc.profiles[id] = p
		} else if !errors.Is(err, flows.ErrNotFound) {
			t.Fatal(err)
		}
		u, err := s.GetUser(ctx, id)
		if err == nil {
			sc.users[id] = u
		} else if !errors.Is(err, flows.ErrNotFound) {
			t.Fatal(err)
		}
	}
	all, err := s.AllUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range all {
		sc.all[u.ID] = true
	}
	return sc
}

// value is p's sector or province.
func value(p *flows.Profile, kind flows.SegmentKind) string {
	if kind == flows.SegSector {
		return p.Sector
	}
	return p.Province
}

// checkMemberIndexes compares, with the scan: each sector and province set
// (a code of the catalog, and "_" for none or another), CountMembers (as
// the dashboard's overview counted: AllUsers, then their profiles) and the
// sector and province segments resolved by flows.Recipients.
func checkMemberIndexes(t *testing.T, s *store.Store, r *redistest.Redis, from, to int64, round string) {
	t.Helper()
	ctx := context.Background()
	sc := scanMembers(t, s, from, to)
	for _, kind := range []flows.SegmentKind{flows.SegSector, flows.SegProvince} {
		codes := flows.Sectors()
		if kind == flows.SegProvince {
			codes = flows.Provinces()
		}
		want := map[string][]int64{}
		for id, p := range sc.profiles {
			c := value(p, kind)
			if !slices.Contains(codes, c) {
				c = "_"
			}
			want[c] = append(want[c], id)
		}
		for _, c := range append(codes, "_") {
			raw, err := r.Client.SMembers(ctx, r.Prefix+"members:"+string(kind)+":"+c).Result()
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, m := range raw {
				id, err := strconv.ParseInt(m, 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, id)
			}
			slices.Sort(got)
			w := want[c]
			slices.Sort(w)
			if !slices.Equal(got, w) {
				t.Fatalf("%s: index %s:%s\n got %v\nwant %v", round, kind, c, got, w)
			}
		}
	}
	// The counts, as the overview counted them.
	var ids []int64
	for id := range sc.all {
		ids = append(ids, id)
	}
	overview, err := s.ProfilesOf(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	var want flows.MemberCounts
	for _, p := range overview {
		want.Add(p)
	}
	got, err := s.CountMembers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != len(overview) || got.Total != want.Total || !maps.Equal(got.BySector, want.BySector) || !maps.Equal(got.ByProvince, want.ByProvince) {
		t.Fatalf("%s: CountMembers = %+v\nwant %+v (the overview's %d)", round, got, want, len(overview))
	}
	// The segments: every consenting, active, subscribed member whose
	// profile has the value, but the author.
	by := from + int64(len(round))%(to-from+1)
	for _, seg := range []string{"sector:ngo", "sector:csr", "sector:gov", "prov:JB", "prov:BA", "prov:JK"} {
		sg, err := flows.ParseSegment(seg)
		if err != nil {
			t.Fatal(err)
		}
		b := &flows.Broadcast{ID: "b", By: by, MessageID: 1, EnglishID: 2, Segment: seg}
		rs, err := flows.Recipients(ctx, s, b)
		if err != nil {
			t.Fatal(err)
		}
		var wantR []flows.Recipient
		for id, p := range sc.profiles {
			u := sc.users[id]
			if u == nil || !flows.Receives(u) || id == by || value(p, sg.Kind) != sg.Value {
				continue
			}
			msg := 1
			if u.Lang == "en" {
				msg = 2
			}
			wantR = append(wantR, flows.Recipient{UserID: id, MessageID: msg})
		}
		slices.SortFunc(wantR, func(a, b flows.Recipient) int { return int(a.UserID - b.UserID) })
		if !slices.Equal(rs, wantR) {
			t.Fatalf("%s: segment %s by %d:\n got %v\nwant %v", round, seg, by, rs, wantR)
		}
	}
	// A province chapter's segments: its provinces' members and those who
	// joined by link.
	joined, err := s.ChapterJoined(ctx, memberChapter.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, seg := range []string{"all", "lang:en", "lang:id", "sector:ngo"} {
		seg = "in:" + memberChapter.ID + ":" + seg
		sg, err := flows.ParseSegment(seg)
		if err != nil {
			t.Fatal(err)
		}
		b := &flows.Broadcast{ID: "b", By: by, MessageID: 1, EnglishID: 2, Segment: seg}
		rs, err := flows.Recipients(ctx, s, b)
		if err != nil {
			t.Fatal(err)
		}
		var wantR []flows.Recipient
		for id, u := range sc.users {
			p := sc.profiles[id]
			in := slices.Contains(joined, id) || (p != nil && memberChapter.Covers(p.Province))
			if !in || !flows.Receives(u) || id == by || (sg.Kind == flows.SegLang && u.Lang != sg.Value) ||
				(sg.Kind == flows.SegSector && (p == nil || p.Sector != sg.Value)) {
				continue
			}
			msg := 1
			if u.Lang == "en" {
				msg = 2
			}
			wantR = append(wantR, flows.Recipient{UserID: id, MessageID: msg})
		}
		slices.SortFunc(wantR, func(a, b flows.Recipient) int { return int(a.UserID - b.UserID) })
		if !slices.Equal(rs, wantR) {
			t.Fatalf("%s: segment %s by %d:\n got %v\nwant %v", round, seg, by, rs, wantR)
		}
	}
}

// memberChapter is the province chapter of the members' test.
var memberChapter = &flows.Chapter{ID: "jbba23", Name: "Jawa Barat dan Bali", Kind: flows.ChapterProvince, Provinces: []string{"JB", "BA"}}

// TestMemberIndexesAgreeWithLinearScan: random members saved, moved between
// sectors and provinces (some to none, or to a code outside the catalog),
// saved by several writers at once, removed, forgotten, their consent
// withdrawn or their records changed, round after round; after each round
// the sector and province indexes hold exactly the members a scan of every
// profile finds — no entry a race or a move left behind —, CountMembers is
// what the dashboard's overview counted by reading every record and
// profile, and the sector and province segments, and a province
// chapter's, are the scan's. The
// indexes rebuilt by MigrateExactMembers, from nothing or from stale
// entries an older build left, agree too.
func TestMemberIndexesAgreeWithLinearScan(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	rng := rand.New(rand.NewPCG(22, 11))
	then := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	const from, members = 2000, 50
	to := int64(from + members + 5) // some never exist
	langs := []string{"id", "en", "fr"}
	sectors := []string{"ngo", "csr", "gov", "", "zzz"}
	provinces := []string{"JB", "BA", "JK", "", "XX"}
	randomUser := func(id int64) *flows.User {
		u := &flows.User{ID: id, Lang: langs[rng.IntN(len(langs))], FirstName: "M", Created: then}
		if rng.IntN(6) > 0 {
			u.Consent = flows.ConsentVersion
		}
		u.Inactive = rng.IntN(8) == 0
		u.NoUpdates = rng.IntN(8) == 0
		return u
	}
	profile := func(id int64, rng *rand.Rand) *flows.Profile {
		return &flows.Profile{UserID: id, FullName: fmt.Sprint("Member ", id), Sector: sectors[rng.IntN(len(sectors))],
			Province: provinces[rng.IntN(len(provinces))], ConsentVersion: flows.ConsentVersion, Updated: then}
	}
	for id := int64(from); id < from+members; id++ {
		if err := s.SaveUser(ctx, randomUser(id)); err != nil {
			t.Fatal(err)
		}
		if rng.IntN(8) > 0 {
			if err := s.SaveProfile(ctx, profile(id, rng)); err != nil {
				t.Fatal(err)
			}
		}
	}
	ch := *memberChapter
	ch.Created = then
	if err := s.CreateChapter(ctx, &ch); err != nil {
		t.Fatal(err)
	}
	for id := int64(from); id < from+members; id += 4 {
		if err := s.JoinChapter(ctx, ch.ID, id); err != nil {
			t.Fatal(err)
		}
	}
	checkMemberIndexes(t, s, r, from, to, "seeded")
	upd := int64(1)
	for round := range 150 {
		id := from + rng.Int64N(to-from+1)
		name := fmt.Sprintf("round %d", round)
		switch op := rng.IntN(12); {
		case op < 4: // a move
			if err := s.SaveProfile(ctx, profile(id, rng)); err != nil {
				t.Fatal(err)
			}
			name += " SaveProfile"
		case op < 7: // several writers of one profile at once
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for w := range 4 {
				p := profile(id, rand.New(rand.NewPCG(uint64(round), uint64(w))))
				wg.Go(func() { errs <- s.SaveProfile(ctx, p) })
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			name += " concurrent SaveProfile"
		case op < 8:
			if err := s.RemoveProfile(ctx, id); err != nil {
				t.Fatal(err)
			}
			name += " RemoveProfile"
		case op < 9:
			if _, err := s.ForgetUser(ctx, id, then); err != nil {
				t.Fatal(err)
			}
			name += " ForgetUser"
		case op < 10: // a save racing the profile's removal
			var wg sync.WaitGroup
			var errSave, errRemove error
			p := profile(id, rng)
			wg.Go(func() { errSave = s.SaveProfile(ctx, p) })
			wg.Go(func() { errRemove = s.RemoveProfile(ctx, id) })
			wg.Wait()
			if errSave != nil || errRemove != nil {
				t.Fatal(errSave, errRemove)
			}
			name += " SaveProfile racing RemoveProfile"
		case op < 11: // consent withdrawn in the user's commit: out of users:all
			st, err := s.LoadState(ctx, id, id, upd)
			if err != nil {
				t.Fatal(err)
			}
			if st.User != nil {
				after := *st.User
				after.Consent = ""
				if err := s.Commit(ctx, transport.Commit{ChatID: id, UpdateID: upd, User: &after, UserBefore: st.User}); err != nil {
					t.Fatal(err)
				}
			}
			upd++
			name += " consent withdrawn"
		default:
			if err := s.SaveUser(ctx, randomUser(id)); err != nil {
				t.Fatal(err)
			}
			name += " SaveUser"
		}
		checkMemberIndexes(t, s, r, from, to, name)
	}

	// Rebuilt from the profiles: from nothing, and from the stale entries
	// a build that wrote the sets in steps could leave (a member in a set
	// their profile left, a forgotten member).
	keys, err := r.Client.Keys(ctx, r.Prefix+"members:*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("index keys %v: %v", keys, err)
	}
	for _, k := range keys {
		if err := r.Client.Del(ctx, k).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for id := int64(from); id <= to; id += 3 {
		for _, k := range []string{"members:sector:gov", "members:prov:BA", "members:sector:_"} {
			if err := r.Client.SAdd(ctx, r.Prefix+k, id).Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n, err := s.MigrateExactMembers(ctx); err != nil || n == 0 {
		t.Fatalf("migrate: %d, %v", n, err)
	}
	checkMemberIndexes(t, s, r, from, to, "migrated")
	if n, err := s.MigrateExactMembers(ctx); err != nil || n != 0 {
		t.Fatalf("second migration: %d, %v", n, err)
	}
}

// On a Redis Cluster the sets are written in steps and not exact: the
// sector and province segments check the profiles (ProfileReceivers says
// flows.ErrNoIndex), CountMembers reads every record and profile, and both
// still agree with a scan after moves, removals and forgetting;
// MigrateExactMembers leaves the Cluster alone.
func TestMembersOnCluster(t *testing.T) {
	ctx := context.Background()
	c := redistest.NewCluster(t)
	s := store.New(c.Client, store.Options{Prefix: c.Prefix, SessionTTL: time.Hour})
	rng := rand.New(rand.NewPCG(5, 5))
	then := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	sectors, provinces := []string{"ngo", "csr", ""}, []string{"JB", "BA", "XX"}
	const from, to = 3000, 3030
	for id := int64(from); id <= to; id++ {
		u := &flows.User{ID: id, Lang: []string{"id", "en"}[rng.IntN(2)], Consent: flows.ConsentVersion, Created: then,
			Inactive: rng.IntN(6) == 0, NoUpdates: rng.IntN(6) == 0}
		if err := s.SaveUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	for range 80 {
		id := from + rng.Int64N(to-from+1)
		var err error
		switch rng.IntN(8) {
		case 0:
			err = s.RemoveProfile(ctx, id)
		case 1:
			_, err = s.ForgetUser(ctx, id, then)
		default:
			err = s.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: "M", Sector: sectors[rng.IntN(3)], Province: provinces[rng.IntN(3)]})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.ProfileReceivers(ctx, flows.SegSector, "ngo"); !errors.Is(err, flows.ErrNoIndex) {
		t.Fatalf("ProfileReceivers on a Cluster: %v, want ErrNoIndex", err)
	}
	if n, err := s.MigrateExactMembers(ctx); n != 0 || err != nil {
		t.Fatalf("MigrateExactMembers on a Cluster: %d, %v", n, err)
	}
	var want flows.MemberCounts
	profiles := map[int64]*flows.Profile{}
	users := map[int64]*flows.User{}
	for id := int64(from); id <= to; id++ {
		u, uerr := s.GetUser(ctx, id)
		p, perr := s.GetProfile(ctx, id)
		if uerr == nil {
			users[id] = u
		}
		if perr == nil {
			profiles[id] = p
			if uerr == nil {
				want.Add(p)
			}
		}
	}
	got, err := s.CountMembers(ctx)
	if err != nil || got.Total != want.Total || !maps.Equal(got.BySector, want.BySector) || !maps.Equal(got.ByProvince, want.ByProvince) {
		t.Fatalf("CountMembers = %+v, %v; want %+v", got, err, want)
	}
	for _, seg := range []string{"sector:ngo", "sector:csr", "prov:JB", "prov:BA"} {
		sg, _ := flows.ParseSegment(seg)
		rs, err := flows.Recipients(ctx, s, &flows.Broadcast{ID: "b", MessageID: 1, EnglishID: 2, Segment: seg})
		if err != nil {
			t.Fatal(err)
		}
		var wantR []flows.Recipient
		for id, p := range profiles {
			if u := users[id]; u != nil && flows.Receives(u) && value(p, sg.Kind) == sg.Value {
				wantR = append(wantR, flows.Recipient{UserID: id, MessageID: map[bool]int{true: 2, false: 1}[u.Lang == "en"]})
			}
		}
		slices.SortFunc(wantR, func(a, b flows.Recipient) int { return int(a.UserID - b.UserID) })
		if !slices.Equal(rs, wantR) {
			t.Fatalf("segment %s on a Cluster:\n got %v\nwant %v", seg, rs, wantR)
		}
	}
}
