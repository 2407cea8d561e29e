package flowstest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
)

// The hybrid contract: a hybrid workshop's on-site and online modes each
// have their capacity and waiting list; a person is on one of them only; a
// seat freed in a mode goes to that mode's waiting list (confirmed, or
// offered); switching mode keeps one place. Redis (store/hybrid.go,
// hy_*.lua) is the reference.

// HybridWorkshops is what the hybrid contract holds a store to.
type HybridWorkshops interface {
	flows.Workshops
	flows.HybridSeats
	ForgetUser(ctx context.Context, uid int64, now time.Time) ([]flows.Promotion, error)
	SetAttendance(ctx context.Context, code string, uid int64, status string, now time.Time) error
}

type hybridCheck struct {
	regsCheck
	h HybridWorkshops
}

// hybrid makes a workshop hybrid with online seats (0: unlimited).
func hybrid(online int) func(*flows.Workshop) {
	return func(w *flows.Workshop) {
		w.Format, w.OnlineCapacity, w.Venue, w.OnlineURL = flows.FormatHybrid, online, "Aula", "https://meet.example/x"
	}
}

// regMode registers uid in mode at regClock+at; as regsCheck.reg.
func (c *hybridCheck) regMode(t *testing.T, code string, uid int64, mode string, at time.Duration, want error, wantStatus flows.RegStatus, wantPos int) {
	t.Helper()
	r, err := c.s.Register(c.ctx, &flows.Registration{Workshop: code, UserID: uid, RegisteredAt: regClock.Add(at), Mode: mode,
		Token: fmt.Sprintf("%s-tok-%d", code, uid), Lang: "id"}, regClock.Add(at))
	if !sameErr(err, want) {
		t.Fatalf("Register %d in %s (%s) at +%v: %v, want %v", uid, code, mode, at, err, want)
	}
	wantMode := ""
	if mode == flows.ModeOnline {
		wantMode = flows.ModeOnline
	}
	if err == nil && (r.Status != wantStatus || r.Position != wantPos || r.Mode != wantMode) {
		t.Fatalf("Register %d in %s (%s) = %+v, want %s at %d", uid, code, mode, r, wantStatus, wantPos)
	}
}

// modeList checks the registrations as "uid:mode:status:position" (mode
// "-" on site).
func (c *hybridCheck) modeList(t *testing.T, code string, want ...string) {
	t.Helper()
	regs, err := c.s.Registrations(c.ctx, code)
	if err != nil {
		t.Fatalf("Registrations %s: %v", code, err)
	}
	var got []string
	for _, r := range regs {
		got = append(got, modeString(r))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Registrations %s = %v, want %v", code, got, want)
	}
}

func modeString(r *flows.Registration) string {
	mode := r.Mode
	if mode == "" {
		mode = "-"
	}
	return fmt.Sprintf("%d:%s:%s:%d", r.UserID, mode, r.Status, r.Position)
}

// switchTo switches uid to mode at regClock+at and checks the result
// ("mode:status:position"), whom it promoted and the refusal.
func (c *hybridCheck) switchTo(t *testing.T, code string, uid int64, mode string, giveUp bool, at time.Duration, want error, wantReg string, wantPromoted ...int64) {
	t.Helper()
	r, p, err := c.h.SwitchMode(c.ctx, code, uid, mode, giveUp, regClock.Add(at))
	if !sameErr(err, want) || !slices.Equal(p, wantPromoted) {
		t.Fatalf("SwitchMode %d in %s to %s = %v, %v; want promoted %v, %v", uid, code, mode, p, err, wantPromoted, want)
	}
	if err == nil && modeString(r) != wantReg {
		t.Fatalf("SwitchMode %d in %s to %s = %s, want %s", uid, code, mode, modeString(r), wantReg)
	}
}

func (c *hybridCheck) modeCounts(t *testing.T, code string, onsite, online flows.Counts) {
	t.Helper()
	a, b, err := c.h.ModeCounts(c.ctx, code)
	if err != nil || a != onsite || b != online {
		t.Fatalf("ModeCounts %s = %+v, %+v, %v; want %+v, %+v", code, a, b, err, onsite, online)
	}
}

