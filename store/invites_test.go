package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"sinergi/flows"
)

// TestInviteQuotaUnderConcurrency: 100 people use an organisation's
// invitation of 10 seats at once (each opened the link first): exactly 10
// register, the other 90 are told it is used up, and the invitation lists
// the 10.
func TestInviteQuotaUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	create(t, s, workshop("invorg", 0))
	tok := flows.NewToken()
	if err := s.CreateWorkshopInvite(ctx, &flows.WorkshopInvite{Token: tok, Workshop: "invorg", Org: "Yayasan Air", Quota: 10, By: 100, Created: t0}); err != nil {
		t.Fatal(err)
	}
	const n = 100
	for uid := int64(1); uid <= n; uid++ {
		if _, err := s.HoldWorkshopInvite(ctx, "invorg", tok, uid); err != nil {
			t.Fatalf("hold %d: %v", uid, err)
		}
	}
	var ok, used atomic.Int64
	var wg sync.WaitGroup
	for uid := int64(1); uid <= n; uid++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.RegisterInvited(ctx, reg("invorg", uid), t0)
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, flows.ErrInviteUsed):
				used.Add(1)
			default:
				t.Errorf("register %d: %v", uid, err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 10 || used.Load() != n-10 {
		t.Fatalf("%d registered, %d refused as used up; want 10 and %d", ok.Load(), used.Load(), n-10)
	}
	regs, err := s.Registrations(ctx, "invorg")
	if err != nil || len(regs) != 10 {
		t.Fatalf("registrations: %d, %v; want 10", len(regs), err)
	}
	invs, err := s.WorkshopInvites(ctx, "invorg")
	if err != nil || len(invs) != 1 || len(invs[0].Used) != 10 {
		t.Fatalf("invitations %+v, %v; want one used by 10", invs, err)
	}
}

// TestPersonalInviteUsedTwiceAtOnce: a personal link forwarded to a second
// person, both registering at the same moment: one registration.
func TestPersonalInviteUsedTwiceAtOnce(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	create(t, s, workshop("invone", 0))
	for round := range 20 {
		tok := flows.NewToken()
		if err := s.CreateWorkshopInvite(ctx, &flows.WorkshopInvite{Token: tok, Workshop: "invone", Quota: 1, By: 100, Created: t0}); err != nil {
			t.Fatal(err)
		}
		a, b := int64(2*round+1), int64(2*round+2)
		for _, uid := range []int64{a, b} {
			if _, err := s.HoldWorkshopInvite(ctx, "invone", tok, uid); err != nil {
				t.Fatalf("hold %d: %v", uid, err)
			}
		}
		var ok, used atomic.Int64
		var wg sync.WaitGroup
		for _, uid := range []int64{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.RegisterInvited(ctx, reg("invone", uid), t0)
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, flows.ErrInviteUsed):
					used.Add(1)
				default:
					t.Errorf("register %d: %v", uid, err)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 1 || used.Load() != 1 {
			t.Fatalf("round %d: %d registered, %d refused; want 1 and 1", round, ok.Load(), used.Load())
		}
	}
	if c, err := s.Counts(ctx, "invone"); err != nil || c.Confirmed != 20 {
		t.Fatalf("counts %+v, %v; want 20 confirmed", c, err)
	}
}
