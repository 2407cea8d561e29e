package registration_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// replyTo is the first reply in res to chat with message id.
func replyTo(t *testing.T, res *flows.Result, chat int64, id string) flows.Reply {
	t.Helper()
	for _, r := range res.Replies {
		if r.ChatID == chat && r.Text.ID == id {
			return r
		}
	}
	t.Fatalf("no %s to %d in %v", id, chat, flowstest.IDs(res))
	return flows.Reply{}
}

// A workshop that requires approval: registrations wait, pending and
// holding no seat; the team approves (a ticket, or the waiting list when
// full, explained) or declines (the person is told) one by one or all; a
// second decision on the same person is told it was decided already.
func TestApproval(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	code := flowstest.CreateWorkshop(t, h, "1")
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "workshops.approval:"+code), "ws.manage_card")
	for _, id := range []int64{2, 3, 4, 5, 6} {
		h.Store.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: "Peserta", Organisation: "Org", ConsentVersion: flows.ConsentVersion})
	}
	for _, id := range []int64{2, 3, 4} {
		flowstest.WantIDs(t, h.Press(id, "registration.join:"+code), "ws.pending_request")
	}
	flowstest.WantIDs(t, h.Press(2, "registration.join:"+code), "ws.pending_request") // pressed again: where they stand
	if c, _ := h.Store.Counts(ctx, code); c != (flows.Counts{Pending: 3}) {
		t.Fatalf("counts %+v: pending people hold no seat", c)
	}
	res := h.Text(2, "/mine")
	if lines := res.Replies[0].Text.Data["Lines"].([]flows.Text); lines[0].Data["Status"].(flows.Text).ID != "ws.you_pending" {
		t.Fatalf("/mine %+v", lines)
	}
	flowstest.Alert(t, h.Press(2, "registration.pending:"+code), "errors.not_allowed")
	res = h.Press(flowstest.AdminID, "workshops.registrants:"+code+":0")
	if lines := res.Replies[0].Text.Data["Lines"].([]flows.Text); len(lines) != 3 || lines[0].ID != "ws.reg_line_pending" {
		t.Fatalf("registrant lines %+v", lines)
	}

	res = h.Press(flowstest.AdminID, "registration.pending:"+code)
	flowstest.WantIDs(t, res, "ws.pending_list")
	if res.Replies[0].Text.Data["Count"] != 3 {
		t.Fatalf("pending list %+v", res.Replies[0].Text.Data)
	}
	// Approve 2: registered, with the ticket.
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.btn_approve_one"))
	if res.Answer == nil || res.Answer.Text.ID != "ws.approve_done" {
		t.Fatalf("answer %+v", res.Answer)
	}
	replyTo(t, res, 2, "ws.approved")
	if replyTo(t, res, 2, "ws.ics_caption").Calendar == nil || replyTo(t, res, 2, "ws.qr_caption").QR == nil {
		t.Fatal("approved without calendar file or QR code")
	}
	if !h.Store.HasJob(flows.JobDayBefore + "|" + code + "|2") {
		t.Fatal("approved without reminders")
	}
	// Approve 3: the workshop is full, so the waiting list, explained.
	res = h.Press(flowstest.AdminID, "registration.approve:"+code+":3")
	if res.Answer == nil || res.Answer.Text.ID != "ws.approve_done_waiting" {
		t.Fatalf("answer %+v", res.Answer)
	}
	if got := replyTo(t, res, 3, "ws.approved_waiting"); got.Text.Data["Pos"] != 1 {
		t.Fatalf("approved onto the waiting list at %v", got.Text.Data["Pos"])
	}
	// The same person again (another team member a moment later): decided already.
	res = h.Press(flowstest.AdminID, "registration.reject:"+code+":3")
	flowstest.Alert(t, res, "ws.already_decided")
	if r, _ := h.Store.GetRegistration(ctx, code, 3); r.Status != flows.RegWaiting {
		t.Fatalf("3 after a second decision: %+v", r)
	}
	// Decline 4: told, gone.
	res = h.Press(flowstest.AdminID, "registration.reject:"+code+":4")
	replyTo(t, res, 4, "ws.reg_declined")
	if _, err := h.Store.GetRegistration(ctx, code, 4); err == nil {
		t.Fatal("declined, still registered")
	}
	// Approve all: 5 and 6, both onto the waiting list.
	h.Press(5, "registration.join:"+code)
	h.Press(6, "registration.join:"+code)
	res = h.Press(flowstest.AdminID, "registration.approve_all:"+code)
	if res.Answer == nil || res.Answer.Text.ID != "ws.approved_all" || res.Answer.Text.Data["Count"] != 2 {
		t.Fatalf("approve all: %+v", res.Answer)
	}
	replyTo(t, res, 5, "ws.approved_waiting")
	replyTo(t, res, 6, "ws.approved_waiting")
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "registration.pending:"+code), "ws.no_pending")
	if c, _ := h.Store.Counts(ctx, code); c != (flows.Counts{Confirmed: 1, Waiting: 3}) {
		t.Fatalf("counts %+v", c)
	}
	var approvals int
	for _, a := range h.Store.AuditTrail() {
		if a.Action == flows.AuditRegApprove || a.Action == flows.AuditRegDecline {
			approvals++
		}
	}
	if approvals != 5 {
		t.Fatalf("%d decisions in the audit trail, want 5", approvals)
	}
}

