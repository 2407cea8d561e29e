package flowstest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
)

// The registrations contract: capacity is never exceeded, the waiting list
// is first come, first served, a freed seat goes to its head, and a
// workshop refuses what it must (closed, past its deadline, cancelled, a
// second registration); check-in counts once. Redis (store/ws_*.lua) is the
// reference the in-memory Store is held to.

// regClock is the cases' time: whole seconds, which both stores keep.
var regClock = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

type regsCase struct {
	name string
	run  func(t *testing.T, c *regsCheck)
}

type regsCheck struct {
	ctx context.Context
	s   flows.Workshops
}

// workshop creates workshop code with capacity seats (0: unlimited),
// starting a week after regClock, registration open until a day before.
func (c *regsCheck) workshop(t *testing.T, code string, capacity int, edit ...func(*flows.Workshop)) *flows.Workshop {
	t.Helper()
	w := &flows.Workshop{Code: code, Title: "Workshop " + code, Zone: "Asia/Jakarta", Capacity: capacity,
		Start: regClock.Add(7 * 24 * time.Hour), End: regClock.Add(7*24*time.Hour + 2*time.Hour),
		Deadline: regClock.Add(6 * 24 * time.Hour), Facilitators: []int64{100}, CreatedBy: 100, Created: regClock}
	for _, f := range edit {
		f(w)
	}
	if err := c.s.CreateWorkshop(c.ctx, w); err != nil {
		t.Fatalf("CreateWorkshop %s: %v", code, err)
	}
	return w
}

// reg registers uid in code at regClock+at and checks the refusal (nil:
// accepted) and, when accepted, the status and waiting position (0 when
// confirmed).
func (c *regsCheck) reg(t *testing.T, code string, uid int64, at time.Duration, want error, wantStatus flows.RegStatus, wantPos int) {
	t.Helper()
	r, err := c.s.Register(c.ctx, &flows.Registration{Workshop: code, UserID: uid, RegisteredAt: regClock.Add(at),
		Token: code + "-tok-" + string(rune('a'+uid)), Lang: "id"}, regClock.Add(at))
	if !sameErr(err, want) {
		t.Fatalf("Register %d in %s at +%v: %v, want %v", uid, code, at, err, want)
	}
	if err == nil && (r.Status != wantStatus || r.Position != wantPos || r.UserID != uid || r.Workshop != code) {
		t.Fatalf("Register %d in %s = %+v, want %s at position %d", uid, code, r, wantStatus, wantPos)
	}
}

// cancel cancels uid's registration in code at regClock and checks whom
// it promoted (0: nobody) or the refusal.
func (c *regsCheck) cancel(t *testing.T, code string, uid int64, wantPromoted int64, want error) {
	t.Helper()
	c.cancelAt(t, regClock, code, uid, wantPromoted, want)
}

// cancelAt is cancel at now.
func (c *regsCheck) cancelAt(t *testing.T, now time.Time, code string, uid int64, wantPromoted int64, want error) {
	t.Helper()
	p, err := c.s.CancelRegistration(c.ctx, code, uid, now)
	if !sameErr(err, want) || (err == nil && p != wantPromoted) {
		t.Fatalf("CancelRegistration %d in %s = %d, %v; want %d, %v", uid, code, p, err, wantPromoted, want)
	}
}

// update saves w and checks whom it promoted, in order.
func (c *regsCheck) update(t *testing.T, w *flows.Workshop, want ...int64) {
	t.Helper()
	p, err := c.s.UpdateWorkshop(c.ctx, w)
	if err != nil || !slices.Equal(p, want) {
		t.Fatalf("UpdateWorkshop %s = %v, %v; want promoted %v", w.Code, p, err, want)
	}
}

// list checks the workshop's registrations: confirmed in order, then the
// waiting in order (as "uid:status:position").
func (c *regsCheck) list(t *testing.T, code string, want ...string) {
	t.Helper()
	regs, err := c.s.Registrations(c.ctx, code)
	if err != nil {
		t.Fatalf("Registrations %s: %v", code, err)
	}
	var got []string
	for _, r := range regs {
		got = append(got, regString(r))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Registrations %s = %v, want %v", code, got, want)
	}
}

