package followup_test

import (
	"context"
	"strings"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// The confirmation of a commitment promises only the reminders that are
// planned: none "three days before" for one due in less than three days,
// and the status question at the workshop's own interval (#23).
func TestCommitmentConfirmationPromisesWhatIsPlanned(t *testing.T) {
	h, code := flowstest.FollowUpSetup(t)
	ctx := context.Background()
	h.Press(flowstest.AdminID, "followup.collect:"+code)
	commit := func(user int64, due string) *flows.Result {
		t.Helper()
		h.Press(user, "followup.commit:"+code)
		res := h.Text(user, "Rapat koordinasi desa")
		h.Press(user, flowstest.ButtonData(t, res, "cm.owner_me"))
		res = h.Text(user, due)
		res = h.Press(user, flowstest.ButtonData(t, res, "cm.skip"))
		res = h.Press(user, flowstest.ButtonData(t, res, "cm.skip"))
		return h.Press(user, flowstest.ButtonData(t, res, "ws.save"))
	}
	promise := func(res *flows.Result) (when, every string) {
		t.Helper()
		flowstest.WantIDs(t, res, "(clear buttons)", "cm.saved")
		d := res.Replies[1].Text.Data
		return d["When"].(flows.Text).ID, d["Every"].(flows.Text).ID
	}
	tomorrow := h.Now.In(flows.LoadZone("Asia/Makassar")).AddDate(0, 0, 1).Format("02/01/2006")
	if when, every := promise(commit(2, tomorrow)); when != "cm.remind_on_due" || every != "cm.every_week" {
		t.Errorf("due tomorrow: promised %s, %s", when, every)
	}
	later := h.Now.AddDate(0, 0, 10).Format("02/01/2006")
	if when, _ := promise(commit(2, later)); when != "cm.remind_3days_and_due" {
		t.Errorf("due in 10 days: promised %s", when)
	}
	// A workshop whose status question comes every 3 days says so.
	w, err := h.Store.GetWorkshop(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	w.CheckInDays = 3
	if _, err := h.Store.UpdateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	res := commit(3, later)
	if _, every := promise(res); every != "cm.every_days" || res.Replies[1].Text.Data["Every"].(flows.Text).Count != 3 {
		t.Errorf("every 3 days: promised %+v", res.Replies[1].Text.Data["Every"])
	}
	if got := h.Rendered("en", res); !strings.Contains(got, "every 3 days") || strings.Contains(got, "every week") {
		t.Errorf("rendered %q", got)
	}
}
