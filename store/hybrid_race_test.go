package store_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"

	"sinergi/flows"
	"sinergi/store/redistest"
)

func hybridWorkshop(code string, onsite, online int) *flows.Workshop {
	w := workshop(code, onsite)
	w.Format, w.OnlineCapacity, w.Venue, w.OnlineURL = flows.FormatHybrid, online, "Aula", "https://meet.example/h"
	return w
}

// hybridLists checks, from the raw keys, that nobody is on two of a hybrid
// workshop's lists and that neither mode holds more than its capacity or
// leaves a seat free while people wait for it; it returns where each uid
// is ("<mode>:<list>").
func hybridLists(t *testing.T, r *redistest.Redis, code string, onsite, online int) map[string]string {
	t.Helper()
	ctx := context.Background()
	where := map[string]string{}
	for _, mode := range []struct {
		prefix string
		cap    int
	}{{"", onsite}, {"on:", online}} {
		n := map[string]int{}
		for _, list := range []string{"confirmed", "waiting", "offers", "pending"} {
			members, err := r.Client.ZRange(ctx, wsKey(r, code, mode.prefix+list), 0, -1).Result()
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range members {
				if prev, ok := where[m]; ok {
					t.Fatalf("%s is on %s and on %s%s", m, prev, mode.prefix, list)
				}
				where[m] = mode.prefix + list
			}
			n[list] = len(members)
		}
		if n["confirmed"]+n["offers"] > mode.cap {
			t.Fatalf("mode %q: %d confirmed and %d offered for %d seats", mode.prefix, n["confirmed"], n["offers"], mode.cap)
		}
		if n["waiting"] > 0 && n["confirmed"]+n["offers"] < mode.cap {
			t.Fatalf("mode %q: %d wait while %d of %d seats are taken", mode.prefix, n["waiting"], n["confirmed"], mode.cap)
		}
	}
	return where
}

// Concurrent registrations in both modes never exceed either capacity, and
// someone pressing both modes at once gets one place.
func TestHybridConcurrentRegistrations(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	create(t, s, hybridWorkshop("hy", 20, 30))
	const n = 150
	var wg sync.WaitGroup
	start := make(chan struct{})
	var mu sync.Mutex
	placed := map[int64]int{}
	for i := range n {
		for _, mode := range []string{flows.ModeOnsite, flows.ModeOnline} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				rg := reg("hy", int64(1000+i))
				rg.Mode = mode
				_, err := s.Register(ctx, rg, t0)
				if errors.Is(err, flows.ErrAlreadyRegistered) {
					return
				}
				if err != nil {
					t.Errorf("register %d %s: %v", 1000+i, mode, err)
					return
				}
				mu.Lock()
				placed[int64(1000+i)]++
				mu.Unlock()
			}()
		}
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	for uid, k := range placed {
		if k != 1 {
			t.Fatalf("%d got %d places", uid, k)
		}
	}
	if len(placed) != n {
		t.Fatalf("%d of %d placed", len(placed), n)
	}
	if where := hybridLists(t, r, "hy", 20, 30); len(where) != n {
		t.Fatalf("%d on the lists, want %d", len(where), n)
	}
	// Which mode each person got depends on which of their two presses
	// ran first; each mode's seats are filled before anyone waits there.
	onsite, online, err := s.ModeCounts(ctx, "hy")
	if err != nil {
		t.Fatal(err)
	}
	inOnsite, inOnline := onsite.Confirmed+onsite.Waiting, online.Confirmed+online.Waiting
	if inOnsite+inOnline != n || onsite.Confirmed != min(20, inOnsite) || online.Confirmed != min(30, inOnline) {
		t.Fatalf("ModeCounts = %+v, %+v", onsite, online)
	}
}

