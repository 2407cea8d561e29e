package flows

import (
	"context"
	"strconv"
	"time"
)

// Workshops: a facilitator's list, the management card, registrants, export, closing and cancelling.

func (e *Engine) myWorkshops(ctx context.Context, t *Turn, page int, edit bool) error {
	all, err := ManagedWorkshops(ctx, e.store, t)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		t.Say(T("ws.none_yet"), []Button{{Label: T("menu.newworkshop"), Data: MustData("m", "newworkshop")}})
		return nil
	}
	pages := (len(all) + ListPage - 1) / ListPage
	page = max(0, min(page, pages-1))
	var rows [][]Button
	for _, w := range all[page*ListPage : min(len(all), (page+1)*ListPage)] {
		c, err := e.store.Counts(ctx, w.Code)
		if err != nil {
			return InternalError("counts", err)
		}
		label := T("ws.list_item_manage", "Title", w.Title, "Date", When{At: w.Start, Zone: w.Zone, DateOnly: true}, "N", c.Confirmed, "Cap", capacityLabel(w))
		if w.Cancelled {
			label = T("ws.list_item_cancelled", "Title", w.Title)
		}
		rows = append(rows, []Button{{Label: label, Data: MustData("wm", w.Code)}})
	}
	rows = append(rows, Pager("mws", page, pages)...)
	r := Reply{Text: T("ws.my_title", "N", len(all)), Buttons: rows}
	if edit {
		r.EditMessageID = t.In.MessageID
	}
	t.Send(r)
	return nil
}

// capacityLabel is "50" or "∞".
func capacityLabel(w *Workshop) any {
	if w.Capacity == 0 {
		return HTML("∞")
	}
	return w.Capacity
}

func (e *Engine) manageCard(ctx context.Context, t *Turn, w *Workshop, _ string) error {
	c, err := e.store.Counts(ctx, w.Code)
	if err != nil {
		return InternalError("counts", err)
	}
	state := T("ws.state_open")
	switch {
	case w.Cancelled:
		state = T("ws.state_cancelled")
	case w.Closed || !t.In.Now.Before(w.Deadline):
		state = T("ws.state_closed")
	}
	text := T("ws.manage_card", "Details", WorkshopDetails(w), "State", state, "Confirmed", c.Confirmed,
		"Cap", capacityLabel(w), "Waiting", c.Waiting, "CheckedIn", c.CheckedIn, "Link", t.BotLink("ws_"+w.Code))
	code := w.Code
	rows := [][]Button{
		{{Label: T("ws.btn_registrants"), Data: MustData("wmr", code, "0")}, {Label: T("ws.btn_export"), Data: MustData("wmx", code)}},
	}
	if !w.Cancelled {
		toggle := T("ws.btn_close")
		if w.Closed {
			toggle = T("ws.btn_reopen")
		}
		rows = append(rows,
			[]Button{{Label: T("ws.btn_edit"), Data: MustData("wme", code)}, {Label: toggle, Data: MustData("wmc", code)}},
			[]Button{{Label: T("ws.btn_collect"), Data: MustData("wmo", code)}, {Label: T("ws.btn_report"), Data: MustData("rp", code)}},
			[]Button{{Label: T("ws.btn_checkins", "Count", int(w.CheckInEvery()/(24*time.Hour))), Data: MustData("wmci", code)}},
			[]Button{{Label: T("ws.btn_feedback"), Data: MustData("wmf", code)}, {Label: T("ws.btn_cancel"), Data: MustData("wmk", code)}})
	}
	t.Say(text, rows...)
	return nil
}

func (e *Engine) listRegistrants(ctx context.Context, t *Turn, w *Workshop, arg string) error {
	page, _ := strconv.Atoi(arg)
	regs, err := e.store.Registrations(ctx, w.Code)
	if err != nil {
		return InternalError("registrations", err)
	}
	if len(regs) == 0 {
		t.Answer(T("ws.no_registrants"), true)
		return nil
	}
	pages := (len(regs) + regPage - 1) / regPage
	page = max(0, min(page, pages-1))
	var lines []Text
	for i, r := range regs[page*regPage : min(len(regs), (page+1)*regPage)] {
		name, org := NameOf(ctx, e.store, r.UserID)
		id := "ws.reg_line_confirmed"
		switch {
		case r.Status == RegWaiting:
			id = "ws.reg_line_waiting"
		case !r.CheckedInAt.IsZero():
			id = "ws.reg_line_checked"
		}
		lines = append(lines, T(id, "N", page*regPage+i+1, "Name", name, "Org", org, "Pos", r.Position))
	}
	r := Reply{Text: T("ws.registrants", "Title", w.Title, "Lines", lines, "Total", len(regs)),
		Buttons: append(Pager("wmr", page, pages, w.Code), []Button{{Label: T("ws.back"), Data: MustData("wm", w.Code)}})}
	if arg != "0" || t.In.MessageID == 0 {
		r.EditMessageID = t.In.MessageID
	}
	t.Send(r)
	return nil
}

