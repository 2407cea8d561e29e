package flowstest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"sinergi/flows"
)

// The meetings contract: the rules of partner meetings (flows.Meetings)
// that the Lua scripts keep, run on the fake and on Redis.

var meetClock = time.Date(2026, 12, 10, 1, 0, 0, 0, time.UTC)

type meetCheck struct {
	ctx   context.Context
	s     flows.Meetings
	setup *flows.MeetingSetup
	n     int
}

// newSetup: 4 slots of 15 minutes from meetClock+30m, tables 1 and 2, cap 2.
func meetSetup(tables ...int) *flows.MeetingSetup {
	s := &flows.MeetingSetup{Workshop: "MEET01", SlotMinutes: 15, MaxPerOrg: 2,
		Windows: []flows.MeetWindow{{Start: meetClock.Add(30 * time.Minute), End: meetClock.Add(90 * time.Minute)}}}
	for _, id := range tables {
		s.Tables = append(s.Tables, flows.MeetTable{ID: id, Name: "T" + string(rune('0'+id))})
	}
	return s
}

func (c *meetCheck) slot(i int) time.Time { return c.setup.Slots()[i] }

// req stores a pending request from → to offering slots (indexes).
func (c *meetCheck) req(t *testing.T, from, to int64, want error, slots ...int) string {
	t.Helper()
	c.n++
	id := "mtg" + string(rune('a'+c.n/26)) + string(rune('a'+c.n%26)) + "0000"
	var at []time.Time
	for _, i := range slots {
		at = append(at, c.slot(i))
	}
	err := c.s.RequestMeeting(c.ctx, &flows.Meeting{ID: id, Workshop: "MEET01", From: from, To: to, FromOrg: "Org A", ToOrg: "Org B",
		Note: "hi", Slots: at, Awaiting: to, Status: flows.MeetPending, Created: meetClock.Add(time.Duration(c.n) * time.Second)})
	if !errors.Is(err, want) && !(want == nil && err == nil) {
		t.Fatalf("RequestMeeting %d→%d: %v, want %v", from, to, err, want)
	}
	return id
}

func (c *meetCheck) accept(t *testing.T, id string, actor int64, slot int, want error) *flows.Meeting {
	t.Helper()
	m, err := c.s.AcceptMeeting(c.ctx, "MEET01", id, actor, c.slot(slot), meetClock)
	if !errors.Is(err, want) && !(want == nil && err == nil) {
		t.Fatalf("AcceptMeeting %s by %d at %d: %v, want %v", id, actor, slot, err, want)
	}
	return m
}

