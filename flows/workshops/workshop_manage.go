package workshops

import (
	"context"
	"net/url"
	"strconv"
	"strings"
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
	if w.Hybrid() { // on site and online (hybrid.go)
		return flows.T("ws.capacity_hybrid", "Onsite", flows.CapacityText(w.Capacity), "Online", flows.CapacityText(w.OnlineCapacity))
	}
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
	offers, err := e.offerLines(ctx, w, c.Offered)
	if err != nil {
		return err
	}
	details, err := flows.DetailsWithSeries(ctx, t, e.store, w)
	if err != nil {
		return err
	}
	text := flows.T("ws.manage_card", "Details", details, "State", state, "Confirmed", c.Confirmed, "Offers", offers,
		"Cap", capacityLabel(w), "Waiting", c.Waiting, "CheckedIn", c.CheckedIn, "Link", t.BotLink("ws_"+w.Code),
		"Offered", c.Offered, "Promotion", promotionText(w), "Pending", c.Pending, "Approval", approvalText(w),
		"Team", e.teamNames(ctx, w))
	stored, err := e.store.Form(ctx, w.Code)
	if err != nil {
		return flows.InternalError("form", err)
	}
	formCount := len(flows.FormOf(w, stored))
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
			[]flows.Button{{Label: flows.T("form.btn_form", "Count", formCount), Data: flows.MustData(routeForm, code)},
				{Label: flows.T("door.btn"), Data: flows.MustData("registration.door", code)}},
			[]flows.Button{{Label: flows.T("agenda.btn_agenda"), Data: flows.MustData("agenda.manage", code)}},
			[]flows.Button{{Label: flows.T("attn.btn"), Data: flows.MustData("attendance.show", code)}, {Label: flows.T("cert.btn_team"), Data: flows.MustData("certificates.team", code)}},
			cloneButtons(w),
			[]flows.Button{{Label: flows.T("ws.btn_collect"), Data: flows.MustData("followup.collect", code)}, {Label: flows.T("ws.btn_report"), Data: flows.MustData("followup.report", code)}},
			[]flows.Button{{Label: flows.T("ws.btn_checkins", "Count", int(w.CheckInEvery()/(24*time.Hour))), Data: flows.MustData("followup.checkins", code)}},
			promotionButtons(w),
			visibilityButton(w),
			inviteButtons(w),
			approvalButtons(w, c.Pending),
			groupButtons(w),
			[]flows.Button{{Label: flows.T("ws.btn_feedback"), Data: flows.MustData(routeFeedback, code)}, {Label: flows.T("ws.btn_cancel"), Data: flows.MustData(routeCancel, code)}})
	}
	t.Say(text, rows...)
	return nil
}

