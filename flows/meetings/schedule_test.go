package meetings_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/meetings"
)

// The scheduler never produces a conflict, on random setups, bookings and
// pairs: no organisation twice in a slot, no table twice in a slot, nobody
// over the cap, no pair that has an open or declined meeting, no slot
// before now.
func TestScheduleNeverConflicts(t *testing.T) {
	start := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 7))
		s := &flows.MeetingSetup{SlotMinutes: 10 + rng.IntN(5)*10, MaxPerOrg: 1 + rng.IntN(5)}
		s.Windows = []flows.MeetWindow{{Start: start, End: start.Add(time.Duration(1+rng.IntN(4)) * time.Hour)}}
		for i := range rng.IntN(6) {
			s.Tables = append(s.Tables, flows.MeetTable{ID: i + 1, Name: fmt.Sprint(i)})
		}
		orgs := 2 + rng.IntN(30)
		slots := s.Slots()
		var ms []*flows.Meeting
		for i := range rng.IntN(10) {
			a, b := int64(rng.IntN(orgs)+1), int64(rng.IntN(orgs)+1)
			if a == b {
				continue
			}
			st := []flows.MeetStatus{flows.MeetAccepted, flows.MeetPending, flows.MeetDeclined}[rng.IntN(3)]
			m := &flows.Meeting{ID: fmt.Sprint("m", i), From: a, To: b, Status: st}
			if st == flows.MeetAccepted {
				m.Slot = slots[rng.IntN(len(slots))]
				if len(s.Tables) > 0 {
					m.Table = s.Tables[rng.IntN(len(s.Tables))].ID
				}
				if conflicts(s, append(ms, m)) != "" {
					continue // the existing bookings themselves are valid
				}
			}
			ms = append(ms, m)
		}
		var pairs []meetings.Pair
		for range rng.IntN(80) {
			pairs = append(pairs, meetings.Pair{A: int64(rng.IntN(orgs) + 1), B: int64(rng.IntN(orgs) + 1),
				Score: rng.IntN(20), Mutual: rng.IntN(4) == 0})
		}
		now := start.Add(time.Duration(rng.IntN(40)) * time.Minute)
		placed := meetings.Schedule(s, ms, pairs, now)
		all := append([]*flows.Meeting{}, ms...)
		for i, p := range placed {
			if !p.Slot.After(now) || !s.HasSlot(p.Slot) {
				t.Fatalf("seed %d: placed at %v (now %v)", seed, p.Slot, now)
			}
			for _, m := range ms {
				if (m.Status.Open() || m.Status == flows.MeetDeclined) && m.Party(p.Pair.A) && m.Party(p.Pair.B) {
					t.Fatalf("seed %d: placed %v, which has an open or declined meeting", seed, p.Pair)
				}
			}
			all = append(all, &flows.Meeting{ID: fmt.Sprint("p", i), From: p.Pair.A, To: p.Pair.B, Status: flows.MeetProposed, Slot: p.Slot, Table: p.Table})
		}
		if c := conflicts(s, all); c != "" {
			t.Fatalf("seed %d: %s", seed, c)
		}
	}
}

// conflicts describes the first double booking among ms ("" none).
func conflicts(s *flows.MeetingSetup, ms []*flows.Meeting) string {
	org, table, count := map[string]bool{}, map[string]bool{}, map[int64]int{}
	pair := map[[2]int64]bool{}
	for _, m := range ms {
		if !m.Booked() {
			continue
		}
		if m.From == m.To {
			return fmt.Sprint("a pair of one organisation ", m.From)
		}
		p := [2]int64{min(m.From, m.To), max(m.From, m.To)}
		if pair[p] {
			return fmt.Sprint("pair twice ", p)
		}
		pair[p] = true
		for _, u := range []int64{m.From, m.To} {
			k := fmt.Sprint(u, m.Slot)
			if org[k] {
				return fmt.Sprint("organisation ", u, " twice at ", m.Slot)
			}
			org[k] = true
			if count[u]++; count[u] > s.MaxPerOrg {
				return fmt.Sprint("organisation ", u, " over the cap")
			}
		}
		if len(s.Tables) > 0 {
			k := fmt.Sprint(m.Table, m.Slot)
			if table[k] || s.Table(m.Table) == nil {
				return fmt.Sprint("table ", m.Table, " twice or unknown at ", m.Slot)
			}
			table[k] = true
		}
	}
	return ""
}
