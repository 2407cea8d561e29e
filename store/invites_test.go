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

// TestInviteOnlySwitchStopsPlainRegistrations: 50 goroutines register
// plainly (Register, as a flow that read the workshop while it was open)
// while the team turns invite-only on: once the switch is saved, no plain
// registration succeeds — each is refused ErrNoInvite by the Lua script —
// and the workshop holds exactly the registrations that did succeed. A
// hybrid workshop's two modes alike.
func TestInviteOnlySwitchStopsPlainRegistrations(t *testing.T) {
	for _, hybrid := range []bool{false, true} {
		t.Run(map[bool]string{false: "single", true: "hybrid"}[hybrid], func(t *testing.T) {
			ctx := context.Background()
			s, _ := newStore(t)
			w := workshop("invrace", 0)
			if hybrid {
				w = hybridWorkshop("invrace", 100000, 100000)
			}
			create(t, s, w)
			const goroutines, before, triesAfter = 50, 100, 5
			var ok, late atomic.Int64
			var switched atomic.Bool
			ready := make(chan struct{})
			var wg sync.WaitGroup
			for g := range int64(goroutines) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					tries := 0 // since the switch was saved
					for k := int64(1); tries < triesAfter; k++ {
						after := switched.Load() // read before the call: it began after the switch was saved
						if after {
							tries++
						}
						r := reg("invrace", g*100000+k)
						if hybrid && k%2 == 0 {
							r.Mode = flows.ModeOnline
						}
						_, err := s.Register(ctx, r, t0)
						switch {
						case err == nil:
							if ok.Add(1) == before {
								close(ready)
							}
							if after {
								late.Add(1)
							}
						case errors.Is(err, flows.ErrNoInvite):
						default:
							t.Errorf("register: %v", err)
							return
						}
					}
				}()
			}
			<-ready // plain registrations are going through
			w.InviteOnly = true
			if _, err := s.UpdateWorkshop(ctx, w); err != nil {
				t.Fatal(err)
			}
			switched.Store(true)
			wg.Wait()
			if late.Load() != 0 {
				t.Fatalf("%d plain registrations succeeded after invite-only was switched on", late.Load())
			}
			regs, err := s.Registrations(ctx, "invrace")
			if err != nil || int64(len(regs)) != ok.Load() {
				t.Fatalf("%d registrations stored, %v; %d succeeded", len(regs), err, ok.Load())
			}
			if _, err := s.Register(ctx, reg("invrace", 1<<40), t0); !errors.Is(err, flows.ErrNoInvite) {
				t.Fatalf("a plain registration after the race: %v, want ErrNoInvite", err)
			}
		})
	}
}

// TestMigrateInviteMeta: workshops saved before the meta held the
// invite-only field (removed here from the raw hashes, a hybrid one's two)
// get it from their JSON at start: the invite-only ones then refuse a
// plain registration, the others still take one; running it again writes
// nothing.
func TestMigrateInviteMeta(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	closed := workshop("oldinv", 0)
	closed.InviteOnly = true
	hy := hybridWorkshop("oldhy", 10, 10)
	hy.InviteOnly = true
	create(t, s, closed)
	create(t, s, hy)
	create(t, s, workshop("oldopen", 0))
	for _, k := range []string{wsKey(r, "oldinv", "meta"), wsKey(r, "oldhy", "meta"), wsKey(r, "oldhy", "on:meta"), wsKey(r, "oldopen", "meta")} {
		if err := r.Client.HDel(ctx, k, "invite").Err(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Register(ctx, reg("oldinv", 1), t0); err != nil { // what an old database let through
		t.Fatalf("before the migration: %v", err)
	}
	n, err := s.MigrateInviteMeta(ctx)
	if err != nil || n != 3 {
		t.Fatalf("MigrateInviteMeta = %d, %v; want 3 workshops", n, err)
	}
	for _, code := range []string{"oldinv", "oldhy"} {
		for _, mode := range []string{"", flows.ModeOnline} {
			r := reg(code, 2)
			r.Mode = mode
			if code == "oldinv" && mode != "" {
				continue
			}
			if _, err := s.Register(ctx, r, t0); !errors.Is(err, flows.ErrNoInvite) {
				t.Fatalf("plain registration in %s (mode %q) after the migration: %v, want ErrNoInvite", code, mode, err)
			}
		}
	}
	if _, err := s.Register(ctx, reg("oldopen", 2), t0); err != nil {
		t.Fatalf("an open workshop after the migration: %v", err)
	}
	if n, err := s.MigrateInviteMeta(ctx); err != nil || n != 0 {
		t.Fatalf("MigrateInviteMeta again = %d, %v; want 0", n, err)
	}
}
