package registration

import (
	"context"
	"errors"
	"strconv"
	"time"

	"sinergi/flows"
)

// Registration: approval. A workshop that requires it keeps registrations
// pending (no seat) until someone who may manage it (Turn.CanManage,
// checked on every press by flows.Managed) approves or declines them from
// the list, one by one or all; the person is told either way.

// approvalPage is how many pending registrations the list shows at once.
const approvalPage = 10

func (e *module) registerApproval(r *flows.Registry) {
	for name, run := range map[string]func(context.Context, *flows.Turn, *flows.Workshop, string) error{
		routePending: e.pendingList,
		routeApprove: func(ctx context.Context, t *flows.Turn, w *flows.Workshop, arg string) error {
			return e.decideOne(ctx, t, w, arg, true)
		},
		routeDecline: func(ctx context.Context, t *flows.Turn, w *flows.Workshop, arg string) error {
			return e.decideOne(ctx, t, w, arg, false)
		},
		routeApproveAll: e.approveAll,
	} {
		r.Route(&flows.Route{Name: name, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, run)})
	}
}

// pendingList shows the first pending registrations with Approve and
// Decline for each, and Approve all; pressed from the list it replaces it.
func (e *module) pendingList(ctx context.Context, t *flows.Turn, w *flows.Workshop, arg string) error {
	regs, err := e.store.Registrations(ctx, w.Code)
	if err != nil {
		return flows.InternalError("registrations", err)
	}
	var pending []*flows.Registration
	for _, r := range regs {
		if r.Status == flows.RegPending {
			pending = append(pending, r)
		}
	}
	reply := flows.Reply{Text: flows.T("ws.no_pending", "Title", w.Title)}
	if len(pending) > 0 {
		var lines []flows.Text
		var rows [][]flows.Button
		for i, r := range pending[:min(len(pending), approvalPage)] {
			name, org := flows.NameOf(ctx, e.store, r.UserID)
			lines = append(lines, flows.T("ws.pending_line", "N", i+1, "Name", name, "Org", org))
			u := strconv.FormatInt(r.UserID, 10)
			rows = append(rows, []flows.Button{
				{Label: flows.T("ws.btn_approve_one", "N", i+1), Data: flows.MustData(routeApprove, w.Code, u)},
				{Label: flows.T("ws.btn_decline_one", "N", i+1), Data: flows.MustData(routeDecline, w.Code, u)}})
		}
		rows = append(rows, []flows.Button{{Label: flows.T("ws.btn_approve_all", "N", len(pending)), Data: flows.MustData(routeApproveAll, w.Code)}})
		reply = flows.Reply{Text: flows.T("ws.pending_list", "Title", w.Title, "Count", len(pending), "Lines", lines), Buttons: rows}
	}
	reply.Buttons = append(reply.Buttons, []flows.Button{{Label: flows.T("ws.back"), Data: flows.MustData("workshops.manage", w.Code)}})
	if arg == "edit" {
		reply.EditMessageID = t.In.MessageID
	}
	t.Send(reply)
	return nil
}

// decideOne approves or declines one pending registration; one decision
// counts, a second (another team member at the same moment) is told it
// was decided already.
func (e *module) decideOne(ctx context.Context, t *flows.Turn, w *flows.Workshop, arg string, approve bool) error {
	uid, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	toast, err := e.decide(ctx, t, w, uid, approve)
	if err != nil || toast == nil {
		return err
	}
	t.Answer(*toast, false)
	return e.pendingList(ctx, t, w, "edit")
}

