package followup_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
	"sinergi/flows/followup"
)

func TestCommitmentsFollowUp(t *testing.T) {
	h, code := flowstest.FollowUpSetup(t)
	ctx := context.Background()

	res := h.Press(flowstest.AdminID, "followup.collect:"+code)
	// Collected before the workshop: nobody is thanked for joining yet.
	flowstest.WantIDs(t, res, "cm.invitation_ahead", "cm.invitation_ahead", "cm.collection_opened")

	// Participant 2 commits, with bad input on the way.
	res = h.Press(2, "followup.commit:"+code)
	flowstest.WantIDs(t, res, "cm.intro", "cm.ask_what")
	flowstest.WantIDs(t, h.Text(2, "   "), "errors.too_short", "cm.ask_what")
	res = h.Text(2, "Bangun 10 tandon air hujan di Sikka")
	res = h.Press(2, flowstest.ButtonData(t, res, "cm.owner_me"))
	flowstest.WantIDs(t, res, "(clear buttons)", "cm.ask_due")
	flowstest.WantIDs(t, h.Text(2, "31/02/2027"), "ws.date_invalid", "cm.ask_due")
	flowstest.WantIDs(t, h.Text(2, "01/01/2026"), "cm.due_past", "cm.ask_due")
	res = h.Text(2, "15/01/2027")
	h.Press(2, flowstest.ButtonData(t, res, "cm.skip"))
	res = h.Text(2, "PT Hijau Lestari")
	flowstest.WantIDs(t, res, "cm.summary")
	res = h.Press(2, flowstest.ButtonData(t, res, "ws.save"))
	flowstest.WantIDs(t, res, "(clear buttons)", "cm.saved")
	mine, _ := h.Store.UserCommitments(ctx, 2)
	if len(mine) != 1 || mine[0].Status != flows.CmOpen || mine[0].Partners != "PT Hijau Lestari" {
		t.Fatalf("commitments %+v", mine)
	}
	c := mine[0]
	wita := flows.LoadZone("Asia/Makassar")
	if !c.Due.Equal(time.Date(2027, 1, 15, 9, 0, 0, 0, wita)) {
		t.Fatalf("due %v", c.Due)
	}
	for _, id := range followup.FollowUpIDs(c) {
		if !h.Store.HasJob(id) {
			t.Errorf("job %s not scheduled", id)
		}
	}

	// 2 writes one down for 3; only 3 can accept it.
	h.Press(2, "followup.commit:"+code)
	h.Text(2, "Data baseline desa")
	h.Press(2, "core.step:"+h.Sess[2].Nonce+":3")
	res = h.Text(2, "20/01/2027")
	res = h.Press(2, flowstest.ButtonData(t, res, "cm.skip"))
	res = h.Press(2, flowstest.ButtonData(t, res, "cm.skip"))
	res = h.Press(2, flowstest.ButtonData(t, res, "ws.save"))
	flowstest.WantIDs(t, res, "(clear buttons)", "cm.proposed_to_you", "cm.sent_for_confirmation")
	accept := res.Replies[1].Buttons[0][0].Data
	if res.Replies[1].ChatID != 3 {
		t.Fatalf("proposal sent to %d", res.Replies[1].ChatID)
	}
	if res := h.Press(2, accept); res.Answer == nil || res.Answer.Text.ID != "errors.not_allowed" {
		t.Fatalf("someone else accepted: %+v", res.Answer)
	}
	flowstest.WantIDs(t, h.Press(3, accept), "(clear buttons)", "cm.accepted", "cm.accepted_notice")

	// Reminders at their moments; escalation once.
	run := func(kind string, at time.Time) []flows.Reply {
		t.Helper()
		r, err := h.E.RunJob(ctx, flows.Job{ID: kind + "|" + code + "|" + c.ID}, at)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := run(followup.JobCm3, c.Due.AddDate(0, 0, -3)); len(r) != 1 || r[0].Text.ID != "cm.remind_3days" || r[0].ChatID != 2 {
		t.Fatalf("3-day reminder %+v", r)
	}
	if r := run(followup.JobCmDue, c.Due); len(r) != 1 || r[0].Text.ID != "cm.remind_due" {
		t.Fatalf("due-day reminder %+v", r)
	}
	// The workshop's facilitators' chat is told as well.
	if _, err := h.Store.LinkChat(ctx, &flows.ChatLink{Chat: -1002000000031, Thread: 4, Title: "Fasilitator",
		Purpose: flows.PurposeReports, Workshop: code, By: flowstest.AdminID, At: h.Now}); err != nil {
		t.Fatal(err)
	}
	if r := run(followup.JobCmEsc, c.Due.AddDate(0, 0, 7)); len(r) != 2 || r[0].Text.ID != "cm.escalation_overdue" || r[0].ChatID != flowstest.AdminID ||
		r[1].ChatID != -1002000000031 || r[1].Thread != 4 || r[1].Text.ID != "cm.escalation_overdue" {
		t.Fatalf("escalation %+v", r)
	}
	if r := run(followup.JobCmEsc, c.Due.AddDate(0, 0, 8)); len(r) != 0 {
		t.Fatalf("escalated twice: %+v", r)
	}

	// Status: only the owner; blocked escalates; the note is kept.
	if res := h.Press(3, "followup.status:"+code+":"+c.ID+":done"); res.Answer == nil || res.Answer.Text.ID != "errors.not_allowed" {
		t.Fatalf("someone else set the status: %+v", res.Answer)
	}
	res = h.Press(2, "followup.status:"+code+":"+c.ID+":blocked")
	// (to the facilitator, and to the workshop's facilitators' chat linked above)
	flowstest.WantIDs(t, res, "(clear buttons)", "cm.escalation_blocked", "cm.escalation_blocked", "cm.status_saved", "cm.ask_note")
	if res.Replies[2].ChatID != -1002000000031 || res.Replies[2].Thread != 4 {
		t.Fatalf("blocked escalation to the facilitators' chat: %+v", res.Replies[2])
	}
	flowstest.WantIDs(t, h.Text(2, "Dana CSR belum cair"), "cm.thanks")
	got, _ := h.Store.GetCommitment(ctx, code, c.ID)
	if n := len(got.History); n != 1 || got.History[0].Note != "Dana CSR belum cair" || got.Status != flows.CmBlocked {
		t.Fatalf("history %+v", got.History)
	}

	// The report: text, chart, CSV; refused to participants.
	if res := h.Press(2, "followup.report:"+code); res.Answer == nil || res.Answer.Text.ID != "errors.not_allowed" {
		t.Fatalf("participant read the report: %+v", res.Answer)
	}
	h.Now = c.Due.AddDate(0, 0, 2)
	res = h.Press(flowstest.AdminID, "followup.report:"+code)
	flowstest.WantIDs(t, res, "rp.text", "rp.chart_caption", "rp.csv_caption")
	d := res.Replies[0].Text.Data
	if d["Count"] != 2 || d["Overdue"] != 1 || d["NoAnswer"] != 1 || d["Rate"] != 0 {
		t.Fatalf("report %v", d)
	}
	if ch := res.Replies[1].Chart; ch == nil || ch.Name != "report-"+code || ch.Tally.Total != 2 || ch.Tally.Overdue != 1 ||
		len(ch.Orgs) == 0 || ch.Labels.Title == "" {
		t.Fatalf("chart %+v", ch)
	}
	csv := string(res.Replies[2].Table.CSV())
	if !strings.Contains(csv, "Bangun 10 tandon air hujan di Sikka") || !strings.Contains(csv, "Dana CSR belum cair") {
		t.Fatalf("csv %q", csv)
	}

	// Done cancels the pending reminders.
	h.Press(2, "followup.status:"+code+":"+c.ID+":done")
	for _, id := range followup.FollowUpIDs(c) {
		if h.Store.HasJob(id) {
			t.Errorf("job %s still scheduled after done", id)
		}
	}
}

func TestTally(t *testing.T) {
	now := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	past, future := now.AddDate(0, 0, -5), now.AddDate(0, 0, 5)
	y := followup.TallyOf([]*flows.Commitment{
		{Status: flows.CmDone, Due: past}, {Status: flows.CmOpen, Due: past}, {Status: flows.CmBlocked, Due: future},
		{Status: flows.CmOnTrack, Due: future}, {Status: flows.CmOpen, Due: future}, {Status: flows.CmProposed, Due: future},
		{Status: flows.CmBlocked, Due: past}, {Status: flows.CmProposed, Due: past}, {Status: flows.CmDone, Due: future},
	}, now)
	// Statuses add up to the total; overdue counts across them.
	if (y != flows.Tally{Total: 9, Done: 2, OnTrack: 1, Blocked: 2, Overdue: 2, NoAnswer: 2, Proposed: 2}) || y.Completion() != 28 {
		t.Fatalf("%+v %d", y, y.Completion())
	}
}

func TestWeeklyDigest(t *testing.T) {
	w := &flows.Workshop{Zone: "Asia/Jakarta"}
	jkt := flows.LoadZone("Asia/Jakarta")
	for _, c := range []struct{ now, want time.Time }{
		{time.Date(2026, 11, 23, 7, 0, 0, 0, jkt), time.Date(2026, 11, 23, 8, 0, 0, 0, jkt)}, // Monday before 08:00
		{time.Date(2026, 11, 23, 8, 0, 0, 0, jkt), time.Date(2026, 11, 30, 8, 0, 0, 0, jkt)}, // Monday 08:00: next week
		{time.Date(2026, 11, 26, 15, 0, 0, 0, jkt), time.Date(2026, 11, 30, 8, 0, 0, 0, jkt)},
	} {
		if got := followup.NextDigest(w, c.now); !got.Equal(c.want) {
			t.Errorf("NextDigest(%v) = %v, want %v", c.now, got, c.want)
		}
	}
	h, code := flowstest.FollowUpSetup(t)
	ctx := context.Background()
	h.Store.SaveCommitment(ctx, &flows.Commitment{ID: "x1", Workshop: code, What: "X", Owner: 2, Due: h.Now.AddDate(0, 1, 0), Status: flows.CmOpen, Created: h.Now})
	r, err := h.E.RunJob(ctx, flows.Job{ID: followup.JobDigest + "|" + code}, h.Now)
	if err != nil || len(r) != 1 || r[0].ChatID != flowstest.AdminID || r[0].Text.ID != "rp.digest" {
		t.Fatalf("digest %+v %v", r, err)
	}
	if !h.Store.HasJob(followup.JobDigest + "|" + code) {
		t.Fatal("next digest not planned")
	}
	// A facilitators' chat linked to the workshop gets the digest too,
	// in its topic, without the private report button.
	if _, err := h.Store.LinkChat(ctx, &flows.ChatLink{Chat: -1002000000031, Thread: 4, Title: "Fasilitator", Purpose: flows.PurposeReports,
		Workshop: code, By: flowstest.AdminID, At: h.Now}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Store.LinkChat(ctx, &flows.ChatLink{Chat: -1002000000032, Title: "Peserta", Purpose: flows.PurposeWorkshop,
		Workshop: code, By: flowstest.AdminID, At: h.Now}); err != nil {
		t.Fatal(err)
	}
	r, err = h.E.RunJob(ctx, flows.Job{ID: followup.JobDigest + "|" + code}, h.Now)
	if err != nil || len(r) != 2 || r[1].ChatID != -1002000000031 || r[1].Thread != 4 || r[1].Text.ID != "rp.digest" || len(r[1].Buttons) != 0 || r[1].Lang != "id" {
		t.Fatalf("digest with a facilitators' chat %+v %v", r, err)
	}
	h.Store.SaveCommitment(ctx, &flows.Commitment{ID: "x1", Workshop: code, What: "X", Owner: 2, Due: h.Now.AddDate(0, 1, 0), Status: flows.CmDone, Created: h.Now})
	if r, _ := h.E.RunJob(ctx, flows.Job{ID: followup.JobDigest + "|" + code}, h.Now); len(r) != 0 {
		t.Fatalf("digest with nothing open: %+v", r)
	}
}

func TestCheckInInterval(t *testing.T) {
	h, code := flowstest.FollowUpSetup(t)
	ctx := context.Background()
	for _, want := range []int{14, 30, 7} {
		res := h.Press(flowstest.AdminID, "followup.checkins:"+code)
		if res.Answer == nil || res.Answer.Text.Data["Count"] != want {
			t.Fatalf("answer %+v, want %d days", res.Answer, want)
		}
	}
	if res := h.Press(2, "followup.checkins:"+code); res.Answer == nil || res.Answer.Text.ID != "errors.not_allowed" {
		t.Fatalf("participant changed the interval: %+v", res.Answer)
	}
	h.Press(flowstest.AdminID, "followup.checkins:"+code) // 14 days
	c := &flows.Commitment{ID: "c1", Workshop: code, What: "X", Owner: 2, Due: h.Now.AddDate(0, 1, 0), Status: flows.CmOpen, Created: h.Now}
	h.Store.SaveCommitment(ctx, c)
	if _, err := h.E.RunJob(ctx, flows.Job{ID: followup.JobCmCheck + "|" + code + "|c1"}, h.Now); err != nil {
		t.Fatal(err)
	}
	if next := h.Store.JobDue(followup.JobCmCheck + "|" + code + "|c1"); !next.Equal(h.Now.Add(14 * 24 * time.Hour)) {
		t.Fatalf("next check-in %v", next)
	}
}

// A commitment reminder says the time left when it is sent: one found a day
// late says "tomorrow" (not "in three days"), and one that would now say
// something untrue (the 3-day reminder on the due day, the due-day one a
// day after) is dropped as late.
func TestCommitmentReminderWordingAtSendTime(t *testing.T) {
	h, code := flowstest.FollowUpSetup(t)
	ctx := context.Background()
	h.Press(flowstest.AdminID, "followup.collect:"+code)
	h.Press(2, "followup.commit:"+code)
	h.Text(2, "Bangun tandon")
	h.Press(2, "core.step:"+h.Sess[2].Nonce+":2")
	res := h.Text(2, "15/01/2027")
	res = h.Press(2, flowstest.ButtonData(t, res, "cm.skip"))
	res = h.Press(2, flowstest.ButtonData(t, res, "cm.skip"))
	h.Press(2, flowstest.ButtonData(t, res, "ws.save"))
	mine, _ := h.Store.UserCommitments(ctx, 2)
	c := mine[0]
	run := func(kind string, at time.Time) ([]flows.Reply, error) {
		return h.E.RunJob(ctx, flows.Job{ID: kind + "|" + code + "|" + c.ID}, at)
	}
	for _, tc := range []struct {
		kind string
		at   time.Time
		left string
		n    any
	}{
		{followup.JobCm3, c.Due.AddDate(0, 0, -3), "when.in_days", 3},
		{followup.JobCm3, c.Due.AddDate(0, 0, -1).Add(5 * time.Hour), "when.tomorrow", nil},
		{followup.JobCmDue, c.Due.Add(3 * time.Hour), "when.today", nil},
	} {
		r, err := run(tc.kind, tc.at)
		if err != nil || len(r) != 1 {
			t.Fatalf("%s at %v: %+v, %v", tc.kind, tc.at, r, err)
		}
		left, _ := r[0].Text.Data["Left"].(flows.Text)
		if left.ID != tc.left || (tc.n != nil && left.Data["Count"] != tc.n) {
			t.Errorf("%s at %v says %+v, want %s %v", tc.kind, tc.at, left, tc.left, tc.n)
		}
	}
	for _, tc := range []struct {
		kind string
		at   time.Time
	}{{followup.JobCm3, c.Due.Add(time.Hour)}, {followup.JobCmDue, c.Due.AddDate(0, 0, 1)}} {
		if r, err := run(tc.kind, tc.at); !errors.Is(err, flows.ErrJobLate) || len(r) != 0 {
			t.Errorf("%s at %v: %+v, %v; want dropped as late", tc.kind, tc.at, r, err)
		}
	}
}

func TestTimeLeft(t *testing.T) {
	jkt := "Asia/Jakarta"
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, flows.LoadZone(jkt))
	for _, c := range []struct {
		before time.Duration
		id     string
		n      any
	}{
		{72 * time.Hour, "when.in_days", 3},
		{20 * time.Hour, "when.tomorrow", nil}, // 13:00 the day before
		{8 * time.Hour, "when.in_hours", 8},    // 01:00 the same day
		{2 * time.Hour, "when.in_hours", 2},
		{90 * time.Minute, "when.in_minutes", 90},
		{30 * time.Second, "when.in_minutes", 1},
	} {
		got := flows.TimeLeft(start.Add(-c.before), start, jkt)
		if got.ID != c.id || (c.n != nil && (got.Data["Count"] != c.n || got.Count != c.n)) {
			t.Errorf("%v before: %+v, want %s %v", c.before, got, c.id, c.n)
		}
	}
}

// Collected after the workshop, the invitation thanks people for joining.
func TestCollectionAfterWorkshopThanks(t *testing.T) {
	h, code := flowstest.FollowUpSetup(t)
	w, _ := h.Store.GetWorkshop(context.Background(), code)
	h.Now = w.End.Add(time.Hour)
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "followup.collect:"+code), "cm.invitation", "cm.invitation", "cm.collection_opened")
}
