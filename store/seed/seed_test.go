package seed_test

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/store"
	"sinergi/store/redistest"
	"sinergi/store/seed"
)

func small(s uint64) seed.Config {
	return seed.Config{Seed: s, Members: 400, Partners: 300, Workshops: 12, Big: 2, BigRegs: 120, Commitments: 600,
		Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
}

func same(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err1 := json.Marshal(got)
	w, err2 := json.Marshal(want)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if string(g) != string(w) {
		t.Fatalf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// The same seed makes the same forum; another seed another one.
func TestGenerateIsDeterministic(t *testing.T) {
	a, b, c := seed.Generate(small(1)), seed.Generate(small(1)), seed.Generate(small(2))
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two forums from seed 1 differ")
	}
	if reflect.DeepEqual(a.Partners, c.Partners) || reflect.DeepEqual(a.Workshops, c.Workshops) {
		t.Fatal("seeds 1 and 2 made the same forum")
	}
	provinces, sectors := map[string]bool{}, map[string]bool{}
	for _, p := range seed.Generate(seed.Config{Seed: 3, Members: 3000, Now: small(1).Now}).Profiles {
		provinces[p.Province], sectors[p.Sector] = true, true
	}
	if len(provinces) != len(flows.Provinces()) || len(sectors) != len(flows.Sectors()) {
		t.Fatalf("3,000 members in %d provinces and %d sectors, want all %d and %d",
			len(provinces), len(sectors), len(flows.Provinces()), len(flows.Sectors()))
	}
}

// A seeded small forum reads back through the store's API as generated:
// users, member and partner profiles, workshops with their confirmed and
// waiting registrants and check-ins, commitments by workshop and by owner,
// and suggestions ranked as flows.Rank ranks the generated profiles.
func TestSeededForumReadsBack(t *testing.T) {
	ctx := context.Background()
	r := redistest.New(t)
	st := store.New(r.Client, store.Options{Prefix: r.Prefix})
	cfg := small(7)
	f := seed.Generate(cfg)
	if err := seed.Write(ctx, st, f, 8, nil); err != nil {
		t.Fatal(err)
	}
	for i, u := range f.Users {
		got, err := st.GetUser(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "user", got, u)
		p, err := st.GetProfile(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "profile", p, f.Profiles[i])
	}
	for _, p := range f.Partners {
		got, err := st.GetPartner(ctx, p.UserID)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "partner", got, p)
	}
	waiting := 0
	for w, ws := range f.Workshops {
		got, err := st.GetWorkshop(ctx, ws.Code)
		if err != nil {
			t.Fatal(err)
		}
		same(t, "workshop", got, ws)
		regs, err := st.Registrations(ctx, ws.Code)
		if err != nil {
			t.Fatal(err)
		}
		if len(regs) != len(f.Registrations[w]) {
			t.Fatalf("workshop %s: %d registrations, want %d", ws.Code, len(regs), len(f.Registrations[w]))
		}
		checked := map[int64]time.Time{}
		for _, c := range f.CheckIns[w] {
			checked[c.UserID] = c.At
		}
		byUser := map[int64]*flows.Registration{}
		for _, r := range regs {
			byUser[r.UserID] = r
		}
		for i, want := range f.Registrations[w] {
			got := byUser[want.UserID]
			if got == nil || got.Token != want.Token || !got.RegisteredAt.Equal(want.RegisteredAt) {
				t.Fatalf("workshop %s: registration %+v, want %+v", ws.Code, got, want)
			}
			status, pos := flows.RegConfirmed, 0
			if i >= ws.Capacity {
				status, pos = flows.RegWaiting, i-ws.Capacity+1
				waiting++
			}
			if got.Status != status || got.Position != pos || !got.CheckedInAt.Equal(checked[want.UserID]) {
				t.Fatalf("workshop %s: registrant %d is %s %d checked in %v, want %s %d %v", ws.Code, i,
					got.Status, got.Position, got.CheckedInAt, status, pos, checked[want.UserID])
			}
		}
	}
	if waiting == 0 {
		t.Fatal("no waiting list seeded")
	}
	byWorkshop, byOwner := map[string][]*flows.Commitment{}, map[int64]int{}
	for _, c := range f.Commitments {
		byWorkshop[c.Workshop] = append(byWorkshop[c.Workshop], c)
		byOwner[c.Owner]++
	}
	histories := 0
	for code, want := range byWorkshop {
		got, err := st.WorkshopCommitments(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		key := func(c *flows.Commitment) string { return c.ID }
		slices.SortFunc(got, func(a, b *flows.Commitment) int { return strings.Compare(key(a), key(b)) })
		slices.SortFunc(want, func(a, b *flows.Commitment) int { return strings.Compare(key(a), key(b)) })
		same(t, "commitments of "+code, got, want)
		for _, c := range want {
			if len(c.History) > 0 {
				histories++
			}
		}
	}
	if histories == 0 {
		t.Fatal("no commitment has a history")
	}
	for owner, n := range byOwner {
		got, err := st.UserCommitments(ctx, owner)
		if err != nil || len(got) != n {
			t.Fatalf("owner %d: %d commitments (%v), want %d", owner, len(got), err, n)
		}
	}
	// Suggestions: flows.Rank over the generated visible profiles of
	// active members.
	inactive := map[int64]bool{}
	for _, u := range f.Users {
		inactive[u.ID] = u.Inactive
	}
	var shown []*flows.PartnerProfile
	for _, p := range f.Partners {
		if p.Visible && !inactive[p.UserID] {
			shown = append(shown, p)
		}
	}
	for _, me := range f.Partners[:20] {
		got, err := st.SuggestPartners(ctx, flows.MatchQuery{Me: me, Limit: 30})
		if err != nil {
			t.Fatal(err)
		}
		var gotIDs, wantIDs []int64
		for _, p := range got {
			gotIDs = append(gotIDs, p.UserID)
		}
		for _, m := range flows.Rank(me, shown, flows.MatchFilter{}) {
			if len(wantIDs) < 30 {
				wantIDs = append(wantIDs, m.Profile.UserID)
			}
		}
		if !slices.Equal(gotIDs, wantIDs) {
			t.Fatalf("suggestions for %d:\n got %v\nwant %v", me.UserID, gotIDs, wantIDs)
		}
	}
}
