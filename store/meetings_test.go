package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/store"
	"sinergi/store/redistest"
)

// 200 organisations, 20 slots, 10 tables, 2,000 requests accepted at once
// from 32 goroutines: no organisation is in two meetings in one slot, no
// table holds two meetings in one slot, nobody holds more than the cap,
// and every refusal is one of the booking refusals.
func TestMeetingBookingsNeverDouble(t *testing.T) {
	r := redistest.New(t)
	s := store.New(r.Client, store.Options{Prefix: r.Prefix, SessionTTL: time.Hour})
	ctx := context.Background()
	start := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	setup := &flows.MeetingSetup{Workshop: "MEET01", SlotMinutes: 15, MaxPerOrg: 12,
		Windows: []flows.MeetWindow{{Start: start, End: start.Add(20 * 15 * time.Minute)}}}
	for i := 1; i <= 10; i++ {
		setup.Tables = append(setup.Tables, flows.MeetTable{ID: i, Name: fmt.Sprintf("Table %d", i)})
	}
	if _, err := s.SaveMeetingSetup(ctx, setup, false, start); err != nil {
		t.Fatal(err)
	}
	slots := setup.Slots()
	if len(slots) != 20 {
		t.Fatalf("%d slots", len(slots))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	type req struct {
		id   string
		to   int64
		slot time.Time
	}
	var reqs []req
	seen := map[[2]int64]bool{}
	for len(reqs) < 2000 {
		a, b := int64(rng.IntN(200)+1), int64(rng.IntN(200)+1)
		if a == b || seen[[2]int64{min(a, b), max(a, b)}] {
			continue
		}
		seen[[2]int64{min(a, b), max(a, b)}] = true
		offered := []time.Time{slots[rng.IntN(20)], slots[rng.IntN(20)], slots[rng.IntN(20)]}
		m := &flows.Meeting{ID: fmt.Sprintf("m%09d", len(reqs)), Workshop: "MEET01", From: a, To: b, FromOrg: "A", ToOrg: "B",
			Slots: offered, Awaiting: b, Status: flows.MeetPending, Created: start.Add(-time.Hour)}
		if err := s.RequestMeeting(ctx, m); err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, req{m.ID, b, offered[rng.IntN(3)]})
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	refused := map[string]int{}
	work := make(chan req)
	for range 32 {
		wg.Go(func() {
			for q := range work {
				_, err := s.AcceptMeeting(ctx, "MEET01", q.id, q.to, q.slot, start.Add(-time.Minute))
				mu.Lock()
				switch {
				case err == nil:
					refused["ok"]++
				case errors.Is(err, flows.ErrMeetSlotTaken):
					refused["taken"]++
				case errors.Is(err, flows.ErrMeetTablesFull):
					refused["full"]++
				case errors.Is(err, flows.ErrMeetCap):
					refused["cap"]++
				default:
					t.Errorf("accept %s: %v", q.id, err)
				}
				mu.Unlock()
			}
		})
	}
	for _, q := range reqs {
		work <- q
	}
	close(work)
	wg.Wait()

	ms, err := s.WorkshopMeetings(ctx, "MEET01")
	if err != nil {
		t.Fatal(err)
	}
	orgAt := map[string]string{}
	tableAt := map[string]string{}
	count := map[int64]int{}
	accepted := 0
	for _, m := range ms {
		if m.Status != flows.MeetAccepted {
			continue
		}
		accepted++
		for _, u := range []int64{m.From, m.To} {
			count[u]++
			k := fmt.Sprint(u, "@", m.Slot.Unix())
			if prev, ok := orgAt[k]; ok {
				t.Errorf("organisation %d in %s and %s at %v", u, prev, m.ID, m.Slot)
			}
			orgAt[k] = m.ID
		}
		if m.Table < 1 || m.Table > 10 {
			t.Errorf("%s at table %d", m.ID, m.Table)
		}
		k := fmt.Sprint(m.Table, "@", m.Slot.Unix())
		if prev, ok := tableAt[k]; ok {
			t.Errorf("table %d holds %s and %s at %v", m.Table, prev, m.ID, m.Slot)
		}
		tableAt[k] = m.ID
	}
	for u, n := range count {
		if n > setup.MaxPerOrg {
			t.Errorf("organisation %d holds %d meetings, cap %d", u, n, setup.MaxPerOrg)
		}
	}
	if accepted != refused["ok"] || accepted == 0 || refused["taken"]+refused["full"] == 0 {
		t.Errorf("accepted %d, answers %v", accepted, refused)
	}
	t.Logf("accepts: %v; %d booked", refused, accepted)
}
