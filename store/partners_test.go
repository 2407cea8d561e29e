package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
	"sinergi/store"
)

func partner(uid int64, sector string, themes, provs, offers, needs []string) *flows.PartnerProfile {
	return &flows.PartnerProfile{UserID: uid, Org: fmt.Sprintf("Org %d", uid), Sector: sector, Themes: themes,
		Provinces: provs, Offers: offers, Needs: needs, Visible: true, Created: t0, Updated: t0}
}

func savePartner(t testing.TB, s *store.Store, p *flows.PartnerProfile) {
	t.Helper()
	if err := s.SavePartner(context.Background(), p); err != nil {
		t.Fatal(err)
	}
}

// pick returns 1..n distinct codes of all, in display order.
func pick(r *rand.Rand, all []string, lo, hi int) []string {
	n := lo + r.IntN(hi-lo+1)
	chosen := map[string]bool{}
	for len(chosen) < n {
		chosen[all[r.IntN(len(all))]] = true
	}
	var out []string
	for _, c := range all {
		if chosen[c] {
			out = append(out, c)
		}
	}
	return out
}

// randomPartner is a realistic profile: a few themes, provinces, offers and needs.
func randomPartner(r *rand.Rand, uid int64) *flows.PartnerProfile {
	return partner(uid, flows.Sectors()[r.IntN(len(flows.Sectors()))],
		pick(r, flows.Themes(), 1, 3), pick(r, flows.Provinces(), 1, 3),
		pick(r, flows.Resources(), 0, 3), pick(r, flows.Resources(), 1, 3))
}

// slotOf is uid's bit number in the suggestion bitmaps (-1: none).
func slotOf(t *testing.T, s *store.Store, prefix string, uid int64) int64 {
	t.Helper()
	slot, err := s.Client().HGet(context.Background(), prefix+"{pp}:slot", fmt.Sprint(uid)).Int64()
	if errors.Is(err, redis.Nil) {
		return -1
	}
	if err != nil {
		t.Fatal(err)
	}
	return slot
}

// indexesHolding lists the suggestion bitmaps holding uid's bit (by name
// after "{pp}:bits:"), empty when uid has no slot.
func indexesHolding(t *testing.T, s *store.Store, prefix string, uid int64) []string {
	t.Helper()
	return bitsAt(t, s, prefix, slotOf(t, s, prefix, uid))
}

// bitsAt lists the suggestion bitmaps with bit slot set.
func bitsAt(t *testing.T, s *store.Store, prefix string, slot int64) []string {
	t.Helper()
	ctx := context.Background()
	if slot < 0 {
		return nil
	}
	keys, err := s.Client().Keys(ctx, prefix+"{pp}:bits:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range keys {
		bit, err := s.Client().GetBit(ctx, k, slot).Result()
		if err != nil {
			t.Fatal(err)
		}
		if bit == 1 {
			out = append(out, strings.TrimPrefix(k, prefix+"{pp}:bits:"))
		}
	}
	slices.Sort(out)
	return out
}

func TestPartnerIndexes(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	p := partner(1, "ngo", []string{"education", "wash"}, []string{"NT"}, []string{"volunteers"}, []string{"funding"})
	savePartner(t, s, p)
	got, err := s.GetPartner(ctx, 1)
	if err != nil || got.Org != "Org 1" || !slices.Equal(got.Themes, p.Themes) || !got.Created.Equal(t0) {
		t.Fatalf("%+v %v", got, err)
	}
	want := []string{"all", "need:funding", "offer:volunteers", "prov:NT", "sector:ngo", "theme:education", "theme:wash"}
	if got := indexesHolding(t, s, r.Prefix, 1); !slices.Equal(got, want) {
		t.Fatalf("indexes %v, want %v", got, want)
	}

	// An edit moves it between sets in one step: nothing stale is left.
	p.Sector, p.Themes, p.Provinces, p.Offers, p.Needs = "csr", []string{"health"}, []string{"BA", "JK"}, nil, []string{"tech", "data"}
	savePartner(t, s, p)
	want = []string{"all", "need:data", "need:tech", "prov:BA", "prov:JK", "sector:csr", "theme:health"}
	if got := indexesHolding(t, s, r.Prefix, 1); !slices.Equal(got, want) {
		t.Fatalf("after edit %v, want %v", got, want)
	}

	// Paused: in no index; resumed: back.
	p.Visible = false
	savePartner(t, s, p)
	if got := indexesHolding(t, s, r.Prefix, 1); len(got) != 0 {
		t.Fatalf("paused profile indexed in %v", got)
	}
	p.Visible = true
	savePartner(t, s, p)

	// Deleted: gone from every index, with its "not interested" marks.
	if err := s.NotInterested(ctx, 1, 2); err != nil {
		t.Fatal(err)
	}
	slot := slotOf(t, s, r.Prefix, 1)
	if err := s.DeletePartner(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if got := bitsAt(t, s, r.Prefix, slot); slot < 0 || len(got) != 0 {
		t.Fatalf("deleted profile (slot %d) indexed in %v", slot, got)
	}
	if got := slotOf(t, s, r.Prefix, 1); got != -1 {
		t.Fatalf("deleted profile keeps slot %d", got)
	}
	// The freed slot is the next new profile's.
	savePartner(t, s, partner(5, "ngo", []string{"health"}, []string{"BA"}, nil, []string{"data"}))
	if got := slotOf(t, s, r.Prefix, 5); got != slot {
		t.Fatalf("new profile in slot %d, want the freed %d", got, slot)
	}
	if got, want := indexesHolding(t, s, r.Prefix, 5), []string{"all", "need:data", "prov:BA", "sector:ngo", "theme:health"}; !slices.Equal(got, want) {
		t.Fatalf("reused slot: %v, want %v", got, want)
	}
	if n, _ := s.Client().Exists(ctx, r.Prefix+"{pp}:skip:1", r.Prefix+"{pp}:prof:1").Result(); n != 0 {
		t.Fatalf("%d keys left", n)
	}
	if err := s.DeletePartner(ctx, 1); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := s.GetPartner(ctx, 1); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("get deleted: %v", err)
	}
	bad := partner(3, "ngo}", []string{"education"}, []string{"NT"}, nil, []string{"funding"})
	if err := s.SavePartner(ctx, bad); err == nil {
		t.Fatal("a code breaking the key layout was accepted")
	}
}

