package store_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sinergi/flows"
)

func agendaSession(id string, from, to, capacity int) flows.AgendaSession {
	start := t0.Add(7 * 24 * time.Hour)
	return flows.AgendaSession{ID: id, Title: "Sesi " + id, Start: start.Add(time.Duration(from) * time.Minute),
		End: start.Add(time.Duration(to) * time.Minute), Capacity: capacity}
}

// TestSessionSignUpsUnderConcurrency: 200 confirmed people race for two
// overlapping parallel sessions of 20 seats each, every person for both at
// once, while the team adds and edits sessions (so the scripts meet an
// agenda changed since its ids were read). Then 30 holders of the first
// cancel their registration while the 140 people holding nothing race for
// it. A watcher reads the sign-ups all along: never more than 20 in a
// session, nobody in both, and every freed seat taken again.
func TestSessionSignUpsUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	create(t, s, workshop("agd", 0))
	const n, seats = 200, 20
	for uid := int64(1); uid <= n; uid++ {
		register(t, s, "agd", uid)
	}
	for _, ss := range []flows.AgendaSession{agendaSession("a", 0, 60, seats), agendaSession("b", 30, 90, seats)} {
		if _, err := s.SaveSession(ctx, "agd", ss, flows.MaxSessions); err != nil {
			t.Fatal(err)
		}
	}

	stop := make(chan struct{})
	var worst atomic.Int64
	var both atomic.Bool
	var watch sync.WaitGroup
	watch.Add(1)
	go func() {
		defer watch.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			got, err := s.SignUps(ctx, "agd")
			if err != nil {
				t.Errorf("SignUps: %v", err)
				return
			}
			for _, id := range []string{"a", "b"} {
				if k := int64(len(got[id])); k > worst.Load() {
					worst.Store(k)
				}
			}
			inA := map[int64]bool{}
			for _, u := range got["a"] {
				inA[u] = true
			}
			for _, u := range got["b"] {
				if inA[u] {
					both.Store(true)
				}
			}
		}
	}()

	var wg sync.WaitGroup
	var okA, okB, full, overlap atomic.Int64
	try := func(id string, uid int64) {
		defer wg.Done()
		err := s.SignUp(ctx, "agd", id, uid)
		var ov *flows.SessionOverlapError
		switch {
		case err == nil && id == "a":
			okA.Add(1)
		case err == nil:
			okB.Add(1)
		case errors.Is(err, flows.ErrSessionFull):
			full.Add(1)
		case errors.As(err, &ov):
			overlap.Add(1)
		default:
			t.Errorf("SignUp %d for %s: %v", uid, id, err)
		}
	}
	for uid := int64(1); uid <= n; uid++ {
		wg.Add(2)
		go try("a", uid)
		go try("b", uid)
	}
	wg.Add(1)
	go func() { // the team edits the agenda meanwhile
		defer wg.Done()
		for i := range 10 {
			if _, err := s.SaveSession(ctx, "agd", agendaSession("x"+strconv.Itoa(i), 100, 110, 0), flows.MaxSessions); err != nil {
				t.Errorf("add session: %v", err)
			}
			if _, err := s.SaveSession(ctx, "agd", agendaSession("b", 30, 90, seats), flows.MaxSessions); err != nil {
				t.Errorf("edit session b: %v", err)
			}
		}
	}()
	wg.Wait()
	if okA.Load() != seats || okB.Load() != seats || full.Load()+overlap.Load() != 2*n-2*seats {
		t.Fatalf("a: %d, b: %d signed up (want %d each); full %d, overlap %d", okA.Load(), okB.Load(), seats, full.Load(), overlap.Load())
	}

	got, err := s.SignUps(ctx, "agd")
	if err != nil {
		t.Fatal(err)
	}
	holders := map[int64]bool{}
	for _, u := range append(got["a"], got["b"]...) {
		holders[u] = true
	}
	// Every holder of a and 10 holders of b cancel: 30 registrations end.
	cancels := append(append([]int64(nil), got["a"]...), got["b"][:10]...)
	var contenders []int64
	for uid := int64(1); uid <= n; uid++ {
		if !holders[uid] {
			contenders = append(contenders, uid)
		}
	}
	var taken atomic.Int64
	for _, uid := range cancels {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.CancelRegistration(ctx, "agd", uid, t0); err != nil {
				t.Errorf("cancel %d: %v", uid, err)
			}
		}()
	}
	for _, uid := range contenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 { // a contender refused before the cancellations ends tries again
				err := s.SignUp(ctx, "agd", "a", uid)
				if err == nil {
					taken.Add(1)
					return
				}
				if !errors.Is(err, flows.ErrSessionFull) {
					t.Errorf("SignUp %d: %v", uid, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	// Whoever still wants a seat after the race gets one of those left.
	for _, uid := range contenders {
		if err := s.SignUp(ctx, "agd", "a", uid); err == nil {
			taken.Add(1)
		}
	}
	close(stop)
	watch.Wait()
	if worst.Load() > seats || both.Load() {
		t.Fatalf("the watcher saw %d in a session (capacity %d), someone in both: %v", worst.Load(), seats, both.Load())
	}
	got, err = s.SignUps(ctx, "agd")
	if err != nil {
		t.Fatal(err)
	}
	if len(got["a"]) != seats || taken.Load() != seats || len(got["b"]) != seats-10 {
		t.Fatalf("after the cancellations: a %d (taken %d), b %d; want a %d, b %d", len(got["a"]), taken.Load(), len(got["b"]), seats, seats-10)
	}
	for _, uid := range cancels {
		if ids, err := s.ChosenSessions(ctx, "agd", uid); err != nil || len(ids) != 0 {
			t.Fatalf("sessions of %d after cancelling: %v, %v", uid, ids, err)
		}
	}
}

// TestForgetUserLeavesNoSessionTrace: forgetting a person removes their
// entry and their seats from the agenda's keys, not only from what is read.
func TestForgetUserLeavesNoSessionTrace(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	create(t, s, workshop("fg", 0))
	register(t, s, "fg", 7)
	register(t, s, "fg", 8)
	if _, err := s.SaveSession(ctx, "fg", agendaSession("a", 0, 60, 5), 10); err != nil {
		t.Fatal(err)
	}
	for _, uid := range []int64{7, 8} {
		if err := s.SignUp(ctx, "fg", "a", uid); err != nil {
			t.Fatal(err)
		}
	}
	// A cancellation leaves a stale seat behind; forgetting removes it too.
	if _, err := s.CancelRegistration(ctx, "fg", 7, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ForgetUser(ctx, 7, t0); err != nil {
		t.Fatal(err)
	}
	if ok, err := r.Client.HExists(ctx, r.Prefix+"{w:fg}:chosen", "7").Result(); err != nil || ok {
		t.Fatalf("chosen entry of the forgotten: %v, %v", ok, err)
	}
	if _, err := r.Client.ZScore(ctx, r.Prefix+"{w:fg}:seats:a", "7").Result(); err == nil {
		t.Fatal("the forgotten still holds a seat")
	}
	if ids, err := s.ChosenSessions(ctx, "fg", 8); err != nil || len(ids) != 1 {
		t.Fatalf("the other's sessions: %v, %v", ids, err)
	}
}

// TestSwitchModeLapsesSignUps: in a hybrid workshop an online participant
// holds a session seat (the agenda scripts read :on:confirmed); switching
// to on site gives the registration a new number, so the sign-up lapses
// and the seat is free again — as the in-memory fake does.
func TestSwitchModeLapsesSignUps(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	create(t, s, hybridWorkshop("hysw", 5, 5))
	r := reg("hysw", 7)
	r.Mode = flows.ModeOnline
	if got, err := s.Register(ctx, r, t0); err != nil || got.Status != flows.RegConfirmed {
		t.Fatalf("register online: %+v, %v", got, err)
	}
	if _, err := s.SaveSession(ctx, "hysw", agendaSession("a", 0, 60, 1), flows.MaxSessions); err != nil {
		t.Fatal(err)
	}
	if err := s.SignUp(ctx, "hysw", "a", 7); err != nil {
		t.Fatalf("an online participant signs up: %v", err)
	}
	if mine, err := s.ChosenSessions(ctx, "hysw", 7); err != nil || len(mine) != 1 {
		t.Fatalf("chosen %v, %v", mine, err)
	}
	if _, _, err := s.SwitchMode(ctx, "hysw", 7, flows.ModeOnsite, false, t0); err != nil {
		t.Fatal(err)
	}
	if mine, err := s.ChosenSessions(ctx, "hysw", 7); err != nil || len(mine) != 0 {
		t.Fatalf("after the switch: chosen %v, %v; want none", mine, err)
	}
	if su, err := s.SignUps(ctx, "hysw"); err != nil || len(su["a"]) != 0 {
		t.Fatalf("after the switch: sign-ups %v, %v; want none", su, err)
	}
	if err := s.SignUp(ctx, "hysw", "a", 7); err != nil {
		t.Fatalf("choosing again on site: %v", err)
	}
}
