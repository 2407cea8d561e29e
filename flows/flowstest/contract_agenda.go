package flowstest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
)

// The agenda contract (flows.Agenda): sessions read back whole and in
// order, replaced by id, never more than the limit; sign-ups within the
// capacity, only for a confirmed registrant, never for two overlapping
// sessions, one seat per person; a cancelled registration's seats free at
// once and stay gone when the person registers again; a capacity below
// those signed up refused, a session made plenary or removed returning
// who held it; forgetting takes a person out of every session. Redis
// (store/agenda.go, store/agenda_*.lua) is the reference.

// AgendaAndForgetting is what the agenda contract reads and writes.
type AgendaAndForgetting interface {
	flows.Workshops
	flows.Agenda
	flows.Privacy
}

type agendaCase struct {
	name string
	run  func(t *testing.T, c *agendaCheck)
}

type agendaCheck struct {
	regsCheck
	s AgendaAndForgetting
}

// session is a session of a contract workshop (starting regClock+7d),
// from minute from to minute to of it.
func session(id string, from, to, capacity int) flows.AgendaSession {
	start := regClock.Add(7 * 24 * time.Hour)
	return flows.AgendaSession{ID: id, Title: "Sesi " + id, Room: "R" + id, Speaker: "Pembicara " + id,
		Start: start.Add(time.Duration(from) * time.Minute), End: start.Add(time.Duration(to) * time.Minute), Capacity: capacity}
}

func (c *agendaCheck) save(t *testing.T, code string, s flows.AgendaSession, want error, wantDropped ...int64) {
	t.Helper()
	got, err := c.s.SaveSession(c.ctx, code, s, 5)
	if !sameErr(err, want) || (want == nil && !slices.Equal(got, wantDropped)) {
		t.Fatalf("SaveSession %s in %s = %v, %v; want %v, %v", s.ID, code, got, err, wantDropped, want)
	}
}