// decide records one decision, tells the person, and returns the team's
// toast (nil when refused: the answer is set).
func (e *module) decide(ctx context.Context, t *flows.Turn, w *flows.Workshop, uid int64, approve bool) (*flows.Text, error) {
	before, err := e.store.GetRegistration(ctx, w.Code, uid)
	if err != nil && !errors.Is(err, flows.ErrNotFound) {
		return nil, flows.InternalError("pending registration", err)
	}
	r, err := e.store.DecideRegistration(ctx, w.Code, uid, approve)
	switch {
	case errors.Is(err, flows.ErrAlreadyDecided):
		t.Answer(flows.T("ws.already_decided"), true)
		return nil, nil
	case errors.Is(err, flows.ErrWorkshopCancelled):
		t.Answer(flows.T("ws.cancelled_note"), true)
		return nil, nil
	case err != nil:
		return nil, flows.InternalError("decide registration", err)
	}
	action := flows.AuditRegDecline
	if approve {
		action = flows.AuditRegApprove
	}
	if err := t.Audit(ctx, action, w.Code, uid); err != nil {
		return nil, err
	}
	lang := ""
	if before != nil {
		lang = before.Lang
	}
	if u, err := e.store.GetUser(ctx, uid); err == nil {
		lang = u.Lang
	}
	name, _ := flows.NameOf(ctx, e.store, uid)
	switch {
	case !approve:
		t.Send(flows.Reply{ChatID: uid, Lang: lang, Bulk: true, Text: flows.T("ws.reg_declined", "Title", w.Title)})
		toast := flows.T("ws.decline_done", "Name", name)
		return &toast, nil
	case r.Status == flows.RegWaiting:
		t.Send(flows.Reply{ChatID: uid, Lang: lang, Bulk: true, Text: flows.T("ws.approved_waiting", "Title", w.Title, "Pos", r.Position),
			Buttons: [][]flows.Button{{{Label: flows.T("ws.btn_unregister"), Data: flows.MustData(routeLeave, w.Code)}}}})
		toast := flows.T("ws.approve_done_waiting", "Name", name, "Pos", r.Position)
		return &toast, nil
	}
	if err := flows.PlanReminders(ctx, e.store, w, uid, t.In.Now); err != nil {
		return nil, err
	}
	invite, err := e.agendaConfirmed(ctx, w, uid, lang)
	if err != nil {
		return nil, err
	}
	for _, reply := range append(e.confirmation(w, r, uid, lang, t.In.Now, "ws.approved"), invite...) {
		t.Send(reply)
	}
	toast := flows.T("ws.approve_done", "Name", name)
	return &toast, nil
}

// approveAll approves every pending registration in registration order
// (those someone decided meanwhile are left as they are); each person is
// told.
func (e *module) approveAll(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	regs, err := e.store.Registrations(ctx, w.Code)
	if err != nil {
		return flows.InternalError("registrations", err)
	}
	approved := 0
	for _, r := range regs {
		if r.Status != flows.RegPending {
			continue
		}
		toast, err := e.decide(ctx, t, w, r.UserID, true)
		if err != nil {
			return err
		}
		if toast != nil {
			approved++
		}
	}
	t.Answer(flows.T("ws.approved_all", "Count", approved), false)
	return e.pendingList(ctx, t, w, "edit")
}

// approvalNoticeJob tells each member of the team of workshop code how many
// registrations await their approval: one message each, at most once per
// flows.ApprovalNoticeEvery per workshop. Run before then (another
// registration came in meanwhile), it runs again when the next notice may
// go, and tells the number waiting then; nothing when none wait.
func (e *module) approvalNoticeJob(ctx context.Context, now time.Time, code string) ([]flows.Reply, error) {
	w, err := e.store.GetWorkshop(ctx, code)
	if errors.Is(err, flows.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, flows.InternalError("approval notice workshop", err)
	}
	if w.Cancelled {
		return nil, nil
	}
	c, err := e.store.Counts(ctx, code)
	if err != nil {
		return nil, flows.InternalError("approval notice counts", err)
	}
	if c.Pending == 0 {
		return nil, nil
	}
	claimed, next, err := e.store.ClaimApprovalNotice(ctx, code, now, flows.ApprovalNoticeEvery)
	if err != nil {
		return nil, flows.InternalError("claim approval notice", err)
	}
	if !claimed {
		if err := e.store.Schedule(ctx, flows.Job{ID: flows.JobApprovalNotice + "|" + code, Due: next}); err != nil {
			return nil, flows.InternalError("schedule approval notice", err)
		}
		return nil, nil
	}
	var out []flows.Reply
	for _, f := range w.Facilitators {
		u, err := e.store.GetUser(ctx, f)
		if errors.Is(err, flows.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, flows.InternalError("approval notice member", err)
		}
		if u.Inactive {
			continue
		}
		out = append(out, flows.Reply{ChatID: f, Lang: u.Lang, Bulk: true,
			Text:    flows.T("ws.approval_waiting", "Count", c.Pending, "Title", w.Title),
			Buttons: [][]flows.Button{{{Label: flows.T("ws.btn_approval_review"), Data: flows.MustData(routePending, code)}}}})
	}
	return out, nil
}