// RunMeetingsContract runs the meetings contract against stores from open.
func RunMeetingsContract(t *testing.T, open func(t *testing.T) flows.Meetings) {
	cases := []struct {
		name string
		run  func(t *testing.T, c *meetCheck)
	}{
		{"a setup is read back; without one nothing can be asked", func(t *testing.T, c *meetCheck) {
			if _, err := c.s.MeetingSetup(c.ctx, "MEET02"); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("no setup: %v", err)
			}
			got, err := c.s.MeetingSetup(c.ctx, "MEET01")
			if err != nil || !reflect.DeepEqual(got.Slots(), c.setup.Slots()) || !reflect.DeepEqual(got.Tables, c.setup.Tables) || got.MaxPerOrg != 2 {
				t.Fatalf("setup %+v, %v", got, err)
			}
			err = c.s.RequestMeeting(c.ctx, &flows.Meeting{ID: "nosetup001", Workshop: "MEET02", From: 1, To: 2, Status: flows.MeetPending, Awaiting: 2, Created: meetClock})
			if !errors.Is(err, flows.ErrMeetingsOff) {
				t.Fatalf("request without setup: %v", err)
			}
			if _, err := c.s.GetMeeting(c.ctx, "MEET01", "nosuchmeet"); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("unknown meeting: %v", err)
			}
		}},
		{"a request is read back; one open meeting per pair, either way", func(t *testing.T, c *meetCheck) {
			id := c.req(t, 1, 2, nil, 0, 2)
			c.req(t, 2, 1, flows.ErrMeetOpen, 1)
			m, err := c.s.GetMeeting(c.ctx, "MEET01", id)
			want := &flows.Meeting{ID: id, Workshop: "MEET01", From: 1, To: 2, FromOrg: "Org A", ToOrg: "Org B", Note: "hi",
				Slots: []time.Time{c.slot(0), c.slot(2)}, Awaiting: 2, Status: flows.MeetPending, Created: meetClock.Add(time.Second)}
			if err != nil || !reflect.DeepEqual(m, want) {
				t.Fatalf("read back\n%+v\nwant\n%+v (%v)", m, want, err)
			}
		}},
		{"only the side awaited accepts, only a slot offered, once", func(t *testing.T, c *meetCheck) {
			id := c.req(t, 1, 2, nil, 0, 2)
			c.accept(t, id, 1, 0, flows.ErrMeetForbidden)
			c.accept(t, id, 2, 1, flows.ErrMeetBadSlot)
			m := c.accept(t, id, 2, 2, nil)
			if m.Status != flows.MeetAccepted || !m.Slot.Equal(c.slot(2)) || m.Table != 1 || m.Awaiting != 0 || !m.Decided.Equal(meetClock) {
				t.Fatalf("accepted %+v", m)
			}
			c.accept(t, id, 2, 2, flows.ErrMeetDecided)
		}},
		{"never two meetings of an organisation or at a table in a slot; the cap", func(t *testing.T, c *meetCheck) {
			c.accept(t, c.req(t, 1, 2, nil, 0), 2, 0, nil)
			c.accept(t, c.req(t, 3, 1, nil, 0), 1, 0, flows.ErrMeetSlotTaken)
			c.accept(t, c.req(t, 3, 4, nil, 0), 4, 0, nil) // table 2
			m := c.accept(t, c.req(t, 5, 6, nil, 0), 6, 0, flows.ErrMeetTablesFull)
			if m != nil {
				t.Fatal("refused accept returned a meeting")
			}
			c.accept(t, c.req(t, 1, 5, nil, 1), 5, 1, nil) // 1 holds 2: the cap
			_, err := c.s.AcceptMeeting(c.ctx, "MEET01", c.req(t, 6, 1, nil, 2), 1, c.slot(2), meetClock)
			var capErr *flows.MeetCapError
			if !errors.As(err, &capErr) || capErr.UserID != 1 || !errors.Is(err, flows.ErrMeetCap) {
				t.Fatalf("over the cap: %v", err)
			}
		}},
		{"another slot proposed: the other side answers now", func(t *testing.T, c *meetCheck) {
			id := c.req(t, 1, 2, nil, 0)
			if _, err := c.s.ProposeMeeting(c.ctx, "MEET01", id, 1, c.slot(3), meetClock); !errors.Is(err, flows.ErrMeetForbidden) {
				t.Fatalf("propose by the asker: %v", err)
			}
			m, err := c.s.ProposeMeeting(c.ctx, "MEET01", id, 2, c.slot(3), meetClock)
			if err != nil || m.Awaiting != 1 || !reflect.DeepEqual(m.Slots, []time.Time{c.slot(3)}) {
				t.Fatalf("proposed %+v %v", m, err)
			}
			c.accept(t, id, 2, 3, flows.ErrMeetForbidden)
			c.accept(t, id, 1, 3, nil)
		}},
		{"decline, withdraw, cancel: by whom, and a booking freed", func(t *testing.T, c *meetCheck) {
			a := c.req(t, 1, 2, nil, 0)
			if _, err := c.s.CloseMeeting(c.ctx, "MEET01", a, 1, flows.MeetDeclined, meetClock); !errors.Is(err, flows.ErrMeetForbidden) {
				t.Fatalf("decline by the asker: %v", err)
			}
			if _, err := c.s.CloseMeeting(c.ctx, "MEET01", a, 2, flows.MeetWithdrawn, meetClock); !errors.Is(err, flows.ErrMeetForbidden) {
				t.Fatalf("withdraw by the other: %v", err)
			}
			if _, err := c.s.CloseMeeting(c.ctx, "MEET01", a, 9, flows.MeetCancelled, meetClock); !errors.Is(err, flows.ErrMeetForbidden) {
				t.Fatalf("cancel by a stranger: %v", err)
			}
			if m, err := c.s.CloseMeeting(c.ctx, "MEET01", a, 1, flows.MeetWithdrawn, meetClock); err != nil || m.Status != flows.MeetWithdrawn {
				t.Fatalf("withdraw %+v %v", m, err)
			}
			if _, err := c.s.CloseMeeting(c.ctx, "MEET01", a, 1, flows.MeetWithdrawn, meetClock); !errors.Is(err, flows.ErrMeetDecided) {
				t.Fatalf("withdraw twice: %v", err)
			}
			b := c.req(t, 1, 2, nil, 0) // the pair may ask again
			c.accept(t, b, 2, 0, nil)
			if m, err := c.s.CloseMeeting(c.ctx, "MEET01", b, 2, flows.MeetCancelled, meetClock); err != nil || m.Status != flows.MeetCancelled {
				t.Fatalf("cancel %+v %v", m, err)
			}
			c.accept(t, c.req(t, 1, 3, nil, 0), 3, 0, nil) // 1's slot and the table are free again
			c.accept(t, c.req(t, 1, 4, nil, 1), 4, 1, nil) // and the cap counts the cancelled one no more
		}},
		{"a move keeps the meeting where it was when the new slot is taken", func(t *testing.T, c *meetCheck) {
			a := c.req(t, 1, 2, nil, 0)
			c.accept(t, a, 2, 0, nil)
			c.accept(t, c.req(t, 3, 2, nil, 1), 2, 1, nil)
			if _, err := c.s.MoveMeeting(c.ctx, "MEET01", a, 1, c.slot(1), meetClock); !errors.Is(err, flows.ErrMeetSlotTaken) {
				t.Fatalf("move onto 2's other meeting: %v", err)
			}
			if _, err := c.s.MoveMeeting(c.ctx, "MEET01", a, 9, c.slot(2), meetClock); !errors.Is(err, flows.ErrMeetForbidden) {
				t.Fatalf("move by a stranger: %v", err)
			}
			m, err := c.s.MoveMeeting(c.ctx, "MEET01", a, 1, c.slot(2), meetClock)
			if err != nil || !m.Slot.Equal(c.slot(2)) || m.Table != 1 {
				t.Fatalf("moved %+v %v", m, err)
			}
			c.accept(t, c.req(t, 4, 2, nil, 3), 2, 3, flows.ErrMeetCap) // a move does not count twice: 2 holds two
			c.accept(t, c.req(t, 5, 6, nil, 0), 6, 0, nil)              // slot 0 free again
		}},
		{"a setup that drops booked meetings: refused with the count, or forced and cancelled", func(t *testing.T, c *meetCheck) {
			a := c.req(t, 1, 2, nil, 0)
			c.accept(t, a, 2, 0, nil)
			c.accept(t, c.req(t, 3, 4, nil, 0), 4, 0, nil) // table 2
			c.accept(t, c.req(t, 5, 6, nil, 1), 6, 1, nil) // table 1, slot 1
			next := meetSetup(2, 3)
			_, err := c.s.SaveMeetingSetup(c.ctx, next, false, meetClock)
			var conflict *flows.MeetConflictError
			if !errors.As(err, &conflict) || conflict.Count != 2 {
				t.Fatalf("refused setup: %v", err)
			}
			if got, _ := c.s.MeetingSetup(c.ctx, "MEET01"); len(got.Tables) != 2 || got.Tables[0].ID != 1 {
				t.Fatalf("refused setup saved: %+v", got)
			}
			gone, err := c.s.SaveMeetingSetup(c.ctx, next, true, meetClock)
			if err != nil || len(gone) != 2 || gone[0].ID != a || gone[0].Status != flows.MeetCancelled {
				t.Fatalf("forced: %+v %v", gone, err)
			}
			c.accept(t, c.req(t, 1, 2, nil, 1), 2, 1, nil) // the pair and 1's count freed; table 2 or 3
		}},
		{"a registration ended, forgetting, lists", func(t *testing.T, c *meetCheck) {
			a := c.req(t, 1, 2, nil, 0)
			c.accept(t, a, 2, 0, nil)
			b := c.req(t, 3, 1, nil, 1)
			c.req(t, 3, 4, nil, 2)
			if ms, err := c.s.UserMeetings(c.ctx, "MEET01", 1); err != nil || len(ms) != 2 || ms[0].ID != a || ms[1].ID != b {
				t.Fatalf("1's meetings %+v %v", ms, err)
			}
			if codes, err := c.s.MeetingWorkshops(c.ctx, 1); err != nil || !reflect.DeepEqual(codes, []string{"MEET01"}) {
				t.Fatalf("workshops %v %v", codes, err)
			}
			gone, err := c.s.CancelUserMeetings(c.ctx, "MEET01", 1, meetClock)
			if err != nil || len(gone) != 2 || gone[0].Status != flows.MeetCancelled {
				t.Fatalf("cancelled %+v %v", gone, err)
			}
			c.accept(t, c.req(t, 2, 5, nil, 0), 5, 0, nil) // 2's slot free
			told, err := c.s.ForgetMeetings(c.ctx, 3, meetClock)
			if err != nil || len(told) != 1 || told[0].To != 4 {
				t.Fatalf("forget: %+v %v", told, err)
			}
			if ms, _ := c.s.UserMeetings(c.ctx, "MEET01", 4); len(ms) != 0 {
				t.Fatalf("4 still lists %+v", ms)
			}
			if ms, _ := c.s.WorkshopMeetings(c.ctx, "MEET01"); len(ms) != 2 {
				t.Fatalf("workshop meetings after forgetting %d", len(ms))
			}
			if again, err := c.s.ForgetMeetings(c.ctx, 3, meetClock); err != nil || len(again) != 0 {
				t.Fatalf("forget again: %v %v", again, err)
			}
		}},
		{"placed by the team: held at once, accepted once both confirm; outcomes", func(t *testing.T, c *meetCheck) {
			c.accept(t, c.req(t, 1, 2, nil, 0), 2, 0, nil)
			m := &flows.Meeting{ID: "placed0001", Workshop: "MEET01", From: 1, To: 3, FromOrg: "A", ToOrg: "C", Status: flows.MeetProposed,
				Slot: c.slot(0), ByTeam: true, Created: meetClock, Slots: []time.Time{c.slot(0)}}
			if _, err := c.s.PlaceMeeting(c.ctx, m); !errors.Is(err, flows.ErrMeetSlotTaken) {
				t.Fatalf("placed over 1's meeting: %v", err)
			}
			m.ID, m.Slot = "placed0002", c.slot(1)
			got, err := c.s.PlaceMeeting(c.ctx, m)
			if err != nil || got.Status != flows.MeetProposed || got.Table != 1 || !got.ByTeam {
				t.Fatalf("placed %+v %v", got, err)
			}
			c.req(t, 3, 1, flows.ErrMeetOpen, 2)
			if err := c.s.SetMeetingOutcome(c.ctx, "MEET01", got.ID, 1, flows.OutcomePartnership); !errors.Is(err, flows.ErrMeetDecided) {
				t.Fatalf("outcome of a proposal: %v", err)
			}
			if got, err = c.s.ConfirmMeeting(c.ctx, "MEET01", got.ID, 3, meetClock); err != nil || got.Status != flows.MeetProposed || !got.OkTo {
				t.Fatalf("one yes %+v %v", got, err)
			}
			if got, err = c.s.ConfirmMeeting(c.ctx, "MEET01", got.ID, 1, meetClock); err != nil || got.Status != flows.MeetAccepted {
				t.Fatalf("both yes %+v %v", got, err)
			}
			if err := c.s.SetMeetingOutcome(c.ctx, "MEET01", got.ID, 9, flows.OutcomeNoFit); !errors.Is(err, flows.ErrMeetForbidden) {
				t.Fatalf("outcome by a stranger: %v", err)
			}
			if err := c.s.SetMeetingOutcome(c.ctx, "MEET01", got.ID, 3, flows.OutcomeExploring); err != nil {
				t.Fatal(err)
			}
			if got, _ = c.s.GetMeeting(c.ctx, "MEET01", got.ID); got.OutcomeTo != flows.OutcomeExploring || got.OutcomeFrom != "" {
				t.Fatalf("outcomes %+v", got)
			}
		}},
		{"a cancelled workshop takes no request, answer or booking", func(t *testing.T, c *meetCheck) {
			ws, ok := c.s.(flows.Workshops)
			if !ok {
				t.Fatalf("%T does not store workshops", c.s)
			}
			w := &flows.Workshop{Code: "MEET01", Title: "Temu mitra", Start: meetClock, End: meetClock.Add(3 * time.Hour), Capacity: 10, Zone: "Asia/Jakarta"}
			if err := ws.CreateWorkshop(c.ctx, w); err != nil {
				t.Fatal(err)
			}
			pending := c.req(t, 1, 2, nil, 0)
			answered := c.req(t, 3, 4, nil, 1)
			booked := c.accept(t, c.req(t, 5, 6, nil, 2), 6, 2, nil)
			proposed, err := c.s.PlaceMeeting(c.ctx, &flows.Meeting{ID: "placed0001", Workshop: "MEET01", From: 7, To: 8, FromOrg: "Org G", ToOrg: "Org H",
				Status: flows.MeetProposed, Slot: c.slot(3), Slots: []time.Time{c.slot(3)}, ByTeam: true, Created: meetClock})
			if err != nil {
				t.Fatal(err)
			}
			w.Cancelled = true
			if _, err := ws.UpdateWorkshop(c.ctx, w); err != nil {
				t.Fatal(err)
			}
			// The cancellation's own step (the meetings module) closes the
			// open meetings it lists; whatever comes after is refused.
			c.req(t, 9, 10, flows.ErrWorkshopCancelled, 0)
			c.accept(t, pending, 2, 0, flows.ErrWorkshopCancelled)
			if _, err := c.s.ProposeMeeting(c.ctx, "MEET01", answered, 4, c.slot(3), meetClock); !errors.Is(err, flows.ErrWorkshopCancelled) {
				t.Fatalf("propose at a cancelled workshop: %v", err)
			}
			if _, err := c.s.MoveMeeting(c.ctx, "MEET01", booked.ID, 5, c.slot(0), meetClock); !errors.Is(err, flows.ErrWorkshopCancelled) {
				t.Fatalf("move at a cancelled workshop: %v", err)
			}
			if _, err := c.s.ConfirmMeeting(c.ctx, "MEET01", proposed.ID, 7, meetClock); !errors.Is(err, flows.ErrWorkshopCancelled) {
				t.Fatalf("confirm at a cancelled workshop: %v", err)
			}
			_, err = c.s.PlaceMeeting(c.ctx, &flows.Meeting{ID: "placed0002", Workshop: "MEET01", From: 11, To: 12, FromOrg: "Org K", ToOrg: "Org L",
				Status: flows.MeetProposed, Slot: c.slot(1), Slots: []time.Time{c.slot(1)}, ByTeam: true, Created: meetClock})
			if !errors.Is(err, flows.ErrWorkshopCancelled) {
				t.Fatalf("place at a cancelled workshop: %v", err)
			}
			if m, err := c.s.GetMeeting(c.ctx, "MEET01", pending); err != nil || m.Status != flows.MeetPending {
				t.Fatalf("the refused accept changed the meeting: %+v %v", m, err)
			}
			// Closing still works: the cancellation's cleanup must go through.
			if m, err := c.s.CloseMeeting(c.ctx, "MEET01", booked.ID, 0, flows.MeetCancelled, meetClock); err != nil || m.Status != flows.MeetCancelled {
				t.Fatalf("cancel the booked meeting: %+v %v", m, err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &meetCheck{ctx: context.Background(), s: open(t), setup: meetSetup(1, 2)}
			if _, err := c.s.SaveMeetingSetup(c.ctx, c.setup, false, meetClock); err != nil {
				t.Fatal(err)
			}
			tc.run(t, c)
		})
	}
}
