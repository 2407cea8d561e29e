package workshops

import (
	"context"
	"strconv"
	"time"

	"sinergi/flows"
)

// Workshops: a facilitator's list, the management card, registrants, export, closing and cancelling.

func (e *module) myWorkshops(ctx context.Context, t *flows.Turn, page int, edit bool) error {
	all, err := flows.ManagedWorkshops(ctx, e.store, t)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		t.Say(flows.T("ws.none_yet"), []flows.Button{{Label: flows.T("menu.newworkshop"), Data: flows.MenuData("newworkshop")}})
		return nil
	}
	pages := (len(all) + flows.ListPage - 1) / flows.ListPage
	page = max(0, min(page, pages-1))
	var rows [][]flows.Button
	for _, w := range all[page*flows.ListPage : min(len(all), (page+1)*flows.ListPage)] {
		c, err := e.store.Counts(ctx, w.Code)
		if err != nil {
			return flows.InternalError("counts", err)
		}
		label := flows.T("ws.list_item_manage", "Title", w.Title, "Date", flows.When{At: w.Start, Zone: w.Zone, DateOnly: true}, "N", c.Confirmed, "Cap", capacityLabel(w))
		if w.Cancelled {
			label = flows.T("ws.list_item_cancelled", "Title", w.Title)
		}
		rows = append(rows, []flows.Button{{Label: label, Data: flows.MustData(routeManage, w.Code)}})
	}
	rows = append(rows, flows.Pager(routeMine, page, pages)...)
	r := flows.Reply{Text: flows.T("ws.my_title", "N", len(all)), Buttons: rows}
	if edit {
		r.EditMessageID = t.In.MessageID
	}
	t.Send(r)
	return nil
}

// capacityLabel is "50" or "∞".
func capacityLabel(w *flows.Workshop) any {
	if w.Capacity == 0 {
		return flows.HTML("∞")
	}
	return w.Capacity
}

func (e *module) manageCard(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	c, err := e.store.Counts(ctx, w.Code)
	if err != nil {
		return flows.InternalError("counts", err)
	}
	state := flows.T("ws.state_open")
	switch {
	case w.Cancelled:
		state = flows.T("ws.state_cancelled")
	case w.Closed || !t.In.Now.Before(w.Deadline):
		state = flows.T("ws.state_closed")
	}
	text := flows.T("ws.manage_card", "Details", flows.WorkshopDetails(w), "State", state, "Confirmed", c.Confirmed,
		"Cap", capacityLabel(w), "Waiting", c.Waiting, "CheckedIn", c.CheckedIn, "Link", t.BotLink("ws_"+w.Code),
		"Team", e.teamNames(ctx, w))
	code := w.Code
	rows := [][]flows.Button{
		{{Label: flows.T("ws.btn_registrants"), Data: flows.MustData(routeRegistrants, code, "0")}, {Label: flows.T("ws.btn_export"), Data: flows.MustData(routeExport, code)}},
		{{Label: flows.T("ws.btn_team", "Count", len(w.Facilitators)), Data: flows.MustData(routeTeam, code)},
			{Label: flows.T("ws.btn_message"), Data: flows.MustData(routeMessage, code)}},
	}
	if !w.Cancelled {
		edit := []flows.Button{{Label: flows.T("ws.btn_edit"), Data: flows.MustData(routeEdit, code)}}
		if t.In.Now.Before(w.Deadline) { // past the deadline registration is closed either way
			toggle := flows.T("ws.btn_close")
			if w.Closed {
				toggle = flows.T("ws.btn_reopen")
			}
			edit = append(edit, flows.Button{Label: toggle, Data: flows.MustData(routeToggleClosed, code)})
		}
		rows = append(rows, edit,
			[]flows.Button{{Label: flows.T("ws.btn_collect"), Data: flows.MustData("followup.collect", code)}, {Label: flows.T("ws.btn_report"), Data: flows.MustData("followup.report", code)}},
			[]flows.Button{{Label: flows.T("ws.btn_checkins", "Count", int(w.CheckInEvery()/(24*time.Hour))), Data: flows.MustData("followup.checkins", code)}},
			[]flows.Button{{Label: flows.T("ws.btn_feedback"), Data: flows.MustData(routeFeedback, code)}, {Label: flows.T("ws.btn_cancel"), Data: flows.MustData(routeCancel, code)}})
	}
	t.Say(text, rows...)
	return nil
}

func (e *module) listRegistrants(ctx context.Context, t *flows.Turn, w *flows.Workshop, arg string) error {
	page, _ := strconv.Atoi(arg)
	regs, err := e.store.Registrations(ctx, w.Code)
	if err != nil {
		return flows.InternalError("registrations", err)
	}
	if len(regs) == 0 {
		t.Answer(flows.T("ws.no_registrants"), true)
		return nil
	}
	pages := (len(regs) + regPage - 1) / regPage
	page = max(0, min(page, pages-1))
	var lines []flows.Text
	for i, r := range regs[page*regPage : min(len(regs), (page+1)*regPage)] {
		name, org := flows.NameOf(ctx, e.store, r.UserID)
		id := "ws.reg_line_confirmed"
		switch {
		case r.Status == flows.RegWaiting:
			id = "ws.reg_line_waiting"
		case !r.CheckedInAt.IsZero():
			id = "ws.reg_line_checked"
		}
		lines = append(lines, flows.T(id, "N", page*regPage+i+1, "Name", name, "Org", org, "Pos", r.Position))
	}
	r := flows.Reply{Text: flows.T("ws.registrants", "Title", w.Title, "Lines", lines, "Total", len(regs)),
		Buttons: append(flows.Pager(routeRegistrants, page, pages, w.Code), []flows.Button{{Label: flows.T("ws.back"), Data: flows.MustData(routeManage, w.Code)}})}
	if arg != "0" || t.In.MessageID == 0 {
		r.EditMessageID = t.In.MessageID
	}
	t.Send(r)
	return nil
}

