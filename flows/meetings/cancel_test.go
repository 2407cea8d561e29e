package meetings_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// A workshop the team cancels, in each language: its open meetings (booked
// and pending) are cancelled and their reminders dropped, each side is
// told once naming all its meetings there, a meeting already declined is
// left alone, and nothing more can be asked, accepted or placed there.
func TestMeetingsWorkshopCancelled(t *testing.T) {
	for _, lang := range []string{"en", "id"} {
		t.Run(lang, func(t *testing.T) {
			h, code, s := world(t, lang, "Meja 1, Meja 2", "3")
			ctx := context.Background()
			// 2–3 booked, 4→3 pending, 2→4 declined.
			h.Press(3, buttonIn(t, ask(t, h, code, s, 2, 3, 0), "mt.btn_accept_at"))
			r43 := ask(t, h, code, s, 4, 3, 1)
			r24 := ask(t, h, code, s, 2, 4, 2)
			h.Press(4, buttonIn(t, r24, "mt.btn_decline"))
			ms, err := h.Store.WorkshopMeetings(ctx, code)
			if err != nil || len(ms) != 3 {
				t.Fatalf("meetings %d %v", len(ms), err)
			}
			var booked *flows.Meeting
			for _, m := range ms {
				if m.Status == flows.MeetAccepted {
					booked = m
				}
			}
			remind := "mtr|" + code + "." + booked.ID + "|2"
			if booked == nil || !h.Store.HasJob(remind) {
				t.Fatalf("no booked meeting with its reminder: %+v", ms)
			}

			res := h.Press(flowstest.AdminID, "workshops.cancel_yes:"+code)
			counts := map[int64]int{}
			for _, r := range res.Replies {
				if r.Text.ID == "mt.cancelled_workshop" {
					counts[r.ChatID]++
					if want := map[int64]int{2: 1, 3: 2, 4: 1}[r.ChatID]; r.Text.Data["Count"] != want {
						t.Errorf("%d told of %v meetings, want %d: %s", r.ChatID, r.Text.Data["Count"], want, h.Render(lang, r.Text))
					}
				}
			}
			if len(counts) != 3 || counts[2] != 1 || counts[3] != 1 || counts[4] != 1 {
				t.Fatalf("told %v, want 2, 3 and 4 once each (%v)", counts, flowstest.IDs(res))
			}
			ms, _ = h.Store.WorkshopMeetings(ctx, code)
			for _, m := range ms {
				if want := flows.MeetCancelled; m.From == 2 && m.To == 4 {
					if m.Status != flows.MeetDeclined {
						t.Errorf("the declined meeting became %s", m.Status)
					}
				} else if m.Status != want {
					t.Errorf("meeting %d→%d is %s after the workshop's cancellation", m.From, m.To, m.Status)
				}
			}
			if h.Store.HasJob(remind) {
				t.Error("the cancelled meeting's reminder is still scheduled")
			}
			// Nothing more there: the old request cannot be accepted, no new one, no placing.
			flowstest.Alert(t, h.Press(3, buttonIn(t, r43, "mt.btn_accept_at")), "mt.ws_cancelled")
			flowstest.Alert(t, h.Press(2, "meetings.request:"+code+":3"), "mt.ws_cancelled")
			flowstest.Alert(t, h.Press(flowstest.AdminID, "meetings.auto:"+code), "mt.ws_cancelled")
		})
	}
}

// staleWorkshops reads every workshop as not cancelled: the flows' view
// of a workshop read just before the team's cancellation landed.
type staleWorkshops struct{ *flowstest.Store }

func (s staleWorkshops) GetWorkshop(ctx context.Context, code string) (*flows.Workshop, error) {
	w, err := s.Store.GetWorkshop(ctx, code)
	if err == nil {
		w.Cancelled = false
	}
	return w, err
}

