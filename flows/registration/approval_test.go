package registration_test

import (
	"context"
	"testing"

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
