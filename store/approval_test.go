package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"sinergi/flows"
)

// Approval on Redis: twenty team members decide the same pending
// registration at once, half approving and half declining; exactly one
// decision counts and the others are told it was decided. Pending people
// hold no seat, whatever the order of approvals: 30 approved at once for
// 10 seats are 10 confirmed and 20 waiting.
func TestDecideOnceUnderRace(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	w := workshop("appr", 10)
	w.Approval = true
	create(t, s, w)
	for uid := int64(1); uid <= 30; uid++ {
		if r := register(t, s, "appr", uid); r.Status != flows.RegPending {
			t.Fatalf("registration %d: %s, want pending", uid, r.Status)
		}
	}
	if c, _ := s.Counts(ctx, "appr"); c != (flows.Counts{Pending: 30}) {
		t.Fatalf("counts %+v", c)
	}
	var counted, decided atomic.Int64
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.DecideRegistration(ctx, "appr", 1, i%2 == 0)
			switch {
			case err == nil:
				counted.Add(1)
			case errors.Is(err, flows.ErrAlreadyDecided):
				decided.Add(1)
			default:
				t.Errorf("decide: %v", err)
			}
		}()
	}
	wg.Wait()
	if counted.Load() != 1 || decided.Load() != 19 {
		t.Fatalf("%d decisions counted, %d told decided; want 1 and 19", counted.Load(), decided.Load())
	}
	for uid := int64(2); uid <= 30; uid++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.DecideRegistration(ctx, "appr", uid, true); err != nil {
				t.Errorf("approve %d: %v", uid, err)
			}
		}()
	}
	wg.Wait()
	placed := 29 // and user 1, when the decision that counted approved them
	if _, err := s.GetRegistration(ctx, "appr", 1); err == nil {
		placed = 30
	}
	c, err := s.Counts(ctx, "appr")
	if err != nil || c.Confirmed != 10 || c.Pending != 0 || c.Confirmed+c.Waiting != placed {
		t.Fatalf("counts %+v, %v; want 10 confirmed of %d placed", c, err, placed)
	}
}