// The store's index-based ranking is exactly flows.Rank over every profile.
func TestSuggestAgreesWithRank(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	r := rand.New(rand.NewPCG(1, 2))
	var all []*flows.PartnerProfile
	for uid := int64(1); uid <= 400; uid++ {
		p := randomPartner(r, uid)
		p.Visible = uid%17 != 0
		savePartner(t, s, p)
		all = append(all, p)
		u := &flows.User{ID: uid, Lang: "en", Inactive: uid%23 == 0, Consent: "v1"}
		if err := s.SaveUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	visible := func(viewer int64, skip map[int64]bool) []*flows.PartnerProfile {
		var out []*flows.PartnerProfile
		for _, p := range all {
			if p.Visible && p.UserID%23 != 0 && !skip[p.UserID] {
				out = append(out, p)
			}
		}
		return out
	}
	ids := func(ps []*flows.PartnerProfile) []int64 {
		var out []int64
		for _, p := range ps {
			out = append(out, p.UserID)
		}
		return out
	}
	skip := map[int64]bool{}
	for _, viewer := range []int64{1, 2, 5, 50, 99, 200} {
		me := all[viewer-1]
		for i := 0; i < 5; i++ {
			other := int64(1 + r.IntN(400))
			skip[other] = true
			if err := s.NotInterested(ctx, viewer, other); err != nil {
				t.Fatal(err)
			}
		}
		for _, f := range []flows.MatchFilter{{}, {Theme: "wash"}, {Province: "JB"}, {Sector: "csr"}, {Coalition: true}} {
			got, err := s.SuggestPartners(ctx, flows.MatchQuery{Me: me, Filter: f, Limit: 30})
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for _, m := range flows.Rank(me, visible(viewer, skip), f) {
				if len(want) < 30 {
					want = append(want, m.Profile.UserID)
				}
			}
			if !slices.Equal(ids(got), want) {
				t.Fatalf("viewer %d filter %+v:\n got %v\nwant %v", viewer, f, ids(got), want)
			}
		}
		clear(skip)
	}
}

func TestIntroductions(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	intro := func(id string, from, to int64, at time.Time) *flows.Introduction {
		return &flows.Introduction{ID: id, From: from, To: to, FromOrg: fmt.Sprint("Org ", from), ToOrg: fmt.Sprint("Org ", to),
			Note: "Halo & <salam>", Status: flows.IntroPending, Created: at}
	}
	const cooldown = 30 * 24 * time.Hour
	if err := s.RequestIntro(ctx, intro("aaaaaaaaaa", 1, 2, t0), cooldown, 2); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetIntro(ctx, "aaaaaaaaaa")
	if err != nil || got.From != 1 || got.To != 2 || got.Note != "Halo & <salam>" || got.Status != flows.IntroPending ||
		!got.Created.Equal(t0) || !got.Decided.IsZero() || got.ToOrg != "Org 2" {
		t.Fatalf("%+v %v", got, err)
	}
	for _, c := range []struct {
		in   *flows.Introduction
		want error
	}{
		{intro("bbbbbbbbbb", 1, 2, t0), flows.ErrIntroPending},
		{intro("bbbbbbbbbb", 2, 1, t0), flows.ErrIntroPending},
	} {
		if err := s.RequestIntro(ctx, c.in, cooldown, 2); !errors.Is(err, c.want) {
			t.Fatalf("%d->%d: %v, want %v", c.in.From, c.in.To, err, c.want)
		}
	}
	if err := s.RequestIntro(ctx, intro("cccccccccc", 1, 3, t0), cooldown, 2); err != nil {
		t.Fatal(err)
	}
	if err := s.RequestIntro(ctx, intro("dddddddddd", 1, 4, t0), cooldown, 2); !errors.Is(err, flows.ErrTooManyIntros) {
		t.Fatalf("over the cap: %v", err)
	}
	if n, _ := s.PendingSent(ctx, 1); n != 2 {
		t.Fatalf("pending %d", n)
	}

	// Only the addressee decides, only the requester withdraws, once.
	if _, err := s.DecideIntro(ctx, "aaaaaaaaaa", 1, flows.IntroAccepted, t0); !errors.Is(err, flows.ErrIntroForbidden) {
		t.Fatalf("requester accepting: %v", err)
	}
	if _, err := s.DecideIntro(ctx, "aaaaaaaaaa", 2, flows.IntroWithdrawn, t0); !errors.Is(err, flows.ErrIntroForbidden) {
		t.Fatalf("addressee withdrawing: %v", err)
	}
	in, err := s.DecideIntro(ctx, "aaaaaaaaaa", 2, flows.IntroAccepted, t0.Add(time.Hour))
	if err != nil || in.Status != flows.IntroAccepted || !in.Decided.Equal(t0.Add(time.Hour)) {
		t.Fatalf("%+v %v", in, err)
	}
	if _, err := s.DecideIntro(ctx, "aaaaaaaaaa", 2, flows.IntroDeclined, t0); !errors.Is(err, flows.ErrIntroDecided) {
		t.Fatalf("second decision: %v", err)
	}
	if _, err := s.DecideIntro(ctx, "zzzzzzzzzz", 2, flows.IntroDeclined, t0); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
	if err := s.RequestIntro(ctx, intro("eeeeeeeeee", 2, 1, t0), cooldown, 2); !errors.Is(err, flows.ErrIntroConnected) {
		t.Fatalf("after accept: %v", err)
	}

	// Declined: the pair waits 30 days, either way round.
	if _, err := s.DecideIntro(ctx, "cccccccccc", 3, flows.IntroDeclined, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.RequestIntro(ctx, intro("ffffffffff", 3, 1, t0.Add(cooldown-time.Second)), cooldown, 2); !errors.Is(err, flows.ErrIntroCooldown) {
		t.Fatalf("within cooldown: %v", err)
	}
	if err := s.RequestIntro(ctx, intro("ffffffffff", 1, 3, t0.Add(cooldown)), cooldown, 2); err != nil {
		t.Fatalf("after cooldown: %v", err)
	}
	if p, err := s.PairIntro(ctx, 3, 1); err != nil || p.ID != "ffffffffff" {
		t.Fatalf("pair %+v %v", p, err)
	}
	// Withdrawn: the pair is free again at once.
	if _, err := s.DecideIntro(ctx, "ffffffffff", 1, flows.IntroWithdrawn, t0.Add(cooldown)); err != nil {
		t.Fatal(err)
	}
	if err := s.RequestIntro(ctx, intro("gggggggggg", 3, 1, t0.Add(cooldown+time.Minute)), cooldown, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PairIntro(ctx, 1, 9); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("no pair: %v", err)
	}

	sent, recv, err := s.UserIntros(ctx, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	var sentIDs, recvIDs []string
	for _, in := range sent {
		sentIDs = append(sentIDs, in.ID+":"+string(in.Status))
	}
	for _, in := range recv {
		recvIDs = append(recvIDs, in.ID+":"+string(in.Status))
	}
	if want := []string{"ffffffffff:withdrawn", "cccccccccc:declined", "aaaaaaaaaa:accepted"}; !slices.Equal(sentIDs, want) {
		t.Fatalf("sent %v, want %v", sentIDs, want)
	}
	if want := []string{"gggggggggg:pending"}; !slices.Equal(recvIDs, want) {
		t.Fatalf("received %v, want %v", recvIDs, want)
	}
}

// The cap holds under a burst: never more than max pending requests.
func TestIntroCapUnderBurst(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := &flows.Introduction{ID: fmt.Sprintf("burst%05d", i), From: 1, To: int64(100 + i), Status: flows.IntroPending, Created: t0}
			err := s.RequestIntro(ctx, in, time.Hour, 10)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, flows.ErrTooManyIntros):
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n, _ := s.PendingSent(ctx, 1); ok != 10 || n != 10 {
		t.Fatalf("%d accepted, %d pending; want 10", ok, n)
	}
}