func (e *Engine) exportCSV(ctx context.Context, t *Turn, w *Workshop, _ string) error {
	regs, err := e.store.Registrations(ctx, w.Code)
	if err != nil {
		return InternalError("registrations", err)
	}
	tx := func(id string) string { s, _ := e.texts.Text(t.Lang, id, nil, nil); return s }
	header := []string{tx("csv.name"), tx("csv.org"), tx("csv.sector"), tx("csv.province"), tx("csv.lang"),
		tx("csv.status"), tx("csv.registered_at"), tx("csv.checked_in_at"), tx("csv.answer")}
	loc := LoadZone(w.Zone)
	stamp := func(at time.Time) string {
		if at.IsZero() {
			return ""
		}
		return at.In(loc).Format("2006-01-02 15:04")
	}
	rows := make([][]string, 0, len(regs))
	for _, r := range regs {
		row := make([]string, 9)
		if p, err := e.store.GetProfile(ctx, r.UserID); err == nil {
			row[0], row[1], row[2], row[3] = p.FullName, p.Organisation, tx("sector."+p.Sector), tx("province."+p.Province)
		} else {
			row[0], _ = NameOf(ctx, e.store, r.UserID)
		}
		row[4] = r.Lang
		row[5] = tx("ws.status." + string(r.Status))
		row[6], row[7], row[8] = stamp(r.RegisteredAt), stamp(r.CheckedInAt), r.Answer
		rows = append(rows, row)
	}
	if err := t.Audit(ctx, AuditExport, w.Code, 0); err != nil {
		return err
	}
	t.Send(Reply{Text: T("ws.export_caption", "Title", w.Title, "Count", len(regs)),
		Document: &Attachment{Name: "registrants-" + w.Code + ".csv", Data: CSV(header, rows)}})
	return nil
}

func (e *Engine) editWorkshop(ctx context.Context, t *Turn, w *Workshop, _ string) error {
	if w.Cancelled {
		t.Answer(T("ws.cancelled_note"), true)
		return nil
	}
	return t.StartFlowAt(ctx, "workshop", "confirm", workshopData(w))
}

func (e *Engine) toggleClosed(ctx context.Context, t *Turn, w *Workshop, _ string) error {
	w.Closed = !w.Closed
	if _, err := e.store.UpdateWorkshop(ctx, w); err != nil {
		return InternalError("close workshop", err)
	}
	id, action := "ws.reopened", AuditWsReopen
	if w.Closed {
		id, action = "ws.closed", AuditWsClose
	}
	if err := t.Audit(ctx, action, w.Code, 0); err != nil {
		return err
	}
	t.Answer(T(id), false)
	return e.manageCard(ctx, t, w, "")
}

func (e *Engine) askCancelWorkshop(_ context.Context, t *Turn, w *Workshop, _ string) error {
	t.Say(T("ws.cancel_confirm", "Title", w.Title), []Button{
		{Label: T("ws.cancel_yes"), Data: MustData("wmky", w.Code)}, {Label: T("ws.back"), Data: MustData("wm", w.Code)},
	})
	return nil
}

// cancelWorkshop cancels it, tells every registrant and waiting person, and
// drops their reminders.
func (e *Engine) cancelWorkshop(ctx context.Context, t *Turn, w *Workshop, _ string) error {
	if w.Cancelled {
		t.Answer(T("ws.cancelled_note"), true)
		return nil
	}
	regs, err := e.store.Registrations(ctx, w.Code)
	if err != nil {
		return InternalError("registrations", err)
	}
	w.Cancelled = true
	if _, err := e.store.UpdateWorkshop(ctx, w); err != nil {
		return InternalError("cancel workshop", err)
	}
	if err := t.Audit(ctx, AuditWsCancel, w.Code, 0); err != nil {
		return err
	}
	for _, r := range regs {
		if err := e.store.Unschedule(ctx, ReminderIDs(w.Code, r.UserID)...); err != nil {
			return InternalError("unschedule", err)
		}
		t.Send(Reply{ChatID: r.UserID, Lang: r.Lang, Bulk: true, Text: T("ws.cancelled_notice", "Title", w.Title, "Start", When{At: w.Start, Zone: w.Zone})})
	}
	if t.In.MessageID != 0 {
		t.Send(Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	}
	t.Say(T("ws.cancelled_done", "Title", w.Title, "Count", len(regs)))
	return nil
}

func (e *Engine) feedbackSummary(ctx context.Context, t *Turn, w *Workshop, _ string) error {
	fb, err := e.store.Feedback(ctx, w.Code)
	if err != nil {
		return InternalError("feedback", err)
	}
	if len(fb) == 0 {
		t.Answer(T("ws.no_feedback"), true)
		return nil
	}
	sum := 0
	var comments []Text
	for _, f := range fb {
		sum += f.Rating
		if f.Comment != "" {
			comments = append(comments, T("ws.feedback_comment", "Rating", f.Rating, "Comment", f.Comment))
		}
	}
	avg := float64(sum) / float64(len(fb))
	t.Say(T("ws.feedback_summary", "Title", w.Title, "Count", len(fb), "Avg", strconv.FormatFloat(avg, 'f', 1, 64), "Comments", comments))
	return nil
}
