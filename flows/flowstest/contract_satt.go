package flowstest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"sinergi/flows"
)

// The per-session attendance contract (flows.SessionAttendance): a mark
// only for a session of the agenda and a confirmed registrant (on site or
// online); the first time kept; marking again or unmarking what is not
// marked changes nothing and says so; marks of different sessions and
// people are independent; the data export lists a person's marks, and
// forgetting them removes them. Redis
// (store/session_attendance.go, satt_mark.lua) is the reference.

// SessionAttendanceAndForgetting is what the contract reads and writes.
type SessionAttendanceAndForgetting interface {
	flows.Workshops
	flows.Agenda
	flows.SessionAttendance
	flows.Privacy
}

type sattCheck struct {
	regsCheck
	s SessionAttendanceAndForgetting
}

func (c *sattCheck) mark(t *testing.T, code, sid string, uid int64, present bool, at time.Time, wantChanged bool, want error) {
	t.Helper()
	changed, err := c.s.MarkSession(c.ctx, code, sid, uid, present, at)
	if !sameErr(err, want) || (want == nil && changed != wantChanged) {
		t.Fatalf("MarkSession %s %d %v = %v, %v; want %v, %v", sid, uid, present, changed, err, wantChanged, want)
	}
}

// marks checks the marks as "sid:uid@minutes after regClock+7d".
func (c *sattCheck) marks(t *testing.T, code string, want map[string]map[int64]time.Time) {
	t.Helper()
	got, err := c.s.SessionMarks(c.ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("SessionMarks %s = %v, want %v", code, got, want)
	}
}

var sattCases = []struct {
	name string
	run  func(t *testing.T, c *sattCheck)
}{
	{"marks only for a session and a confirmed registrant, the first time kept", func(t *testing.T, c *sattCheck) {
		c.workshop(t, "sa1", 1)
		start := regClock.Add(7 * 24 * time.Hour)
		if _, err := c.s.SaveSession(c.ctx, "sa1", session("a", 0, 30, 5), flows.MaxSessions); err != nil {
			t.Fatal(err)
		}
		if _, err := c.s.SaveSession(c.ctx, "sa1", session("b", 30, 60, 0), flows.MaxSessions); err != nil {
			t.Fatal(err)
		}
		c.reg(t, "sa1", 1, 0, nil, flows.RegConfirmed, 0)
		c.reg(t, "sa1", 2, time.Minute, nil, flows.RegWaiting, 1)
		c.mark(t, "sa1", "zz", 1, true, start, false, flows.ErrNotFound)
		c.mark(t, "nope", "a", 1, true, start, false, flows.ErrNotFound)
		c.mark(t, "sa1", "a", 2, true, start, false, flows.ErrNotConfirmed)
		c.mark(t, "sa1", "a", 3, true, start, false, flows.ErrNotConfirmed)
		c.marks(t, "sa1", nil)
		c.mark(t, "sa1", "a", 1, true, start, true, nil)
		c.mark(t, "sa1", "a", 1, true, start.Add(time.Minute), false, nil)
		c.mark(t, "sa1", "b", 1, true, start.Add(31*time.Minute), true, nil)
		c.marks(t, "sa1", map[string]map[int64]time.Time{"a": {1: start}, "b": {1: start.Add(31 * time.Minute)}})
		c.mark(t, "sa1", "a", 1, false, start, true, nil)
		c.mark(t, "sa1", "a", 1, false, start, false, nil)
		c.marks(t, "sa1", map[string]map[int64]time.Time{"b": {1: start.Add(31 * time.Minute)}})
		c.mark(t, "sa1", "b", 1, false, start, true, nil)
		c.marks(t, "sa1", nil)
	}},
	{"an online registrant of a hybrid workshop is marked too", func(t *testing.T, c *sattCheck) {
		c.workshop(t, "sa2", 1, hybrid(0))
		start := regClock.Add(7 * 24 * time.Hour)
		if _, err := c.s.SaveSession(c.ctx, "sa2", session("a", 0, 30, 0), flows.MaxSessions); err != nil {
			t.Fatal(err)
		}
		r, err := c.s.Register(c.ctx, &flows.Registration{Workshop: "sa2", UserID: 7, RegisteredAt: regClock, Mode: flows.ModeOnline,
			Token: "sa2-tok-7", Lang: "id"}, regClock)
		if err != nil || r.Status != flows.RegConfirmed {
			t.Fatalf("Register online: %+v, %v", r, err)
		}
		c.mark(t, "sa2", "a", 7, true, start, true, nil)
		c.marks(t, "sa2", map[string]map[int64]time.Time{"a": {7: start}})
	}},
	{"the export lists someone's marks; forgetting them removes their marks only", func(t *testing.T, c *sattCheck) {
		c.workshop(t, "sa3", 0)
		start := regClock.Add(7 * 24 * time.Hour)
		for _, id := range []string{"a", "b"} {
			if _, err := c.s.SaveSession(c.ctx, "sa3", session(id, 0, 30, 0), flows.MaxSessions); err != nil {
				t.Fatal(err)
			}
		}
		for _, uid := range []int64{1, 2} {
			c.reg(t, "sa3", uid, time.Duration(uid)*time.Minute, nil, flows.RegConfirmed, 0)
			for _, id := range []string{"a", "b"} {
				c.mark(t, "sa3", id, uid, true, start, true, nil)
			}
		}
		d, err := c.s.ExportUser(c.ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if want := []flows.SessionMarkData{{Workshop: "sa3", Session: "a", At: start}, {Workshop: "sa3", Session: "b", At: start}}; !reflect.DeepEqual(d.Sessions, want) {
			t.Fatalf("export: %+v, want %+v", d.Sessions, want)
		}
		if _, err := c.s.ForgetUser(c.ctx, 1, regClock.Add(30*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		c.marks(t, "sa3", map[string]map[int64]time.Time{"a": {2: start}, "b": {2: start}})
	}},
}

// RunSessionAttendanceContract runs the per-session attendance contract on
// the stores open returns (a fresh one per case).
func RunSessionAttendanceContract(t *testing.T, open func(t *testing.T) SessionAttendanceAndForgetting) {
	for _, tc := range sattCases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			tc.run(t, &sattCheck{regsCheck: regsCheck{ctx: context.Background(), s: s}, s: s})
		})
	}
}
