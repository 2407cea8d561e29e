package followup_test

import (
	"context"
	"strings"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// A commitment written for someone else shows that person's name, never
// their Telegram id (issue #13, point 11).
func TestCommitmentForSomeoneShowsName(t *testing.T) {
	h, code := flowstest.FollowUpSetup(t)
	h.Press(2, "followup.commit:"+code)
	h.Text(2, "Data baseline desa")
	h.Press(2, "core.step:"+h.Sess[2].Nonce+":3")
	res := h.Text(2, "20/01/2027")
	res = h.Press(2, flowstest.ButtonData(t, res, "cm.skip"))
	res = h.Press(2, flowstest.ButtonData(t, res, "cm.skip"))
	flowstest.WantIDs(t, res, "(clear buttons)", "cm.summary")
	got := h.Rendered("en", res)
	if !strings.Contains(got, "👤 Peserta 3") || strings.Contains(got, "👤 3") {
		t.Fatalf("summary names the owner by id:\n%s", got)
	}
}

// Lateness and status are two dimensions: an overdue blocked commitment
// counts and is listed as blocked as well as overdue, and an overdue one on
// track still shows "on track" (issue #13, point 13).
func TestReportShowsStatusAndLateness(t *testing.T) {
	h, code := flowstest.FollowUpSetup(t)
	ctx := context.Background()
	past, future := h.Now.AddDate(0, 0, -3), h.Now.AddDate(0, 1, 0)
	for _, c := range []*flows.Commitment{
		{ID: "c1", What: "Late and blocked", Owner: 2, Due: past, Status: flows.CmBlocked},
		{ID: "c2", What: "Late but on track", Owner: 3, Due: past, Status: flows.CmOnTrack},
		{ID: "c3", What: "Blocked in time", Owner: 2, Due: future, Status: flows.CmBlocked},
	} {
		c.Workshop, c.Created = code, h.Now
		if err := h.Store.SaveCommitment(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	h.Store.SaveUser(ctx, &flows.User{ID: flowstest.AdminID, Lang: "en", Role: flows.RoleAdmin})
	res := h.Press(flowstest.AdminID, "followup.report:"+code)
	flowstest.WantIDs(t, res, "rp.text", "rp.chart_caption", "rp.csv_caption")
	d := res.Replies[0].Text.Data
	if d["Blocked"] != 2 || d["OnTrack"] != 1 || d["Overdue"] != 2 {
		t.Fatalf("report counts %v", d)
	}
	text := h.Render("en", res.Replies[0].Text)
	_, lists, _ := strings.Cut(text, "<b>Overdue</b>")
	overdueList, blockedList, _ := strings.Cut(lists, "<b>Blocked</b>")
	for _, want := range []string{"Late and blocked", "blocked, ⚠️ overdue", "Late but on track", "on track, ⚠️ overdue"} {
		if !strings.Contains(overdueList, want) {
			t.Errorf("overdue list lacks %q:\n%s", want, overdueList)
		}
	}
	for _, want := range []string{"Late and blocked", "Blocked in time"} {
		if !strings.Contains(blockedList, want) {
			t.Errorf("blocked list lacks %q:\n%s", want, blockedList)
		}
	}
	csv := string(res.Replies[2].Table.CSV())
	for _, want := range []string{"Days overdue", "Late and blocked,Peserta 2,Org 2,2026-11-20,blocked,3,", "Late but on track,Peserta 3,Org 3,2026-11-20,on track,3,", "Blocked in time,Peserta 2,Org 2,2026-12-23,blocked,,"} {
		if !strings.Contains(csv, want) {
			t.Errorf("csv lacks %q:\n%s", want, csv)
		}
	}

	// The owner's own list shows both too.
	h.Store.SaveUser(ctx, &flows.User{ID: 3, Lang: "en"})
	if got := h.Rendered("en", h.Text(3, "/mycommitments")); !strings.Contains(got, "on track, ⚠️ overdue") {
		t.Errorf("/mycommitments: %s", got)
	}
}
