package meetings_test

import (
	"context"
	"testing"

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