func regString(r *flows.Registration) string {
	return string(rune('0'+r.UserID)) + ":" + string(r.Status) + ":" + string(rune('0'+r.Position))
}

func (c *regsCheck) counts(t *testing.T, code string, want flows.Counts) {
	t.Helper()
	if n, err := c.s.Counts(c.ctx, code); err != nil || n != want {
		t.Fatalf("Counts %s = %+v, %v; want %+v", code, n, err, want)
	}
}

// get checks uid's registration in code: its status and position, or the
// refusal.
func (c *regsCheck) get(t *testing.T, code string, uid int64, want error, wantStatus flows.RegStatus, wantPos int) *flows.Registration {
	t.Helper()
	r, err := c.s.GetRegistration(c.ctx, code, uid)
	if !sameErr(err, want) || (err == nil && (r.Status != wantStatus || r.Position != wantPos)) {
		t.Fatalf("GetRegistration %d in %s = %+v, %v; want %s at %d, %v", uid, code, r, err, wantStatus, wantPos, want)
	}
	return r
}

var regsCases = []regsCase{
	{"capacity is never exceeded, the rest wait first come first served", func(t *testing.T, c *regsCheck) {
		c.workshop(t, "w1", 2)
		c.reg(t, "w1", 1, 0, nil, flows.RegConfirmed, 0)
		c.reg(t, "w1", 2, time.Minute, nil, flows.RegConfirmed, 0)
		c.reg(t, "w1", 3, 2*time.Minute, nil, flows.RegWaiting, 1)
		c.reg(t, "w1", 4, 3*time.Minute, nil, flows.RegWaiting, 2)
		c.list(t, "w1", "1:confirmed:0", "2:confirmed:0", "3:waiting:1", "4:waiting:2")
		c.counts(t, "w1", flows.Counts{Confirmed: 2, Waiting: 2})
		c.get(t, "w1", 4, nil, flows.RegWaiting, 2)
	}},
	{"unlimited capacity confirms everyone", func(t *testing.T, c *regsCheck) {
		c.workshop(t, "w1", 0)
		for uid := int64(1); uid <= 5; uid++ {
			c.reg(t, "w1", uid, time.Duration(uid)*time.Minute, nil, flows.RegConfirmed, 0)
		}
		c.counts(t, "w1", flows.Counts{Confirmed: 5})
	}},
	{"a freed seat goes to the head of the waiting list", func(t *testing.T, c *regsCheck) {
		c.workshop(t, "w1", 1)
		c.reg(t, "w1", 1, 0, nil, flows.RegConfirmed, 0)
		c.reg(t, "w1", 2, time.Minute, nil, flows.RegWaiting, 1)
		c.reg(t, "w1", 3, 2*time.Minute, nil, flows.RegWaiting, 2)
		c.cancel(t, "w1", 1, 2, nil)
		c.get(t, "w1", 2, nil, flows.RegConfirmed, 0)
		c.get(t, "w1", 3, nil, flows.RegWaiting, 1)
		c.get(t, "w1", 1, flows.ErrNotFound, "", 0)
		c.cancel(t, "w1", 3, 0, nil) // a waiting place frees no seat
		c.cancel(t, "w1", 3, 0, flows.ErrNotFound)
		c.list(t, "w1", "2:confirmed:0")
		c.counts(t, "w1", flows.Counts{Confirmed: 1})
	}},
	{"more seats promote the waiting in order, fewer demote nobody", func(t *testing.T, c *regsCheck) {
		w := c.workshop(t, "w1", 1)
		for uid := int64(1); uid <= 4; uid++ {
			c.reg(t, "w1", uid, time.Duration(uid)*time.Minute, nil, map[bool]flows.RegStatus{true: flows.RegConfirmed, false: flows.RegWaiting}[uid == 1], int(max(uid-1, 0)))
		}
		w.Capacity = 3
		c.update(t, w, 2, 3)
		c.list(t, "w1", "1:confirmed:0", "2:confirmed:0", "3:confirmed:0", "4:waiting:1")
		w.Capacity = 1
		c.update(t, w)
		c.counts(t, "w1", flows.Counts{Confirmed: 3, Waiting: 1})
		c.cancel(t, "w1", 1, 0, nil) // still over capacity: the seat is not free
		c.get(t, "w1", 4, nil, flows.RegWaiting, 1)
	}},
	{"a second registration is refused and changes nothing", func(t *testing.T, c *regsCheck) {
		c.workshop(t, "w1", 1)
		c.reg(t, "w1", 1, 0, nil, flows.RegConfirmed, 0)
		c.reg(t, "w1", 2, time.Minute, nil, flows.RegWaiting, 1)
		c.reg(t, "w1", 1, 2*time.Minute, flows.ErrAlreadyRegistered, "", 0)
		c.reg(t, "w1", 2, 2*time.Minute, flows.ErrAlreadyRegistered, "", 0)
		c.counts(t, "w1", flows.Counts{Confirmed: 1, Waiting: 1})
	}},
	{"closed, past the deadline, cancelled or unknown workshops refuse", func(t *testing.T, c *regsCheck) {
		c.workshop(t, "shut", 0, func(w *flows.Workshop) { w.Closed = true })
		c.reg(t, "shut", 1, 0, flows.ErrRegistrationShut, "", 0)
		c.workshop(t, "late", 0)
		c.reg(t, "late", 1, 6*24*time.Hour, flows.ErrRegistrationShut, "", 0) // at the deadline
		c.reg(t, "late", 2, 6*24*time.Hour-time.Second, nil, flows.RegConfirmed, 0)
		c.workshop(t, "gone", 0, func(w *flows.Workshop) { w.Cancelled = true })
		c.reg(t, "gone", 1, 0, flows.ErrWorkshopCancelled, "", 0)
		c.reg(t, "nope", 1, 0, flows.ErrNotFound, "", 0)
		c.workshop(t, "open", 0, func(w *flows.Workshop) { w.Deadline = time.Time{} }) // no deadline
		c.reg(t, "open", 1, 30*24*time.Hour, nil, flows.RegConfirmed, 0)
		c.counts(t, "shut", flows.Counts{})
		c.counts(t, "late", flows.Counts{Confirmed: 1})
	}},
	{"closing by hand keeps who registered, reopening lets more in", func(t *testing.T, c *regsCheck) {
		w := c.workshop(t, "w1", 0)
		c.reg(t, "w1", 1, 0, nil, flows.RegConfirmed, 0)
		w.Closed = true
		c.update(t, w)
		c.reg(t, "w1", 2, time.Minute, flows.ErrRegistrationShut, "", 0)
		c.get(t, "w1", 1, nil, flows.RegConfirmed, 0)
		w.Closed = false
		c.update(t, w)
		c.reg(t, "w1", 2, 2*time.Minute, nil, flows.RegConfirmed, 0)
	}},
	{"a cancelled workshop promotes nobody", func(t *testing.T, c *regsCheck) {
		w := c.workshop(t, "w1", 1)
		c.reg(t, "w1", 1, 0, nil, flows.RegConfirmed, 0)
		c.reg(t, "w1", 2, time.Minute, nil, flows.RegWaiting, 1)
		c.reg(t, "w1", 3, 2*time.Minute, nil, flows.RegWaiting, 2)
		w.Cancelled, w.Capacity = true, 2
		c.update(t, w)
		c.cancel(t, "w1", 1, 0, nil)
		c.list(t, "w1", "2:waiting:1", "3:waiting:2")
		w.Cancelled = false
		c.update(t, w, 2, 3)
	}},
	{"check-in: confirmed only, once, the first time kept", func(t *testing.T, c *regsCheck) {
		c.workshop(t, "w1", 1)
		c.reg(t, "w1", 1, 0, nil, flows.RegConfirmed, 0)
		c.reg(t, "w1", 2, time.Minute, nil, flows.RegWaiting, 1)
		at := regClock.Add(7 * 24 * time.Hour)
		for _, step := range []struct {
			uid   int64
			at    time.Time
			first bool
			err   error
		}{{2, at, false, flows.ErrNotFound}, {3, at, false, flows.ErrNotFound},
			{1, at, true, nil}, {1, at.Add(time.Minute), false, nil}} {
			first, err := c.s.CheckIn(c.ctx, "w1", step.uid, step.at)
			if !sameErr(err, step.err) || first != step.first {
				t.Fatalf("CheckIn %d = %v, %v; want %v, %v", step.uid, first, err, step.first, step.err)
			}
		}
		if r := c.get(t, "w1", 1, nil, flows.RegConfirmed, 0); !r.CheckedInAt.Equal(at) {
			t.Fatalf("checked in at %v, want the first time %v", r.CheckedInAt, at)
		}
		c.counts(t, "w1", flows.Counts{Confirmed: 1, Waiting: 1, CheckedIn: 1})
		c.cancel(t, "w1", 1, 2, nil) // the check-in goes with the registration
		c.counts(t, "w1", flows.Counts{Confirmed: 1})
		if r := c.get(t, "w1", 2, nil, flows.RegConfirmed, 0); !r.CheckedInAt.IsZero() {
			t.Fatalf("promoted registrant checked in at %v", r.CheckedInAt)
		}
	}},
	{"a check-in token resolves while its registration lasts", func(t *testing.T, c *regsCheck) {
		c.workshop(t, "w1", 0)
		c.reg(t, "w1", 1, 0, nil, flows.RegConfirmed, 0)
		code, uid, err := c.s.CheckinToken(c.ctx, "w1-tok-b")
		if err != nil || code != "w1" || uid != 1 {
			t.Fatalf("CheckinToken = %q, %d, %v; want w1, 1", code, uid, err)
		}
		for _, tok := range []string{"nope", "w1-tok-c"} {
			if _, _, err := c.s.CheckinToken(c.ctx, tok); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("CheckinToken %s: %v, want not found", tok, err)
			}
		}
		c.cancel(t, "w1", 1, 0, nil)
		if _, _, err := c.s.CheckinToken(c.ctx, "w1-tok-b"); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("CheckinToken after cancelling: %v, want not found", err)
		}
	}},
	{"a user's registrations across workshops, by registration time", func(t *testing.T, c *regsCheck) {
		c.workshop(t, "a1", 0)
		c.workshop(t, "b2", 1)
		c.workshop(t, "c3", 0)
		c.reg(t, "b2", 2, 0, nil, flows.RegConfirmed, 0)
		c.reg(t, "c3", 1, time.Minute, nil, flows.RegConfirmed, 0)
		c.reg(t, "b2", 1, 2*time.Minute, nil, flows.RegWaiting, 1)
		c.reg(t, "a1", 1, 3*time.Minute, nil, flows.RegConfirmed, 0)
		mine := func(want ...string) {
			t.Helper()
			regs, err := c.s.UserRegistrations(c.ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range regs {
				got = append(got, r.Workshop+"="+regString(r))
			}
			if !slices.Equal(got, want) {
				t.Fatalf("UserRegistrations(1) = %v, want %v", got, want)
			}
		}
		mine("c3=1:confirmed:0", "b2=1:waiting:1", "a1=1:confirmed:0")
		c.cancel(t, "c3", 1, 0, nil)
		c.cancel(t, "b2", 2, 1, nil)
		mine("b2=1:confirmed:0", "a1=1:confirmed:0")
	}},
	{"workshop codes are unique and only known workshops are updated", func(t *testing.T, c *regsCheck) {
		w := c.workshop(t, "w1", 3)
		if err := c.s.CreateWorkshop(c.ctx, &flows.Workshop{Code: "w1", Title: "again", Start: regClock, Deadline: regClock}); !errors.Is(err, flows.ErrCodeTaken) {
			t.Fatalf("CreateWorkshop of a taken code: %v", err)
		}
		got, err := c.s.GetWorkshop(c.ctx, "w1")
		if err != nil || got.Title != w.Title || got.Capacity != 3 {
			t.Fatalf("GetWorkshop = %+v, %v; want the first", got, err)
		}
		if _, err := c.s.UpdateWorkshop(c.ctx, &flows.Workshop{Code: "nope", Title: "x", Start: regClock, Deadline: regClock}); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("UpdateWorkshop of an unknown code: %v", err)
		}
		if _, err := c.s.GetWorkshop(c.ctx, "nope"); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("GetWorkshop unknown: %v", err)
		}
	}},
}

// RunRegistrationsContract runs the registrations contract against stores
// open makes, a fresh one per case.
func RunRegistrationsContract(t *testing.T, open func(t *testing.T) flows.Workshops) {
	for _, tc := range slices.Concat(regsCases, offerCases, approvalCases) {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, &regsCheck{ctx: context.Background(), s: open(t)})
		})
	}
}