// A workshop cancelled between the flow's read of it and the booking, in
// each language: the store refuses the request, the answer, the move, the
// confirmation and the placing (its cancellation closes only the meetings
// open when it ran), the person is told the workshop is cancelled, and
// nothing is booked.
func TestMeetingsWorkshopCancelledMeanwhile(t *testing.T) {
	for _, lang := range []string{"en", "id"} {
		t.Run(lang, func(t *testing.T) {
			h, code, s := worldWith(t, lang, "Meja 1, Meja 2", "3", func(st *flowstest.Store) []flows.Module {
				return flowstest.AllModules(staleWorkshops{st})
			})
			ctx := context.Background()
			r23 := ask(t, h, code, s, 2, 3, 0)
			h.Press(4, buttonIn(t, ask(t, h, code, s, 2, 4, 1), "mt.btn_accept_at"))
			r34 := ask(t, h, code, s, 3, 4, 2)
			org(t, h, 6, lang, code, &flows.PartnerProfile{Org: "Dinas Sosial", Sector: "gov", Themes: l("wash"), Provinces: l("NT"), Offers: l("volunteers"), Needs: l("funding")})
			w, err := h.Store.GetWorkshop(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			w.Cancelled = true
			if _, err := h.Store.UpdateWorkshop(ctx, w); err != nil {
				t.Fatal(err)
			}
			flowstest.Alert(t, h.Press(3, buttonIn(t, r23, "mt.btn_accept_at")), "mt.ws_cancelled")
			res := h.Press(4, buttonIn(t, r34, "mt.btn_propose"))
			flowstest.WantIDs(t, res, "mt.choose_slot")
			flowstest.Alert(t, h.Press(4, buttonIn(t, res.Replies[0], "mt.btn_slot")), "mt.ws_cancelled")
			res = h.Press(6, "meetings.request:"+code+":2")
			flowstest.WantIDs(t, res, "mt.ask_slots")
			res = h.Press(6, "core.step:"+res.Session.Nonce+":x."+strconv.FormatInt(s.Slots()[3].Unix(), 10))
			res = h.Press(6, flowstest.ButtonData(t, res, "mt.done"))
			res = h.Press(6, flowstest.ButtonData(t, res, "mt.skip_note"))
			flowstest.WantIDs(t, res, "(clear buttons)", "mt.ws_cancelled")
			ms, err := h.Store.WorkshopMeetings(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				if m.Status != flows.MeetAccepted {
					continue
				}
				res = h.Press(2, "meetings.move:"+code+":"+m.ID)
				flowstest.WantIDs(t, res, "mt.choose_move")
				flowstest.Alert(t, h.Press(2, res.Replies[0].Buttons[0][0].Data), "mt.ws_cancelled")
			}
			if ms, err = h.Store.WorkshopMeetings(ctx, code); err != nil {
				t.Fatal(err)
			}
			booked := 0
			for _, m := range ms {
				if m.Status == flows.MeetAccepted {
					booked++
				}
			}
			if len(ms) != 3 || booked != 1 {
				t.Fatalf("after the cancellation: %d meetings, %d booked; want the 3 from before, only the one booked before", len(ms), booked)
			}
		})
	}
}

// A workshop the team moves, in each language: its meeting windows are cut
// to its new time, a meeting in a slot now outside it is cancelled (both
// sides told, its reminder dropped) and one inside kept; the team is told
// what is left. A move that keeps every window inside changes nothing.
func TestMeetingsWorkshopMoved(t *testing.T) {
	for _, lang := range []string{"en", "id"} {
		t.Run(lang, func(t *testing.T) {
			h, code, s := world(t, lang, "Meja 1", "3")
			ctx := context.Background()
			slots := s.Slots() // 09:30 … 11:10 WITA, the workshop 09:00–12:00
			h.Press(3, buttonIn(t, ask(t, h, code, s, 2, 3, 0), "mt.btn_accept_at"))
			h.Press(4, buttonIn(t, ask(t, h, code, s, 3, 4, 5), "mt.btn_accept_at"))
			edit := func(field, value string) *flows.Result {
				t.Helper()
				res := h.Press(flowstest.AdminID, "workshops.edit:"+code)
				res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.edit"))
				h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.field."+field))
				res = h.Text(flowstest.AdminID, value)
				return h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.save"))
			}
			// Ending later keeps every window inside.
			if res := edit("end", "12.30"); slices.Contains(flowstest.IDs(res), "mt.windows_cut") {
				t.Fatalf("a move that keeps the windows inside: %v", flowstest.IDs(res))
			}
			if w, _ := h.Store.GetWorkshop(ctx, code); !w.End.Equal(slots[0].Add(3 * time.Hour)) {
				t.Fatalf("end after the edit %v", w.End)
			}
			res := edit("start", "10/12/2026 10:30")
			w, _ := h.Store.GetWorkshop(ctx, code)
			if !w.Start.Equal(slots[0].Add(time.Hour)) {
				t.Fatalf("moved to %v", w.Start)
			}
			cut := reply(t, res, "mt.windows_cut", 0)
			if cut.Text.Data["Count"] != 1 || cut.Text.Data["Slots"] != 3 {
				t.Fatalf("team told %v: %s", cut.Text.Data, h.Render(lang, cut.Text))
			}
			reply(t, res, "mt.cancelled_by_team", 2)
			reply(t, res, "mt.cancelled_by_team", 3)
			s2, err := h.Store.MeetingSetup(ctx, code)
			if err != nil || len(s2.Windows) != 1 || !s2.Windows[0].Start.Equal(w.Start) || !s2.Windows[0].End.Equal(slots[5].Add(20*time.Minute)) {
				t.Fatalf("windows after the move %+v %v", s2, err)
			}
			ms, _ := h.Store.WorkshopMeetings(ctx, code)
			for _, m := range ms {
				inside := m.Slot.Equal(slots[5])
				if (m.Status == flows.MeetAccepted) != inside {
					t.Errorf("meeting at %v is %s after the move", m.Slot, m.Status)
				}
				if h.Store.HasJob("mtr|"+code+"."+m.ID+"|"+strconv.FormatInt(m.From, 10)) != inside {
					t.Errorf("meeting at %v: reminder kept %v", m.Slot, !inside)
				}
			}
		})
	}
}