// The team is told when registrations await approval: one message to each
// member, at most one per workshop an hour, saying how many wait; one that
// comes in meanwhile waits for the hour, and none is sent when nobody waits.
func TestTeamToldOfPendingRegistrations(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	code := flowstest.CreateWorkshop(t, h, "1")
	h.Press(flowstest.AdminID, "workshops.approval:"+code)
	const coFac = 70
	if err := h.Store.SaveUser(ctx, &flows.User{ID: coFac, Lang: "en", Role: flows.RoleFacilitator, FirstName: "Rina"}); err != nil {
		t.Fatal(err)
	}
	if err := h.Store.CreateTeamInvite(ctx, &flows.TeamInvite{Token: "tok70", Workshop: code, By: flowstest.AdminID, Created: h.Now, Expires: h.Now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Store.JoinTeam(ctx, code, "tok70", coFac, h.Now); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{2, 3, 4} {
		h.Store.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: "Peserta", Organisation: "Org", ConsentVersion: flows.ConsentVersion})
	}
	job := flows.JobApprovalNotice + "|" + code
	run := func(at time.Time) []flows.Reply {
		t.Helper()
		replies, err := h.E.RunJob(ctx, flows.Job{ID: job, Due: at}, at)
		if err != nil {
			t.Fatal(err)
		}
		return replies
	}
	if h.Store.HasJob(job) {
		t.Fatal("a notice planned before anyone registered")
	}
	first := h.Now
	h.Press(2, "registration.join:"+code)
	h.Press(3, "registration.join:"+code)
	if due := h.Store.JobDue(job); !due.Equal(first.Truncate(time.Millisecond)) {
		t.Fatalf("notice due %v, want now %v", due, first)
	}
	told := func(replies []flows.Reply, count int) {
		t.Helper()
		var to []int64
		for _, r := range replies {
			if r.Text.ID != "ws.approval_waiting" || r.Text.Data["Count"] != count || !r.Bulk {
				t.Fatalf("notice %+v", r)
			}
			if got := flowstest.ButtonData(t, &flows.Result{Replies: []flows.Reply{r}}, "ws.btn_approval_review"); got != "registration.pending:"+code {
				t.Fatalf("button %q", got)
			}
			to = append(to, r.ChatID)
		}
		if !slices.Equal(to, []int64{flowstest.AdminID, coFac}) {
			t.Fatalf("told %v, want the team", to)
		}
	}
	told(run(first), 2)
	if replies := run(first); len(replies) != 0 {
		t.Fatalf("a second notice within the hour: %v", replies)
	}

	// 4 registers ten minutes later: the notice waits for the hour.
	h.Now = first.Add(10 * time.Minute)
	h.Press(4, "registration.join:"+code)
	if replies := run(h.Now); len(replies) != 0 {
		t.Fatalf("told again within the hour: %v", replies)
	}
	if due := h.Store.JobDue(job); !due.Equal(first.Add(time.Hour).Truncate(time.Millisecond)) {
		t.Fatalf("next notice due %v, want %v", due, first.Add(time.Hour))
	}
	told(run(first.Add(time.Hour)), 3)

	// Once nobody waits, nothing is sent.
	h.Press(flowstest.AdminID, "registration.approve_all:"+code)
	if replies := run(first.Add(3 * time.Hour)); len(replies) != 0 {
		t.Fatalf("told with nobody waiting: %v", replies)
	}
}