// Concurrent switches both ways, with cancellations, keep one place per
// person; every seat freed goes to its own mode's waiting list.
func TestHybridConcurrentSwitches(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	create(t, s, hybridWorkshop("sw", 10, 10))
	// 1..15 on site (10 confirmed, 5 waiting), 21..35 online (likewise).
	for i := int64(1); i <= 15; i++ {
		for _, mode := range []string{flows.ModeOnsite, flows.ModeOnline} {
			uid := i
			if mode == flows.ModeOnline {
				uid += 20
			}
			rg := reg("sw", uid)
			rg.Mode = mode
			if _, err := s.Register(ctx, rg, t0); err != nil {
				t.Fatal(err)
			}
		}
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	cancelled := map[int64]bool{3: true, 24: true, 13: true, 33: true}
	for i := int64(1); i <= 15; i++ {
		for _, uid := range []int64{i, i + 20} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if cancelled[uid] {
					if _, err := s.CancelRegistration(ctx, "sw", uid, t0); err != nil {
						t.Errorf("cancel %d: %v", uid, err)
					}
					return
				}
				for k := range 4 { // back and forth, some giving their place up
					to := flows.ModeOnline
					if (uid > 20) == (k%2 == 0) {
						to = flows.ModeOnsite
					}
					_, _, err := s.SwitchMode(ctx, "sw", uid, to, uid%3 == 0, t0)
					if err != nil && !errors.Is(err, flows.ErrModeFull) && !errors.Is(err, flows.ErrSameMode) {
						t.Errorf("switch %d to %s: %v", uid, to, err)
					}
				}
			}()
		}
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	where := hybridLists(t, r, "sw", 10, 10)
	for i := int64(1); i <= 15; i++ {
		for _, uid := range []int64{i, i + 20} {
			_, on := where[strconv.FormatInt(uid, 10)]
			if on == cancelled[uid] {
				t.Fatalf("uid %d on a list: %v, cancelled: %v", uid, on, cancelled[uid])
			}
		}
	}
	regs, err := s.Registrations(ctx, "sw")
	if err != nil || len(regs) != 26 {
		t.Fatalf("Registrations: %d, %v", len(regs), err)
	}
}

// A confirmed seat left by a switch goes to the head of its own mode's
// waiting list, never to the other mode's.
func TestHybridSwitchFreesSeatToItsMode(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	create(t, s, hybridWorkshop("fr", 1, 2))
	for _, x := range []struct {
		uid  int64
		mode string
	}{{1, flows.ModeOnsite}, {2, flows.ModeOnsite}, {3, flows.ModeOnline}, {4, flows.ModeOnline}} {
		rg := reg("fr", x.uid)
		rg.Mode = x.mode
		if _, err := s.Register(ctx, rg, t0); err != nil {
			t.Fatal(err)
		}
	}
	// Online is full (3, 4): 1 gives up their on-site seat to wait online;
	// the seat goes to 2, waiting on site.
	got, promoted, err := s.SwitchMode(ctx, "fr", 1, flows.ModeOnline, true, t0)
	if err != nil || got.Status != flows.RegWaiting || got.Mode != flows.ModeOnline || len(promoted) != 1 || promoted[0] != 2 {
		t.Fatalf("SwitchMode = %+v, %v, %v", got, promoted, err)
	}
	// 3 leaves online: the seat goes to 1, waiting online.
	if p, err := s.CancelRegistration(ctx, "fr", 3, t0); err != nil || p != 1 {
		t.Fatalf("CancelRegistration = %d, %v; want 1", p, err)
	}
	if r, err := s.GetRegistration(ctx, "fr", 1); err != nil || r.Status != flows.RegConfirmed || r.Mode != flows.ModeOnline {
		t.Fatalf("GetRegistration 1 = %+v, %v", r, err)
	}
	// Forgetting an online registrant frees their online seat.
	if _, err := s.ForgetUser(ctx, 4, t0); err != nil {
		t.Fatal(err)
	}
	if _, online, err := s.ModeCounts(ctx, "fr"); err != nil || online.Confirmed != 1 {
		t.Fatalf("online after forgetting = %+v, %v", online, err)
	}
	if regs, err := s.UserRegistrations(ctx, 4); err != nil || len(regs) != 0 {
		t.Fatalf("UserRegistrations of the forgotten = %v, %v", regs, err)
	}
}