func (c *agendaCheck) ids(t *testing.T, code string, want ...string) []flows.AgendaSession {
	t.Helper()
	ss, err := c.s.Sessions(c.ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range ss {
		got = append(got, s.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Sessions %s = %v, want %v", code, got, want)
	}
	return ss
}

func (c *agendaCheck) join(t *testing.T, code, id string, uid int64, want error) {
	t.Helper()
	if err := c.s.SignUp(c.ctx, code, id, uid); !sameErr(err, want) {
		t.Fatalf("SignUp %d for %s in %s: %v, want %v", uid, id, code, err, want)
	}
}

func (c *agendaCheck) chosen(t *testing.T, code string, uid int64, want ...string) {
	t.Helper()
	got, err := c.s.ChosenSessions(c.ctx, code, uid)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("ChosenSessions of %d in %s = %v, %v; want %v", uid, code, got, err, want)
	}
}

func (c *agendaCheck) signUps(t *testing.T, code string, want map[string][]int64) {
	t.Helper()
	got, err := c.s.SignUps(c.ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("SignUps %s = %v, want %v", code, got, want)
	}
}

var agendaCases = []agendaCase{
	{"sessions read back whole and in order, replaced by id, up to the limit, removed", func(t *testing.T, c *agendaCheck) {
		c.save(t, "nope", session("a", 0, 30, 0), flows.ErrNotFound)
		c.workshop(t, "w1", 0)
		c.ids(t, "w1")
		b := session("b", 0, 30, 0)
		b.Title = "Aaa" // same start as c: by title
		for _, s := range []flows.AgendaSession{session("d", 60, 90, 10), session("c", 0, 30, 5), b, session("e", 90, 120, 0)} {
			c.save(t, "w1", s, nil)
		}
		ss := c.ids(t, "w1", "b", "c", "d", "e")
		want := session("c", 0, 30, 5)
		if got := ss[1]; got.Title != want.Title || got.Room != want.Room || got.Speaker != want.Speaker || !got.Start.Equal(want.Start) ||
			!got.End.Equal(want.End) || got.Capacity != 5 {
			t.Fatalf("session c read back as %+v, want %+v", got, want)
		}
		c.save(t, "w1", session("f", 0, 10, 0), nil)
		c.save(t, "w1", session("g", 0, 10, 0), flows.ErrAgendaFull)
		moved := session("f", 100, 110, 3)
		c.save(t, "w1", moved, nil) // replacing one is no new one
		c.ids(t, "w1", "b", "c", "d", "e", "f")
		if _, err := c.s.DeleteSession(c.ctx, "w1", "f"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.s.DeleteSession(c.ctx, "w1", "f"); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("DeleteSession twice: %v, want ErrNotFound", err)
		}
		c.ids(t, "w1", "b", "c", "d", "e")
		c.workshop(t, "w2", 0)
		c.ids(t, "w2")
	}},
	{"sign-ups within the capacity, confirmed only, one seat each, never overlapping", func(t *testing.T, c *agendaCheck) {
		c.workshop(t, "w1", 3)
		for uid := int64(1); uid <= 4; uid++ {
			status, pos := flows.RegConfirmed, 0
			if uid == 4 {
				status, pos = flows.RegWaiting, 1
			}
			c.reg(t, "w1", uid, time.Duration(uid)*time.Minute, nil, status, pos)
		}
		c.save(t, "w1", session("fgd1", 0, 60, 2), nil)
		c.save(t, "w1", session("fgd2", 30, 90, 5), nil)
		c.save(t, "w1", session("late", 60, 120, 5), nil)
		c.save(t, "w1", session("plen", 0, 120, 0), nil)
		c.join(t, "w1", "fgd1", 4, flows.ErrNotConfirmed)
		c.join(t, "w1", "fgd1", 9, flows.ErrNotConfirmed)
		c.join(t, "w1", "plen", 1, flows.ErrPlenarySession)
		c.join(t, "w1", "nope", 1, flows.ErrNotFound)
		c.join(t, "w1", "fgd1", 1, nil)
		c.join(t, "w1", "fgd1", 1, flows.ErrAlreadySignedUp)
		c.join(t, "w1", "fgd1", 2, nil)
		c.join(t, "w1", "fgd1", 3, flows.ErrSessionFull)
		err := c.s.SignUp(c.ctx, "w1", "fgd2", 1)
		var ov *flows.SessionOverlapError
		if !errors.As(err, &ov) || ov.With != "fgd1" {
			t.Fatalf("SignUp for an overlapping session: %v, want the overlap with fgd1", err)
		}
		c.join(t, "w1", "late", 1, nil) // fgd1 ends as late starts
		c.chosen(t, "w1", 1, "fgd1", "late")
		c.chosen(t, "w1", 3)
		c.signUps(t, "w1", map[string][]int64{"fgd1": {1, 2}, "late": {1}})
		if err := c.s.LeaveSession(c.ctx, "w1", "fgd1", 2); err != nil {
			t.Fatal(err)
		}
		if err := c.s.LeaveSession(c.ctx, "w1", "fgd1", 2); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("LeaveSession twice: %v, want ErrNotFound", err)
		}
		c.join(t, "w1", "fgd1", 3, nil)
		c.join(t, "w1", "fgd2", 2, nil)
		c.signUps(t, "w1", map[string][]int64{"fgd1": {1, 3}, "fgd2": {2}, "late": {1}})
	}},
	{"a cancelled registration frees its seats at once, and registering again does not bring them back", func(t *testing.T, c *agendaCheck) {
		c.workshop(t, "w1", 0)
		for uid := int64(1); uid <= 3; uid++ {
			c.reg(t, "w1", uid, time.Duration(uid)*time.Minute, nil, flows.RegConfirmed, 0)
		}
		c.save(t, "w1", session("a", 0, 60, 1), nil)
		c.save(t, "w1", session("b", 60, 120, 1), nil)
		c.join(t, "w1", "a", 1, nil)
		c.join(t, "w1", "b", 1, nil)
		c.join(t, "w1", "a", 2, flows.ErrSessionFull)
		c.cancel(t, "w1", 1, 0, nil)
		c.chosen(t, "w1", 1)
		c.signUps(t, "w1", nil)
		c.join(t, "w1", "a", 2, nil)
		c.reg(t, "w1", 1, 10*time.Minute, nil, flows.RegConfirmed, 0)
		c.chosen(t, "w1", 1)
		c.join(t, "w1", "a", 1, flows.ErrSessionFull)
		c.join(t, "w1", "b", 1, nil) // the old, stale seat of b is no obstacle
		c.signUps(t, "w1", map[string][]int64{"a": {2}, "b": {1}})
		got, err := c.s.ReleaseSessions(c.ctx, "w1", 2)
		if err != nil || !slices.Equal(got, []string{"a"}) {
			t.Fatalf("ReleaseSessions = %v, %v; want [a]", got, err)
		}
		c.join(t, "w1", "a", 3, nil)
	}},
	{"a session moved onto the time of another one someone chose releases their seat in it", func(t *testing.T, c *agendaCheck) {
		c.workshop(t, "w1", 0)
		for uid := int64(1); uid <= 4; uid++ {
			c.reg(t, "w1", uid, time.Duration(uid)*time.Minute, nil, flows.RegConfirmed, 0)
		}
		c.save(t, "w1", session("a", 0, 60, 5), nil)
		c.save(t, "w1", session("b", 60, 120, 2), nil)
		c.save(t, "w1", session("plen", 0, 30, 0), nil)
		for _, uid := range []int64{1, 3} {
			c.join(t, "w1", "a", uid, nil)
		}
		for _, uid := range []int64{1, 2} {
			c.join(t, "w1", "b", uid, nil)
		}
		c.save(t, "w1", session("b", 60, 100, 2), nil)   // moved, still after a: nobody loses a seat
		c.save(t, "w1", session("b", 30, 90, 2), nil, 1) // onto a, which 1 chose: 1's seat in b goes
		c.chosen(t, "w1", 1, "a")
		c.chosen(t, "w1", 2, "b")
		c.signUps(t, "w1", map[string][]int64{"a": {1, 3}, "b": {2}})
		var ov *flows.SessionOverlapError
		if err := c.s.SignUp(c.ctx, "w1", "b", 3); !errors.As(err, &ov) || ov.With != "a" {
			t.Fatalf("SignUp of 3 for the moved b: %v, want the overlap with a", err)
		}
		c.join(t, "w1", "b", 4, nil)
		// The capacity is checked against those who keep their seat.
		c.save(t, "w1", session("c", 120, 150, 5), nil)
		c.join(t, "w1", "c", 2, nil)
		var below *flows.SessionCapacityError
		if _, err := c.s.SaveSession(c.ctx, "w1", session("b", 30, 90, 1), 5); !errors.As(err, &below) || below.SignedUp != 2 {
			t.Fatalf("SaveSession below the 2 keeping their seat: %v", err)
		}
		c.signUps(t, "w1", map[string][]int64{"a": {1, 3}, "b": {2, 4}, "c": {2}})
		c.save(t, "w1", session("b", 100, 140, 1), nil, 2) // onto c, which 2 chose; 4 keeps the one seat
		c.signUps(t, "w1", map[string][]int64{"a": {1, 3}, "b": {4}, "c": {2}})
	}},
	{"a hybrid workshop's online participants sign up as those on site do; cancelling frees the seat", func(t *testing.T, c *agendaCheck) {
		c.workshop(t, "w1", 0, func(w *flows.Workshop) {
			w.Format, w.OnlineCapacity, w.Capacity, w.Venue, w.OnlineURL = flows.FormatHybrid, 5, 5, "Aula", "https://meet.example/x"
		})
		for uid, mode := range map[int64]string{1: flows.ModeOnline, 2: flows.ModeOnsite} {
			if r, err := c.s.Register(c.ctx, &flows.Registration{Workshop: "w1", UserID: uid, Mode: mode, RegisteredAt: regClock,
				Token: "w1-hy-" + mode, Lang: "id"}, regClock); err != nil || r.Status != flows.RegConfirmed {
				t.Fatalf("Register %d %s = %+v, %v", uid, mode, r, err)
			}
		}
		c.save(t, "w1", session("a", 0, 60, 2), nil)
		c.join(t, "w1", "a", 1, nil)
		c.join(t, "w1", "a", 2, nil)
		c.chosen(t, "w1", 1, "a")
		c.signUps(t, "w1", map[string][]int64{"a": {1, 2}})
		c.cancel(t, "w1", 1, 0, nil)
		c.chosen(t, "w1", 1)
		c.signUps(t, "w1", map[string][]int64{"a": {2}})
	}},
	{"a capacity below those signed up is refused; made plenary or removed, who held it is returned", func(t *testing.T, c *agendaCheck) {
		c.workshop(t, "w1", 0)
		for uid := int64(1); uid <= 3; uid++ {
			c.reg(t, "w1", uid, time.Duration(uid)*time.Minute, nil, flows.RegConfirmed, 0)
		}
		c.save(t, "w1", session("a", 0, 60, 3), nil)
		c.save(t, "w1", session("b", 60, 120, 3), nil)
		for uid := int64(1); uid <= 3; uid++ {
			c.join(t, "w1", "a", uid, nil)
		}
		c.join(t, "w1", "b", 3, nil)
		c.join(t, "w1", "b", 1, nil)
		_, err := c.s.SaveSession(c.ctx, "w1", session("a", 0, 60, 2), 5)
		var below *flows.SessionCapacityError
		if !errors.As(err, &below) || below.SignedUp != 3 {
			t.Fatalf("capacity 2 with 3 signed up: %v, want SessionCapacityError{3}", err)
		}
		c.cancel(t, "w1", 2, 0, nil)
		c.save(t, "w1", session("a", 0, 60, 2), nil) // 2 hold it now
		c.save(t, "w1", session("a", 0, 60, 0), nil, 1, 3)
		c.chosen(t, "w1", 1, "b")
		c.signUps(t, "w1", map[string][]int64{"b": {3, 1}})
		got, err := c.s.DeleteSession(c.ctx, "w1", "b")
		if err != nil || !slices.Equal(got, []int64{3, 1}) {
			t.Fatalf("DeleteSession b = %v, %v; want [3 1]", got, err)
		}
		c.chosen(t, "w1", 1)
		c.signUps(t, "w1", nil)
	}},
	{"forgetting a person takes them out of every session, ahead or after the start", func(t *testing.T, c *agendaCheck) {
		c.workshop(t, "w1", 0)
		c.workshop(t, "w2", 0)
		for _, code := range []string{"w1", "w2"} {
			for uid := int64(1); uid <= 2; uid++ {
				c.reg(t, code, uid, time.Duration(uid)*time.Minute, nil, flows.RegConfirmed, 0)
			}
			c.save(t, code, session("a", 0, 60, 5), nil)
			c.join(t, code, "a", 1, nil)
			c.join(t, code, "a", 2, nil)
		}
		if _, err := c.s.ForgetUser(c.ctx, 1, regClock.Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.s.ForgetUser(c.ctx, 2, regClock.Add(8*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		for _, code := range []string{"w1", "w2"} {
			c.signUps(t, code, nil)
			c.chosen(t, code, 1)
			c.chosen(t, code, 2)
		}
	}},
}

// RunAgendaContract runs the agenda contract against stores open makes, a
// fresh one per case.
func RunAgendaContract(t *testing.T, open func(t *testing.T) AgendaAndForgetting) {
	for _, tc := range agendaCases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			tc.run(t, &agendaCheck{regsCheck: regsCheck{ctx: context.Background(), s: s}, s: s})
		})
	}
}
