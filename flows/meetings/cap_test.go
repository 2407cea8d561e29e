package meetings_test

import (
	"strings"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// Online meetings at most one per organisation, in each language: the
// booking names the link instead of a table; an organisation at its cap
// can neither ask for another meeting nor accept one asked before it got
// there, and is told why.
func TestMeetingsCapAndOnline(t *testing.T) {
	for _, lang := range []string{"en", "id"} {
		t.Run(lang, func(t *testing.T) {
			const link = "https://meet.example.org/temu"
			h, code, s := world(t, lang, link, "1")
			if len(s.Tables) != 0 || s.OnlineURL != link {
				t.Fatalf("setup %+v", s)
			}
			r23 := ask(t, h, code, s, 2, 3, 0)
			r43 := ask(t, h, code, s, 4, 3, 1) // asked while 3 is free
			res := h.Press(3, buttonIn(t, r23, "mt.btn_accept_at"))
			booked := reply(t, res, "mt.booked", 2)
			if r := h.Render(lang, booked.Text); !strings.Contains(r, link) {
				t.Fatalf("online booking without its link: %s", r)
			}
			// 3 holds its one meeting: 4's request can no longer be accepted.
			res = h.Press(3, buttonIn(t, r43, "mt.btn_accept_at"))
			flowstest.WantIDs(t, res, "mt.err_cap_you")
			if n := res.Replies[0].Text.Data["Count"]; n != 1 {
				t.Fatalf("cap said as %v", n)
			}
			ms, _ := h.Store.WorkshopMeetings(t.Context(), code)
			for _, m := range ms {
				if m.From == 4 && m.Status != flows.MeetPending {
					t.Fatalf("4's request became %s", m.Status)
				}
			}
			// 2 holds its one meeting: it cannot ask 4.
			flowstest.Alert(t, h.Press(2, "meetings.request:"+code+":4"), "mt.err_cap_you")
		})
	}
}