var hybridCases = []struct {
	name string
	run  func(t *testing.T, c *hybridCheck)
}{
	{"each mode has its capacity and its waiting list; one place per person", func(t *testing.T, c *hybridCheck) {
		c.workshop(t, "w1", 2, hybrid(1))
		c.regMode(t, "w1", 1, flows.ModeOnsite, 0, nil, flows.RegConfirmed, 0)
		c.regMode(t, "w1", 2, flows.ModeOnline, time.Minute, nil, flows.RegConfirmed, 0)
		c.regMode(t, "w1", 3, flows.ModeOnline, 2*time.Minute, nil, flows.RegWaiting, 1)
		c.regMode(t, "w1", 4, flows.ModeOnsite, 3*time.Minute, nil, flows.RegConfirmed, 0)
		c.regMode(t, "w1", 5, flows.ModeOnsite, 4*time.Minute, nil, flows.RegWaiting, 1)
		c.regMode(t, "w1", 6, flows.ModeOnline, 5*time.Minute, nil, flows.RegWaiting, 2)
		c.regMode(t, "w1", 2, flows.ModeOnsite, 6*time.Minute, flows.ErrAlreadyRegistered, "", 0)
		c.regMode(t, "w1", 5, flows.ModeOnline, 6*time.Minute, flows.ErrAlreadyRegistered, "", 0)
		c.reg(t, "w1", 3, 6*time.Minute, flows.ErrAlreadyRegistered, "", 0)
		c.modeList(t, "w1", "1:-:confirmed:0", "4:-:confirmed:0", "5:-:waiting:1",
			"2:online:confirmed:0", "3:online:waiting:1", "6:online:waiting:2")
		c.modeCounts(t, "w1", flows.Counts{Confirmed: 2, Waiting: 1}, flows.Counts{Confirmed: 1, Waiting: 2})
		c.counts(t, "w1", flows.Counts{Confirmed: 3, Waiting: 3})
		if r := c.get(t, "w1", 6, nil, flows.RegWaiting, 2); r.Mode != flows.ModeOnline {
			t.Fatalf("GetRegistration 6: mode %q, want online", r.Mode)
		}
		if r := c.get(t, "w1", 5, nil, flows.RegWaiting, 1); r.Mode != "" {
			t.Fatalf("GetRegistration 5: mode %q, want on site", r.Mode)
		}
	}},
	{"a seat freed in a mode goes to that mode's waiting list", func(t *testing.T, c *hybridCheck) {
		w := c.workshop(t, "w1", 1, hybrid(1))
		c.regMode(t, "w1", 1, flows.ModeOnsite, 0, nil, flows.RegConfirmed, 0)
		c.regMode(t, "w1", 2, flows.ModeOnline, time.Minute, nil, flows.RegConfirmed, 0)
		c.regMode(t, "w1", 3, flows.ModeOnsite, 2*time.Minute, nil, flows.RegWaiting, 1)
		c.regMode(t, "w1", 4, flows.ModeOnline, 3*time.Minute, nil, flows.RegWaiting, 1)
		c.regMode(t, "w1", 5, flows.ModeOnline, 4*time.Minute, nil, flows.RegWaiting, 2)
		c.cancel(t, "w1", 2, 4, nil)
		c.cancel(t, "w1", 1, 3, nil)
		c.modeList(t, "w1", "3:-:confirmed:0", "4:online:confirmed:0", "5:online:waiting:1")
		w.OnlineCapacity = 2 // more online seats promote the online list only
		c.update(t, w, 5)
		c.modeList(t, "w1", "3:-:confirmed:0", "4:online:confirmed:0", "5:online:confirmed:0")
	}},
	{"switching moves to a free seat and frees the one left; full, it keeps the seat unless given up", func(t *testing.T, c *hybridCheck) {
		c.workshop(t, "w1", 2, hybrid(2))
		c.regMode(t, "w1", 1, flows.ModeOnsite, 0, nil, flows.RegConfirmed, 0)
		c.regMode(t, "w1", 2, flows.ModeOnsite, time.Minute, nil, flows.RegConfirmed, 0)
		c.regMode(t, "w1", 3, flows.ModeOnsite, 2*time.Minute, nil, flows.RegWaiting, 1)
		c.regMode(t, "w1", 4, flows.ModeOnline, 3*time.Minute, nil, flows.RegConfirmed, 0)
		c.switchTo(t, "w1", 1, flows.ModeOnline, false, time.Hour, nil, "1:online:confirmed:0", 3)
		c.switchTo(t, "w1", 2, flows.ModeOnline, false, time.Hour, flows.ErrModeFull, "")
		c.modeList(t, "w1", "2:-:confirmed:0", "3:-:confirmed:0", "4:online:confirmed:0", "1:online:confirmed:0")
		c.switchTo(t, "w1", 2, flows.ModeOnline, true, time.Hour, nil, "2:online:waiting:1")
		c.modeList(t, "w1", "3:-:confirmed:0", "4:online:confirmed:0", "1:online:confirmed:0", "2:online:waiting:1")
		c.switchTo(t, "w1", 1, flows.ModeOnline, false, time.Hour, flows.ErrSameMode, "")
		c.switchTo(t, "w1", 2, flows.ModeOnline, true, time.Hour, flows.ErrSameMode, "")
		// Waiting online, a free seat on site confirms them there.
		c.switchTo(t, "w1", 2, flows.ModeOnsite, false, time.Hour, nil, "2:-:confirmed:0")
		c.switchTo(t, "w1", 9, flows.ModeOnsite, false, time.Hour, flows.ErrNotFound, "")
		c.modeCounts(t, "w1", flows.Counts{Confirmed: 2}, flows.Counts{Confirmed: 2})
		c.switchTo(t, "w1", 4, flows.ModeOnsite, true, 7*24*time.Hour, flows.ErrSwitchStarted, "")
		c.workshop(t, "w2", 2)
		c.reg(t, "w2", 1, 0, nil, flows.RegConfirmed, 0)
		c.switchTo(t, "w2", 1, flows.ModeOnline, false, time.Hour, flows.ErrNotFound, "") // not hybrid
		c.regMode(t, "w2", 2, flows.ModeOnline, 0, flows.ErrNotFound, "", 0)
	}},
	{"offers: a seat freed online is offered to the online list; an offered person switches after answering", func(t *testing.T, c *hybridCheck) {
		c.workshop(t, "w1", 1, hybrid(1), offering(0))
		c.regMode(t, "w1", 1, flows.ModeOnline, 0, nil, flows.RegConfirmed, 0)
		c.regMode(t, "w1", 2, flows.ModeOnsite, time.Minute, nil, flows.RegConfirmed, 0)
		c.regMode(t, "w1", 3, flows.ModeOnsite, 2*time.Minute, nil, flows.RegWaiting, 1)
		c.regMode(t, "w1", 4, flows.ModeOnline, 3*time.Minute, nil, flows.RegWaiting, 1)
		c.regMode(t, "w1", 5, flows.ModeOnline, 4*time.Minute, nil, flows.RegWaiting, 2)
		c.cancel(t, "w1", 1, 4, nil)
		c.offeredUntil(t, "w1", 4, regClock.Add(flows.DefaultOfferFor))
		c.switchTo(t, "w1", 4, flows.ModeOnsite, true, time.Hour, flows.ErrSwitchOffered, "")
		c.offer(t, "decline", "w1", 4, regClock.Add(time.Hour), nil, 5)
		c.offer(t, "accept", "w1", 5, regClock.Add(2*time.Hour), nil)
		c.modeList(t, "w1", "2:-:confirmed:0", "3:-:waiting:1", "5:online:confirmed:0")
		// Switching a confirmed on-site seat away offers it to the on-site list.
		c.switchTo(t, "w1", 2, flows.ModeOnline, true, 3*time.Hour, nil, "2:online:waiting:1", 3)
		c.modeList(t, "w1", "3:-:offered:0", "5:online:confirmed:0", "2:online:waiting:1")
	}},
	{"approval: pending in a mode, approved into that mode's list; a pending person switches and stays pending", func(t *testing.T, c *hybridCheck) {
		c.workshop(t, "w1", 1, hybrid(1), approving)
		c.regMode(t, "w1", 1, flows.ModeOnline, 0, nil, flows.RegPending, 0)
		c.regMode(t, "w1", 2, flows.ModeOnline, time.Minute, nil, flows.RegPending, 0)
		c.regMode(t, "w1", 3, flows.ModeOnsite, 2*time.Minute, nil, flows.RegPending, 0)
		c.decide(t, "w1", 1, true, nil, flows.RegConfirmed, 0)
		c.decide(t, "w1", 2, true, nil, flows.RegWaiting, 1)
		c.switchTo(t, "w1", 3, flows.ModeOnline, false, time.Hour, nil, "3:online:pending:0")
		c.decide(t, "w1", 3, true, nil, flows.RegWaiting, 2)
		c.modeList(t, "w1", "1:online:confirmed:0", "2:online:waiting:1", "3:online:waiting:2")
		c.decide(t, "w1", 3, true, flows.ErrAlreadyDecided, "", 0)
	}},
	{"forgetting someone frees their seat in their mode, for that mode's waiting list", func(t *testing.T, c *hybridCheck) {
		c.workshop(t, "w1", 1, hybrid(1))
		c.regMode(t, "w1", 1, flows.ModeOnline, 0, nil, flows.RegConfirmed, 0)
		c.regMode(t, "w1", 2, flows.ModeOnsite, time.Minute, nil, flows.RegConfirmed, 0)
		c.regMode(t, "w1", 3, flows.ModeOnsite, 2*time.Minute, nil, flows.RegWaiting, 1)
		c.regMode(t, "w1", 4, flows.ModeOnline, 3*time.Minute, nil, flows.RegWaiting, 1)
		p, err := c.h.ForgetUser(c.ctx, 1, regClock.Add(time.Hour))
		if err != nil || !slices.Equal(p, []flows.Promotion{{Workshop: "w1", UserID: 4}}) {
			t.Fatalf("ForgetUser(1) = %v, %v; want 4 promoted in w1", p, err)
		}
		c.modeList(t, "w1", "2:-:confirmed:0", "3:-:waiting:1", "4:online:confirmed:0")
		c.regMode(t, "w1", 1, flows.ModeOnsite, time.Hour, nil, flows.RegWaiting, 2) // gone: may register anew
	}},
	{"the team corrects the attendance of the confirmed of either mode only", func(t *testing.T, c *hybridCheck) {
		c.workshop(t, "w1", 1, hybrid(1))
		c.regMode(t, "w1", 1, flows.ModeOnsite, 0, nil, flows.RegConfirmed, 0)
		c.regMode(t, "w1", 2, flows.ModeOnline, time.Minute, nil, flows.RegConfirmed, 0)
		c.regMode(t, "w1", 3, flows.ModeOnline, 2*time.Minute, nil, flows.RegWaiting, 1)
		at := regClock.Add(time.Hour)
		for _, uid := range []int64{1, 2} {
			for _, st := range []string{flows.AttPresent, flows.AttAbsent, flows.AttNoShow} {
				if err := c.h.SetAttendance(c.ctx, "w1", uid, st, at); err != nil {
					t.Fatalf("SetAttendance(%d, %s) = %v, want nil", uid, st, err)
				}
			}
		}
		if err := c.h.SetAttendance(c.ctx, "w1", 3, flows.AttPresent, at); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("SetAttendance of someone waiting online = %v, want ErrNotFound", err)
		}
	}},
}

// RunHybridContract runs the hybrid contract against stores open makes, a
// fresh one per case.
func RunHybridContract(t *testing.T, open func(t *testing.T) HybridWorkshops) {
	for _, tc := range hybridCases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			tc.run(t, &hybridCheck{regsCheck: regsCheck{ctx: context.Background(), s: s}, h: s})
		})
	}
}