// offerLines are the card's seats on offer, "🎟 name — offered until …"
// (an empty string when there are none).
func (e *module) offerLines(ctx context.Context, w *flows.Workshop, offered int) (any, error) {
	if offered == 0 {
		return "", nil
	}
	regs, err := e.store.Registrations(ctx, w.Code)
	if err != nil {
		return nil, flows.InternalError("registrations", err)
	}
	var lines []flows.Text
	for _, r := range regs {
		if r.Status == flows.RegOffered {
			name, _ := flows.NameOf(ctx, e.store, r.UserID)
			lines = append(lines, flows.T("ws.card_offer_line", "Name", name, "Until", flows.When{At: r.OfferExpires, Zone: w.Zone}))
		}
	}
	return flows.T("ws.card_offers", "Lines", lines), nil
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
		case r.Status == flows.RegOffered:
			id = "ws.reg_line_offered"
		case r.Status == flows.RegPending:
			id = "ws.reg_line_pending"
		case !r.CheckedInAt.IsZero():
			id = "ws.reg_line_checked"
		}
		line := flows.T(id, "N", page*regPage+i+1, "Name", name, "Org", org, "Pos", r.Position,
			"Until", flows.When{At: r.OfferExpires, Zone: w.Zone})
		if mode := flows.ModeOf(w, r); mode != "" { // how they attend a hybrid workshop
			line = flows.T("ws.reg_line_mode", "Line", line, "Mode", flows.T("ws.mode."+mode))
		}
		lines = append(lines, line)
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
	stored, err := e.store.Form(ctx, w.Code)
	if err != nil {
		return flows.InternalError("form", err)
	}
	form := flows.FormOf(w, stored)
	tx := func(id string) string { s, _ := e.texts.Text(t.Lang, id, nil, nil); return s }
	cols := []flows.Column{{Header: tx("csv.name")}, {Header: tx("csv.org")}, {Header: tx("csv.sector")}, {Header: tx("csv.province")},
		{Header: tx("csv.lang")}, {Header: tx("csv.status")}, {Header: flows.ZoneHeader(tx("csv.registered_at"), w.Zone)},
		{Header: flows.ZoneHeader(tx("csv.checked_in_at"), w.Zone)}}
	for _, q := range form { // one column per question of the form
		cols = append(cols, flows.Column{Header: q.Localised(t.Lang)})
	}
	cols = append(cols, flows.Column{Header: flows.ZoneHeader(tx("csv.offered_until"), w.Zone)})
	parallel, signed, err := e.parallelSessions(ctx, w)
	if err != nil {
		return err
	}
	for _, s := range parallel { // one column per parallel session: ✓ for those holding a seat
		cols = append(cols, flows.Column{Header: sessionHeader(w, &s)})
	}
	if w.Hybrid() { // how each attends, last
		cols = append(cols, flows.Column{Header: tx("csv.mode")})
	}
	rows := make([][]any, 0, len(regs))
	for _, r := range regs {
		row := make([]any, 8, len(cols))
		if p, err := e.store.GetProfile(ctx, r.UserID); err == nil {
			row[0], row[1], row[2], row[3] = p.FullName, p.Organisation, tx("sector."+p.Sector), tx("province."+p.Province)
		} else {
			row[0], _ = flows.NameOf(ctx, e.store, r.UserID)
		}
		row[4] = r.Lang
		row[5] = tx("ws.status." + string(r.Status))
		row[6], row[7] = r.RegisteredAt, r.CheckedInAt
		for _, q := range form {
			row = append(row, e.answerCell(t.Lang, &q, r.AnswerTo(q.ID)))
		}
		row = append(row, r.OfferExpires)
		for _, s := range parallel {
			mark := ""
			if signed[s.ID][r.UserID] {
				mark = "✓"
			}
			row = append(row, mark)
		}
		if mode := flows.ModeOf(w, r); mode != "" {
			row = append(row, tx("ws.mode."+mode))
		}
		rows = append(rows, row)
	}
	if err := t.Audit(ctx, flows.AuditExport, w.Code, 0); err != nil {
		return err
	}
	t.Send(flows.Reply{Text: flows.T("ws.export_caption", "Title", w.Title, "Count", len(regs)),
		Table: &flows.Table{Name: "registrants-" + w.Code, Sheet: tx("csv.sheet_registrants"), Zone: flows.LoadZone(w.Zone), Columns: cols, Rows: rows}})
	return nil
}

