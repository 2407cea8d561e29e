package followup_test

import (
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// Issue #15: the due-date calendar has a weekday row with the days in their
// weekday columns, and on the last day of a month it opens on the next
// month instead of showing a single day.
func TestDueCalendarGrid(t *testing.T) {
	h, code := flowstest.FollowUpSetup(t)
	// 30 November 2026, 20:00 in Makassar (WITA): the last day of the month.
	h.Now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	h.Press(flowstest.AdminID, "followup.collect:"+code)
	h.Press(2, "followup.commit:"+code)
	res := h.Text(2, "Bangun 10 tandon air hujan di Sikka")
	res = h.Press(2, flowstest.ButtonData(t, res, "cm.owner_me"))
	flowstest.WantIDs(t, res, "(clear buttons)", "cm.ask_due")
	rows := res.Replies[len(res.Replies)-1].Buttons
	if len(rows) < 3 {
		t.Fatalf("calendar of %d rows", len(rows))
	}
	if m := rows[0][1].Label; m.ID != "cm.month" || m.Data["Month"].(flows.Text).ID != "month.12" {
		t.Fatalf("opens on %+v, want December", m)
	}
	head := rows[1]
	if len(head) != 7 || head[0].Label.ID != "cm.wd.1" || head[6].Label.ID != "cm.wd.7" {
		t.Fatalf("weekday row %+v", head)
	}
	days := 0
	for i, row := range rows[2:] {
		if len(row) != 7 {
			t.Fatalf("week %d has %d cells", i, len(row))
		}
		for col, b := range row {
			if b.Literal == "1" && (i != 0 || col != 1) { // 1 December 2026 is a Tuesday
				t.Fatalf("1 December in week %d, column %d", i, col)
			}
			if b.Literal != "·" {
				days++
			}
		}
	}
	if days != 31 {
		t.Fatalf("%d days to choose, want 31", days)
	}
	res = h.Press(2, flowstest.ButtonData(t, res, "1"))
	flowstest.WantIDs(t, res, "(clear buttons)", "cm.ask_indicator")
}