func (e *module) exportCSV(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	regs, err := e.store.Registrations(ctx, w.Code)
	if err != nil {
		return flows.InternalError("registrations", err)
	}
	tx := func(id string) string { s, _ := e.texts.Text(t.Lang, id, nil, nil); return s }
	cols := []flows.Column{{Header: tx("csv.name")}, {Header: tx("csv.org")}, {Header: tx("csv.sector")}, {Header: tx("csv.province")},
		{Header: tx("csv.lang")}, {Header: tx("csv.status")}, {Header: flows.ZoneHeader(tx("csv.registered_at"), w.Zone)},
		{Header: flows.ZoneHeader(tx("csv.checked_in_at"), w.Zone)}, {Header: tx("csv.answer")}}
	rows := make([][]any, 0, len(regs))
	for _, r := range regs {
		row := make([]any, 9)
		if p, err := e.store.GetProfile(ctx, r.UserID); err == nil {
			row[0], row[1], row[2], row[3] = p.FullName, p.Organisation, tx("sector."+p.Sector), tx("province."+p.Province)
		} else {
			row[0], _ = flows.NameOf(ctx, e.store, r.UserID)
		}
		row[4] = r.Lang
		row[5] = tx("ws.status." + string(r.Status))
		row[6], row[7], row[8] = r.RegisteredAt, r.CheckedInAt, r.Answer
		rows = append(rows, row)
	}
	if err := t.Audit(ctx, flows.AuditExport, w.Code, 0); err != nil {
		return err
	}
	t.Send(flows.Reply{Text: flows.T("ws.export_caption", "Title", w.Title, "Count", len(regs)),
		Table: &flows.Table{Name: "registrants-" + w.Code, Sheet: tx("csv.sheet_registrants"), Zone: flows.LoadZone(w.Zone), Columns: cols, Rows: rows}})
	return nil
}

func (e *module) editWorkshop(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	if w.Cancelled {
		t.Answer(flows.T("ws.cancelled_note"), true)
		return nil
	}
	return t.StartFlowAt(ctx, "workshop", "confirm", workshopData(w))
}

func (e *module) toggleClosed(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	w.Closed = !w.Closed
	if _, err := e.store.UpdateWorkshop(ctx, w); err != nil {
		return flows.InternalError("close workshop", err)
	}
	id, action := "ws.reopened", flows.AuditWsReopen
	if w.Closed {
		id, action = "ws.closed", flows.AuditWsClose
	}
	if err := t.Audit(ctx, action, w.Code, 0); err != nil {
		return err
	}
	t.Answer(flows.T(id), false)
	return e.manageCard(ctx, t, w, "")
}

func (e *module) askCancelWorkshop(_ context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	t.Say(flows.T("ws.cancel_confirm", "Title", w.Title), []flows.Button{
		{Label: flows.T("ws.cancel_yes"), Data: flows.MustData(routeCancelYes, w.Code)}, {Label: flows.T("ws.back"), Data: flows.MustData(routeManage, w.Code)},
	})
	return nil
}

// cancelWorkshop cancels it, tells every registrant and waiting person, and
// drops their reminders.
func (e *module) cancelWorkshop(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	if w.Cancelled {
		t.Answer(flows.T("ws.cancelled_note"), true)
		return nil
	}
	regs, err := e.store.Registrations(ctx, w.Code)
	if err != nil {
		return flows.InternalError("registrations", err)
	}
	w.Cancelled = true
	if _, err := e.store.UpdateWorkshop(ctx, w); err != nil {
		return flows.InternalError("cancel workshop", err)
	}
	if err := t.Audit(ctx, flows.AuditWsCancel, w.Code, 0); err != nil {
		return err
	}
	for _, r := range regs {
		if err := e.store.Unschedule(ctx, flows.ReminderIDs(w.Code, r.UserID)...); err != nil {
			return flows.InternalError("unschedule", err)
		}
		t.Send(flows.Reply{ChatID: r.UserID, Lang: r.Lang, Bulk: true, Text: flows.T("ws.cancelled_notice", "Title", w.Title, "Start", flows.When{At: w.Start, Zone: w.Zone})})
	}
	if t.In.MessageID != 0 {
		t.Send(flows.Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	}
	t.Say(flows.T("ws.cancelled_done", "Title", w.Title, "Count", len(regs)))
	return nil
}

func (e *module) feedbackSummary(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	fb, err := e.store.Feedback(ctx, w.Code)
	if err != nil {
		return flows.InternalError("feedback", err)
	}
	if len(fb) == 0 {
		t.Answer(flows.T("ws.no_feedback"), true)
		return nil
	}
	sum := 0
	var comments []flows.Text
	for _, f := range fb {
		sum += f.Rating
		if f.Comment != "" {
			comments = append(comments, flows.T("ws.feedback_comment", "Rating", f.Rating, "Comment", f.Comment))
		}
	}
	avg := float64(sum) / float64(len(fb))
	t.Say(flows.T("ws.feedback_summary", "Title", w.Title, "Count", len(fb), "Avg", strconv.FormatFloat(avg, 'f', 1, 64), "Comments", comments))
	return nil
}