// answerCell is an answer as a cell: the options chosen and yes/no in
// words (lang), text and numbers as stored.
func (e *module) answerCell(lang string, q *flows.FormQuestion, v string) any {
	if v == "" {
		return ""
	}
	switch shown := flows.ShowAnswer(q, v, lang).(type) {
	case flows.Text:
		s, _ := e.texts.Text(lang, shown.ID, nil, nil)
		return s
	case string:
		return shown
	}
	return v
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
	if err := t.WorkshopCancelled(ctx, w); err != nil {
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

// promotionText says how a freed seat moves up: offered for how long, or
// confirmed at once.
func promotionText(w *flows.Workshop) flows.Text {
	if w.Offers {
		return offerForText(w.OfferFor())
	}
	return flows.T("ws.promotion_auto")
}

// offerForText is "offers, valid 24 hours".
func offerForText(d time.Duration) flows.Text {
	if d%time.Hour == 0 {
		return flows.T("ws.promotion_offer_hours", "Count", int(d/time.Hour))
	}
	return flows.T("ws.promotion_offer_minutes", "Count", int(d/time.Minute))
}

// promotionButtons switch between offers and automatic promotion and set
// how long an offer stands.
func promotionButtons(w *flows.Workshop) []flows.Button {
	if !w.Offers {
		return []flows.Button{{Label: flows.T("ws.btn_use_offers"), Data: flows.MustData(routePromotion, w.Code)}}
	}
	return []flows.Button{{Label: flows.T("ws.btn_use_auto"), Data: flows.MustData(routePromotion, w.Code)},
		{Label: flows.T("ws.btn_offer_for"), Data: flows.MustData(routeOfferFor, w.Code)}}
}

// togglePromotion switches a workshop between offering freed seats and
// confirming them at once. Switching to offers offers the seats free now.
func (e *module) togglePromotion(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	if w.Cancelled {
		t.Answer(flows.T("ws.cancelled_note"), true)
		return nil
	}
	w.Offers = !w.Offers
	if err := e.guardOffers(ctx, w, t.In.Now); err != nil {
		return err
	}
	promoted, err := e.store.UpdateWorkshopAt(ctx, w, t.In.Now) // offers the seats free now
	if err != nil {
		return flows.InternalError("promotion mode", err)
	}
	if err := t.Audit(ctx, flows.AuditWsEdit, w.Code, 0); err != nil {
		return err
	}
	for _, uid := range promoted {
		if err := t.TellPromoted(ctx, w, uid); err != nil {
			return err
		}
	}
	t.Answer(promotionText(w), false)
	return e.manageCard(ctx, t, w, "")
}

func (e *module) askOfferFor(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	if w.Cancelled {
		t.Answer(flows.T("ws.cancelled_note"), true)
		return nil
	}
	return t.StartFlowAt(ctx, "wsofferfor", "offer_for", map[string]string{"code": w.Code})
}

// offerForAnswer takes how long an offer stands: hours ("24"), or a number
// with a unit — m/min/menit, h/j/jam, d/hari ("90m", "2 hari") — from
// MinOfferFor to MaxOfferFor. It is stored in minutes.
func offerForAnswer(_ context.Context, _ *flows.Turn, in flows.Input) (string, error) {
	v, err := flows.TextBetween(in, 1, 20)
	if err != nil {
		return "", err
	}
	d, ok := parseOfferFor(v)
	if !ok {
		return "", flows.Refuse("ws.bad_offer_for", "Min", int(flows.MinOfferFor/time.Hour), "Max", int(flows.MaxOfferFor/time.Hour))
	}
	if d < flows.MinOfferFor || d > flows.MaxOfferFor {
		return "", flows.Refuse("ws.offer_for_out_of_range", "Min", int(flows.MinOfferFor/time.Hour), "Max", int(flows.MaxOfferFor/time.Hour))
	}
	return strconv.Itoa(int(d / time.Minute)), nil
}

func parseOfferFor(v string) (time.Duration, bool) {
	v = strings.ToLower(strings.TrimSpace(v))
	i := strings.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' })
	num, unit := v, ""
	if i >= 0 {
		num, unit = v[:i], strings.TrimSpace(v[i:])
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 || n > 100_000 {
		return 0, false
	}
	switch unit {
	case "", "h", "j", "jam", "hour", "hours":
		return time.Duration(n) * time.Hour, true
	case "m", "min", "menit", "minute", "minutes":
		return time.Duration(n) * time.Minute, true
	case "d", "hari", "day", "days":
		return time.Duration(n) * 24 * time.Hour, true
	}
	return 0, false
}

// saveOfferFor saves how long the workshop's offers stand (offers made
// already keep their end).
func (e *module) saveOfferFor(ctx context.Context, t *flows.Turn) error {
	w, err := e.store.GetWorkshop(ctx, t.Session.Data["code"])
	if err != nil {
		return flows.InternalError("offer validity workshop", err)
	}
	if !t.CanManage(w) {
		t.Say(flows.T("errors.not_allowed"))
		return nil
	}
	w.OfferMinutes, _ = strconv.Atoi(t.Session.Data["offer_for"])
	if _, err := e.store.UpdateWorkshop(ctx, w); err != nil {
		return flows.InternalError("offer validity", err)
	}
	if err := t.Audit(ctx, flows.AuditWsEdit, w.Code, 0); err != nil {
		return err
	}
	t.Say(flows.T("ws.offer_for_saved", "Promotion", promotionText(w)))
	return e.manageCard(ctx, t, w, "")
}

// approvalText says whether registrations wait for the team's approval.
func approvalText(w *flows.Workshop) flows.Text {
	if w.Approval {
		return flows.T("ws.approval_required")
	}
	return flows.T("ws.approval_none")
}

// approvalButtons switch approval on or off and open the list of pending
// registrations (shown while there are some, or approval is required).
func approvalButtons(w *flows.Workshop, pending int) []flows.Button {
	label := "ws.btn_approval_on"
	if w.Approval {
		label = "ws.btn_approval_off"
	}
	row := []flows.Button{{Label: flows.T(label), Data: flows.MustData(routeApproval, w.Code)}}
	if w.Approval || pending > 0 {
		row = append(row, flows.Button{Label: flows.T("ws.btn_pending", "N", pending), Data: flows.MustData("registration.pending", w.Code)})
	}
	return row
}

// toggleApproval switches whether new registrations wait for approval;
// registrations pending already stay pending until decided.
func (e *module) toggleApproval(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	if w.Cancelled {
		t.Answer(flows.T("ws.cancelled_note"), true)
		return nil
	}
	w.Approval = !w.Approval
	if _, err := e.store.UpdateWorkshop(ctx, w); err != nil {
		return flows.InternalError("approval", err)
	}
	if err := t.Audit(ctx, flows.AuditWsEdit, w.Code, 0); err != nil {
		return err
	}
	t.Answer(approvalText(w), false)
	return e.manageCard(ctx, t, w, "")
}

// The settings of the workshop's linked chats (flows/groups links them).
const (
	routeReportsTo    = "workshops.reports_to"    // <code>: reports to the facilitators' chats as well as, or instead of, privately
	routeGroupSummary = "workshops.group_summary" // <code>: the participants' groups' weekly summary on or off
)

func (e *module) registerGroupSettings(r *flows.Registry) {
	r.Route(&flows.Route{Name: routeReportsTo, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, e.toggleReportsTo)})
	r.Route(&flows.Route{Name: routeGroupSummary, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, e.toggleGroupSummary)})
}

// groupButtons set where the workshop's reports go (its facilitators'
// chats as well as, or instead of, privately) and whether its
// participants' groups get the weekly summary; each label says the
// setting in force.
func groupButtons(w *flows.Workshop) []flows.Button {
	reports, summary := "ws.btn_reports_both", "ws.btn_group_summary_off"
	if w.ReportsChatOnly {
		reports = "ws.btn_reports_chat_only"
	}
	if w.GroupSummary {
		summary = "ws.btn_group_summary_on"
	}
	return []flows.Button{{Label: flows.T(reports), Data: flows.MustData(routeReportsTo, w.Code)},
		{Label: flows.T(summary), Data: flows.MustData(routeGroupSummary, w.Code)}}
}

// toggleReportsTo switches the workshop's reports between "privately and
// in the facilitators' chats" and "in the facilitators' chats only".
func (e *module) toggleReportsTo(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	w.ReportsChatOnly = !w.ReportsChatOnly
	return e.saveSetting(ctx, t, w)
}

// toggleGroupSummary turns the participants' groups' weekly summary on or
// off (sent with the Monday digest, flows/followup).
func (e *module) toggleGroupSummary(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	w.GroupSummary = !w.GroupSummary
	return e.saveSetting(ctx, t, w)
}

// saveSetting stores a setting of the management card and shows the card again.
func (e *module) saveSetting(ctx context.Context, t *flows.Turn, w *flows.Workshop) error {
	if w.Cancelled {
		t.Answer(flows.T("ws.cancelled_note"), true)
		return nil
	}
	if _, err := e.store.UpdateWorkshop(ctx, w); err != nil {
		return flows.InternalError("workshop setting", err)
	}
	if err := t.Audit(ctx, flows.AuditWsEdit, w.Code, 0); err != nil {
		return err
	}
	t.Answer(flows.T("ws.setting_saved"), false)
	return e.manageCard(ctx, t, w, "")
}

// validLink accepts absolute http(s) URLs with a host.
func validLink(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && !strings.ContainsAny(v, " \n\t")
}
