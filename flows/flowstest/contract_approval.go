package flowstest

import (
	"errors"
	"testing"
	"time"

	"sinergi/flows"
)

// The registrations contract, continued: approval. In a workshop that
// requires it a registration waits, pending and holding no seat, until it
// is approved (placed as any registration: confirmed, or waiting when full)
// or declined (gone), once. Redis (store/ws_register.lua, ws_decide.lua) is
// the reference.

func approving(w *flows.Workshop) { w.Approval = true }

// decide approves or declines uid's pending registration and checks the
// outcome: its status and waiting position, or the refusal.
func (c *regsCheck) decide(t *testing.T, code string, uid int64, approve bool, want error, wantStatus flows.RegStatus, wantPos int) {
	t.Helper()
	r, err := c.s.DecideRegistration(c.ctx, code, uid, approve)
	switch {
	case !sameErr(err, want):
	case err != nil:
		return
	case !approve && r == nil:
		return
	case approve && r != nil && r.Status == wantStatus && r.Position == wantPos && r.UserID == uid:
		return
	}
	t.Fatalf("DecideRegistration %d in %s (approve %v) = %+v, %v; want %s at %d, %v", uid, code, approve, r, err, wantStatus, wantPos, want)
}

var approvalCases = []regsCase{
	{"the team's notice of registrations awaiting approval is taken at most once per period, per workshop", func(t *testing.T, c *regsCheck) {
		n, ok := c.s.(flows.ApprovalNotices)
		if !ok {
			t.Fatalf("%T keeps no approval notices", c.s)
		}
		c.workshop(t, "w1", 0, approving)
		c.workshop(t, "w2", 0, approving)
		claim := func(code string, at time.Duration, want bool, wantNext time.Duration) {
			t.Helper()
			got, next, err := n.ClaimApprovalNotice(c.ctx, code, regClock.Add(at), time.Hour)
			if err != nil || got != want || (!want && !next.Equal(regClock.Add(wantNext))) || (want && !next.IsZero()) {
				t.Fatalf("ClaimApprovalNotice %s at +%v = %v, %v, %v; want %v, next +%v", code, at, got, next, err, want, wantNext)
			}
		}
		claim("w1", 0, true, 0)
		claim("w1", time.Minute, false, time.Hour)
		claim("w2", time.Minute, true, 0) // another workshop's is its own
		claim("w1", time.Hour-time.Millisecond, false, time.Hour)
		claim("w1", time.Hour, true, 0)
		claim("w1", time.Hour+30*time.Minute, false, 2*time.Hour)
	}},
	{"pending registrations hold no seat; approved they are placed, declined they are gone", func(t *testing.T, c *regsCheck) {
		c.workshop(t, "w1", 2, approving)
		for uid := int64(1); uid <= 4; uid++ {
			c.reg(t, "w1", uid, time.Duration(uid)*time.Minute, nil, flows.RegPending, 0)
		}
		c.reg(t, "w1", 2, 5*time.Minute, flows.ErrAlreadyRegistered, "", 0)
		c.counts(t, "w1", flows.Counts{Pending: 4})
		c.list(t, "w1", "1:pending:0", "2:pending:0", "3:pending:0", "4:pending:0")
		c.decide(t, "w1", 3, true, nil, flows.RegConfirmed, 0)
		c.decide(t, "w1", 1, false, nil, "", 0)
		c.get(t, "w1", 1, flows.ErrNotFound, "", 0)
		if _, _, err := c.s.CheckinToken(c.ctx, "w1-tok-b"); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("a declined registration's token: %v", err)
		}
		c.decide(t, "w1", 4, true, nil, flows.RegConfirmed, 0)
		c.decide(t, "w1", 2, true, nil, flows.RegWaiting, 1) // full: on the waiting list
		c.list(t, "w1", "3:confirmed:0", "4:confirmed:0", "2:waiting:1")
		c.counts(t, "w1", flows.Counts{Confirmed: 2, Waiting: 1})
	}},
	{"a registration is decided once", func(t *testing.T, c *regsCheck) {
		c.workshop(t, "w1", 0, approving)
		c.reg(t, "w1", 1, 0, nil, flows.RegPending, 0)
		c.reg(t, "w1", 2, time.Minute, nil, flows.RegPending, 0)
		c.decide(t, "w1", 1, true, nil, flows.RegConfirmed, 0)
		c.decide(t, "w1", 1, true, flows.ErrAlreadyDecided, "", 0)
		c.decide(t, "w1", 1, false, flows.ErrAlreadyDecided, "", 0)
		c.decide(t, "w1", 2, false, nil, "", 0)
		c.decide(t, "w1", 2, true, flows.ErrAlreadyDecided, "", 0)
		c.decide(t, "w1", 9, true, flows.ErrAlreadyDecided, "", 0)
		c.cancel(t, "w1", 1, 0, nil)
		c.decide(t, "w1", 1, true, flows.ErrAlreadyDecided, "", 0)
		c.counts(t, "w1", flows.Counts{})
	}},
	{"a pending registration can be cancelled; a cancelled workshop decides nothing", func(t *testing.T, c *regsCheck) {
		w := c.workshop(t, "w1", 1, approving)
		c.reg(t, "w1", 1, 0, nil, flows.RegPending, 0)
		c.reg(t, "w1", 2, time.Minute, nil, flows.RegPending, 0)
		c.cancel(t, "w1", 1, 0, nil)
		c.get(t, "w1", 1, flows.ErrNotFound, "", 0)
		w.Cancelled = true
		c.update(t, w)
		c.decide(t, "w1", 2, true, flows.ErrWorkshopCancelled, "", 0)
		c.list(t, "w1", "2:pending:0")
	}},
	{"approved into a workshop that offers: a held seat is taken, nobody jumps the waiting list", func(t *testing.T, c *regsCheck) {
		w := c.workshop(t, "w1", 1, offering(0))
		c.reg(t, "w1", 1, 0, nil, flows.RegConfirmed, 0)
		c.reg(t, "w1", 2, time.Minute, nil, flows.RegWaiting, 1)
		w.Approval = true
		c.update(t, w)
		c.reg(t, "w1", 3, 2*time.Minute, nil, flows.RegPending, 0)
		c.cancel(t, "w1", 1, 2, nil) // 2 is offered the seat
		c.decide(t, "w1", 3, true, nil, flows.RegWaiting, 1)
		c.list(t, "w1", "2:offered:0", "3:waiting:1")
	}},
}
