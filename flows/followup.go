package flows

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Follow-up schedule, in the workshop's zone: 3 days before the due day and
// on it (09:00), nudges every 3 days when overdue (at most 3), escalation to
// the facilitators 7 days overdue, and a weekly check-in while open.
const (
	jobCm3     = "fu3"      // three days before
	jobCmDue   = "fud"      // the due day
	jobCmNudge = "fuo"      // overdue nudge
	jobCmEsc   = "fue"      // overdue 7 days: tell the facilitators
	jobCmCheck = "fuc"      // periodic status question
	jobDigest  = "fdg"      // weekly digest to the facilitators, Monday 08:00
	cmAccepted = "accepted" // a history entry: the owner took on a proposed commitment
	maxNudges  = 3
	maxWhatLen = 300
)

// FollowUpModule is the capability of action-item commitments, their reminders and the facilitator reports.
func FollowUpModule() Module { return ModuleFunc(func(r *Registry) { registerFollowUp(r.e) }) }

func registerFollowUp(e *Engine) {
	e.addCommand(&Command{Name: "commit", Describe: "cmd.commit", Run: e.commitCommand})
	e.addCommand(&Command{Name: "mycommitments", Describe: "cmd.mycommitments", Run: e.myCommitments})
	e.addCommand(&Command{Name: "report", Role: RoleFacilitator, Describe: "cmd.report", Run: e.reportCommand})
	e.addMenu(MenuItem{Command: "mycommitments", Label: "menu.mycommitments", Order: 5})
	e.addRoute(&Route{Name: "cmn", Run: e.commitFor})
	e.addRoute(&Route{Name: "cmo", Run: e.ownerAnswer})
	e.addRoute(&Route{Name: "cmu", Run: e.askStatus})
	e.addRoute(&Route{Name: "cms", Run: e.setStatus})
	e.addRoute(&Route{Name: "wmo", Role: RoleFacilitator, Run: e.managed(e.openCollection)})
	e.addRoute(&Route{Name: "wmci", Role: RoleFacilitator, Run: e.managed(e.cycleCheckIns)})
	e.addRoute(&Route{Name: "rp", Role: RoleFacilitator, Run: e.managed(e.report)})
	e.addRoute(&Route{Name: "rpa", Role: RoleAdmin, Run: func(ctx context.Context, t *Turn, _ string) error { return e.forumSummary(ctx, t) }})
	e.addFlow(&Flow{Name: "commit", Done: e.saveCommitment, Steps: []*Step{
		{Name: "what", Parse: TextAnswer(maxWhatLen), Prompt: ask("cm.ask_what")},
		{Name: "owner", Parse: e.ownerChoice, Prompt: e.ownerPrompt},
		{Name: "due", Parse: dueAnswer, Prompt: duePrompt},
		{Name: "indicator", Parse: optionalText(maxWhatLen), Prompt: askWithSkip("cm.ask_indicator", "cm.skip")},
		{Name: "partners", Parse: optionalText(200), Prompt: askWithSkip("cm.ask_partners", "cm.skip")},
		{Name: "confirm", Parse: commitConfirm, Prompt: e.commitSummary},
	}})
	e.addFlow(&Flow{Name: "cmnote", Done: e.noteDone, Steps: []*Step{
		{Name: "note", Parse: optionalText(maxWhatLen), Prompt: askWithSkip("cm.ask_note", "cm.skip")},
	}})
	e.addJob(jobCm3, e.commitReminder(jobCm3))
	e.addJob(jobCmDue, e.commitReminder(jobCmDue))
	e.addJob(jobCmNudge, e.commitReminder(jobCmNudge))
	e.addJob(jobCmEsc, e.overdueEscalation)
	e.addJob(jobCmCheck, e.checkInJob)
	e.addJob(jobDigest, e.digestJob)
}

// NextDigest is the Monday 08:00 (in the workshop's zone) after now.
func NextDigest(w *Workshop, now time.Time) time.Time {
	loc := LoadZone(w.Zone)
	l := now.In(loc)
	days := (int(time.Monday) - int(l.Weekday()) + 7) % 7
	at := time.Date(l.Year(), l.Month(), l.Day()+days, 8, 0, 0, 0, loc)
	if !at.After(now) {
		at = at.AddDate(0, 0, 7)
	}
	return at
}

// digestJob sends each facilitator the week's progress while commitments
// are open, and plans next Monday's.
func (e *Engine) digestJob(ctx context.Context, now time.Time, code string) ([]Reply, error) {
	w, err := e.store.GetWorkshop(ctx, code)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, internalError("digest workshop", err)
	}
	cs, err := e.store.WorkshopCommitments(ctx, code)
	if err != nil {
		return nil, internalError("digest commitments", err)
	}
	y := TallyOf(cs, now)
	if w.Cancelled || y.Total == y.Done {
		return nil, nil // nothing open: the digest stops until a new commitment
	}
	if err := e.store.Schedule(ctx, Job{ID: jobDigest + "|" + code, Due: NextDigest(w, now)}); err != nil {
		return nil, internalError("next digest", err)
	}
	var out []Reply
	for _, f := range w.Facilitators {
		u := e.userOf(ctx, f)
		out = append(out, Reply{ChatID: f, Lang: u.Lang, Bulk: true,
			Text: T("rp.digest", "Title", w.Title, "Count", y.Total, "Done", y.Done, "OnTrack", y.OnTrack, "Blocked", y.Blocked,
				"Overdue", y.Overdue, "NoAnswer", y.NoAnswer, "Rate", y.Completion()),
			Buttons: [][]Button{{{Label: T("ws.btn_report"), Data: mustData("rp", code)}}}})
	}
	return out, nil
}

// commitCommand starts /commit: for the one workshop the user takes part in
// or facilitates, or a choice of them.
func (e *Engine) commitCommand(ctx context.Context, t *Turn) error {
	var codes []string
	regs, err := e.store.UserRegistrations(ctx, t.User.ID)
	if err != nil {
		return internalError("registrations", err)
	}
	for _, r := range regs {
		if r.Status == RegConfirmed {
			codes = append(codes, r.Workshop)
		}
	}
	if t.Role >= RoleFacilitator {
		ws, err := e.managedWorkshops(ctx, t)
		if err != nil {
			return err
		}
		for _, w := range ws {
			if !slices.Contains(codes, w.Code) && !w.Cancelled {
				codes = append(codes, w.Code)
			}
		}
	}
	switch len(codes) {
	case 0:
		t.Say(T("cm.no_workshop"))
		return nil
	case 1:
		return e.commitFor(ctx, t, codes[0])
	}
	var rows [][]Button
	for _, code := range codes[:min(len(codes), 12)] {
		if w, err := e.store.GetWorkshop(ctx, code); err == nil {
			rows = append(rows, []Button{{Label: T("ws.list_item", "Title", w.Title, "Date", When{At: w.Start, Zone: w.Zone, DateOnly: true}), Data: mustData("cmn", code)}})
		}
	}
	t.Say(T("cm.which_workshop"), rows...)
	return nil
}

// mayCommit: registrants (confirmed) and the workshop's managers.
func (e *Engine) mayCommit(ctx context.Context, t *Turn, w *Workshop) bool {
	if e.canManage(t, w) {
		return true
	}
	r, err := e.store.GetRegistration(ctx, w.Code, t.User.ID)
	return err == nil && r.Status == RegConfirmed
}

// commitFor starts the commit flow for a workshop.
func (e *Engine) commitFor(ctx context.Context, t *Turn, code string) error {
	w, err := e.getWorkshop(ctx, t, code)
	if w == nil {
		return err
	}
	if !e.mayCommit(ctx, t, w) {
		t.Say(T("cm.not_participant"))
		return nil
	}
	t.Say(T("cm.intro", "Title", w.Title))
	return t.StartFlowAt(ctx, "commit", "what", map[string]string{"code": w.Code, "zone": w.Zone})
}

func (e *Engine) ownerPrompt(ctx context.Context, t *Turn) (Reply, error) {
	rows := [][]Button{{t.Choice(T("cm.owner_me"), "me")}}
	regs, err := e.store.Registrations(ctx, t.Session.Data["code"])
	if err != nil {
		return Reply{}, internalError("registrations", err)
	}
	for _, r := range regs {
		if r.Status != RegConfirmed || r.UserID == t.User.ID || len(rows) > 20 {
			continue
		}
		label, err := e.personLabel(ctx, r.UserID)
		if err != nil {
			return Reply{}, err
		}
		rows = append(rows, []Button{t.ChoiceLiteral(label, strconv.FormatInt(r.UserID, 10))})
	}
	return Reply{Text: T("cm.ask_owner"), Buttons: rows}, nil
}

// ownerChoice: me, or a confirmed registrant of the workshop.
func (e *Engine) ownerChoice(ctx context.Context, t *Turn, in Input) (string, error) {
	if in.Kind != KindCallback {
		return "", Refuse("errors.use_buttons")
	}
	if in.Callback == "me" {
		return strconv.FormatInt(t.User.ID, 10), nil
	}
	uid, err := strconv.ParseInt(in.Callback, 10, 64)
	if err != nil {
		return "", Refuse("errors.bad_button")
	}
	r, err := e.store.GetRegistration(ctx, t.Session.Data["code"], uid)
	if err != nil || r.Status != RegConfirmed {
		return "", Refuse("errors.bad_button")
	}
	return in.Callback, nil
}

// duePrompt is an inline calendar of the month in view (answers "d<yyyymmdd>",
// paging "m<yyyymm>"), plus typed dates.
func duePrompt(_ context.Context, t *Turn) (Reply, error) { return dueReply(t), nil }

func dueReply(t *Turn) Reply {
	loc := LoadZone(t.Session.Data["zone"])
	month := t.In.Now.In(loc)
	if v := t.Session.Data["_month"]; v != "" {
		if m, err := time.ParseInLocation("200601", v, loc); err == nil {
			month = m
		}
	}
	return Reply{Text: T("cm.ask_due", "Example", DateExample(t.In.Now, loc, 2*dateExampleDays, 9, true)), Buttons: calendar(t, month, t.In.Now.In(loc))}
}

func calendar(t *Turn, month, today time.Time) [][]Button {
	first := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, month.Location())
	rows := [][]Button{{
		t.Choice(T("nav.prev"), "m"+first.AddDate(0, -1, 0).Format("200601")),
		{Label: T("cm.month", "Month", T("month."+strconv.Itoa(int(first.Month()))), "Year", first.Year()), Data: mustData(stepRoute, t.Session.Nonce, "noop")},
		t.Choice(T("nav.next"), "m"+first.AddDate(0, 1, 0).Format("200601")),
	}}
	var row []Button
	for d := first; d.Month() == first.Month(); d = d.AddDate(0, 0, 1) {
		if d.Before(today.Truncate(24*time.Hour)) && !(d.Year() == today.Year() && d.YearDay() == today.YearDay()) {
			continue // past days cannot be chosen
		}
		row = append(row, t.ChoiceLiteral(strconv.Itoa(d.Day()), "d"+d.Format("20060102")))
		if len(row) == 7 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

// dueAnswer takes a calendar day or a typed date; the due moment is 09:00
// that day in the workshop's zone, and it may not be in the past.
func dueAnswer(_ context.Context, t *Turn, in Input) (string, error) {
	loc := LoadZone(t.Session.Data["zone"])
	var day time.Time
	switch in.Kind {
	case KindCallback:
		v := in.Callback
		switch {
		case v == "noop":
			return "", errStay
		case strings.HasPrefix(v, "m"):
			if _, err := time.Parse("200601", v[1:]); err != nil {
				return "", Refuse("errors.bad_button")
			}
			t.Session.Data["_month"] = v[1:]
			r := dueReply(t)
			r.EditMessageID = in.MessageID
			t.Send(r)
			return "", errStay
		case strings.HasPrefix(v, "d"):
			d, err := time.ParseInLocation("20060102", v[1:], loc)
			if err != nil {
				return "", Refuse("errors.bad_button")
			}
			day = d
		default:
			return "", Refuse("errors.bad_button")
		}
	case KindText:
		s := strings.TrimSpace(in.Text)
		d, err := ParseDateTime(s, loc)
		if errors.Is(err, ErrDateFormat) {
			d, err = ParseDateTime(s+" 09:00", loc) // a date alone
		}
		if err != nil {
			return "", dateRefusal(t, loc, err)
		}
		day = d
	default:
		return "", Refuse("errors.expect_text")
	}
	due := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, loc)
	now := t.In.Now.In(loc)
	if due.Year() < now.Year() || (due.Year() == now.Year() && due.YearDay() < now.YearDay()) {
		return "", Refuse("cm.due_past")
	}
	delete(t.Session.Data, "_month")
	return unixString(due), nil
}

func draftCommitment(t *Turn) *Commitment {
	d := t.Session.Data
	owner, _ := strconv.ParseInt(d["owner"], 10, 64)
	return &Commitment{Workshop: d["code"], What: d["what"], Owner: owner, By: t.User.ID, Due: unixData(d, "due"),
		Indicator: d["indicator"], Partners: d["partners"], Created: t.In.Now}
}

func (e *Engine) commitSummary(ctx context.Context, t *Turn) (Reply, error) {
	c := draftCommitment(t)
	owner, err := e.ownerLabel(ctx, t, c)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: T("cm.summary", "Details", commitmentDetails(c, t.Session.Data["zone"], owner)),
		Buttons: [][]Button{{t.Choice(T("ws.save"), "save"), t.Choice(T("ws.discard"), "discard")}}}, nil
}

// ownerLabel names a commitment's owner for the person writing it: "me",
// or the owner's name and organisation as on the owner buttons.
func (e *Engine) ownerLabel(ctx context.Context, t *Turn, c *Commitment) (any, error) {
	if c.Owner == t.User.ID {
		return T("cm.owner_me"), nil
	}
	return e.personLabel(ctx, c.Owner)
}

// personLabel is "name — organisation" (or the name alone).
func (e *Engine) personLabel(ctx context.Context, uid int64) (string, error) {
	name, org, err := e.lookupName(ctx, uid)
	if err != nil {
		return "", err
	}
	if org != "" {
		name += " — " + org
	}
	return name, nil
}

func commitmentDetails(c *Commitment, zone string, owner any) Text {
	dash := func(s string) any {
		if s == "" {
			return HTML("—")
		}
		return s
	}
	return T("cm.details", "What", c.What, "Owner", owner, "Due", When{At: c.Due, Zone: zone, DateOnly: true},
		"Indicator", dash(c.Indicator), "Partners", dash(c.Partners))
}

func commitConfirm(_ context.Context, t *Turn, in Input) (string, error) {
	if in.Kind != KindCallback {
		return "", Refuse("errors.use_buttons")
	}
	switch in.Callback {
	case "save":
		return "save", nil
	case "discard":
		t.EndFlow()
		t.Send(Reply{EditMessageID: in.MessageID, ClearButtons: true})
		t.Say(T("ws.discarded"))
		return "", errStay
	}
	return "", Refuse("errors.bad_button")
}

// saveCommitment stores it: open at once when the user commits themselves,
// proposed (and asked) when it names someone else.
func (e *Engine) saveCommitment(ctx context.Context, t *Turn) error {
	c := draftCommitment(t)
	w, err := e.store.GetWorkshop(ctx, c.Workshop)
	if err != nil {
		return internalError("commit workshop", err)
	}
	c.ID = NewCode()
	c.Status = CmOpen
	if c.Owner != t.User.ID {
		c.Status = CmProposed
	}
	if err := e.store.SaveCommitment(ctx, c); err != nil {
		return internalError("save commitment", err)
	}
	if c.Status == CmOpen {
		if err := e.planFollowUp(ctx, c, w, t.In.Now); err != nil {
			return err
		}
		t.Say(T("cm.saved", "Due", When{At: c.Due, Zone: w.Zone, DateOnly: true}), []Button{{Label: T("cm.add_another"), Data: mustData("cmn", w.Code)}})
		return nil
	}
	name, _ := e.nameOf(ctx, t.User.ID)
	owner := e.userOf(ctx, c.Owner)
	t.Send(Reply{ChatID: c.Owner, Lang: owner.Lang, Bulk: true,
		Text:    T("cm.proposed_to_you", "Name", name, "Title", w.Title, "Details", commitmentDetails(c, w.Zone, T("cm.owner_you"))),
		Buttons: [][]Button{{{Label: T("cm.accept"), Data: mustData("cmo", c.Workshop, c.ID, "y")}, {Label: T("cm.decline"), Data: mustData("cmo", c.Workshop, c.ID, "n")}}}})
	ownerName, _ := e.nameOf(ctx, c.Owner)
	t.Say(T("cm.sent_for_confirmation", "Name", ownerName))
	return nil
}

func (e *Engine) userOf(ctx context.Context, uid int64) *User {
	if u, err := e.store.GetUser(ctx, uid); err == nil {
		return u
	}
	return &User{ID: uid, Lang: e.cfg.DefaultLang}
}

// commitmentArg resolves "<code>:<id>[:<x>]" to a commitment and its workshop.
func (e *Engine) commitmentArg(ctx context.Context, payload string) (*Commitment, *Workshop, string, error) {
	parts := strings.SplitN(payload, ":", 3)
	if len(parts) < 2 {
		return nil, nil, "", ErrNotFound
	}
	c, err := e.store.GetCommitment(ctx, parts[0], parts[1])
	if err != nil {
		return nil, nil, "", err
	}
	w, err := e.store.GetWorkshop(ctx, c.Workshop)
	if err != nil {
		return nil, nil, "", err
	}
	rest := ""
	if len(parts) == 3 {
		rest = parts[2]
	}
	return c, w, rest, nil
}

// refuseCommitment answers a press on a commitment that is gone or not the
// user's.
func refuseCommitment(t *Turn, err error) error {
	if errors.Is(err, ErrNotFound) {
		t.Answer(T("cm.not_found"), true)
		return nil
	}
	return internalError("commitment", err)
}

// ownCommitment resolves a button's commitment and checks that the presser
// owns it; ok is false when the press was answered with a refusal.
func (e *Engine) ownCommitment(ctx context.Context, t *Turn, payload string) (c *Commitment, w *Workshop, rest string, ok bool, err error) {
	c, w, rest, err = e.commitmentArg(ctx, payload)
	if err != nil {
		return nil, nil, "", false, refuseCommitment(t, err)
	}
	if c.Owner != t.User.ID {
		t.Answer(T("errors.not_allowed"), true)
		return nil, nil, "", false, nil
	}
	return c, w, rest, true, nil
}

// ownerAnswer: the person named accepts or declines a proposed commitment.
func (e *Engine) ownerAnswer(ctx context.Context, t *Turn, payload string) error {
	c, w, answer, ok, err := e.ownCommitment(ctx, t, payload)
	if !ok {
		return err
	}
	if c.Status != CmProposed {
		t.Answer(T("cm.already_answered"), true)
		return nil
	}
	t.Send(Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	proposer := e.userOf(ctx, c.By)
	name, _ := e.nameOf(ctx, t.User.ID)
	if answer != "y" {
		if err := e.store.DeleteCommitment(ctx, c.Workshop, c.ID); err != nil {
			return internalError("delete commitment", err)
		}
		t.Say(T("cm.declined"))
		tellProposer(t, c, proposer.Lang, T("cm.declined_notice", "Name", name, "What", c.What))
		return nil
	}
	c.Status = CmOpen
	c.History = append(c.History, StatusEntry{At: t.In.Now, Status: cmAccepted, By: t.User.ID})
	if err := e.store.SaveCommitment(ctx, c); err != nil {
		return internalError("save commitment", err)
	}
	if err := e.planFollowUp(ctx, c, w, t.In.Now); err != nil {
		return err
	}
	t.Say(T("cm.accepted", "Due", When{At: c.Due, Zone: w.Zone, DateOnly: true}))
	tellProposer(t, c, proposer.Lang, T("cm.accepted_notice", "Name", name, "What", c.What))
	return nil
}

// tellProposer sends the owner's answer to whoever proposed c; nobody is
// told when the proposer was forgotten (By is 0: a reply to chat 0 would
// land in the owner's own chat) or is the owner.
func tellProposer(t *Turn, c *Commitment, lang string, text Text) {
	if c.By == 0 || c.By == t.User.ID {
		return
	}
	t.Send(Reply{ChatID: c.By, Lang: lang, Bulk: true, Text: text})
}

func followUpIDs(c *Commitment) []string {
	a := c.Workshop + "|" + c.ID
	return []string{jobCm3 + "|" + a, jobCmDue + "|" + a, jobCmNudge + "|" + a, jobCmEsc + "|" + a, jobCmCheck + "|" + a}
}

// planFollowUp schedules a commitment's reminders, overdue escalation and
// periodic check-in.
func (e *Engine) planFollowUp(ctx context.Context, c *Commitment, w *Workshop, now time.Time) error {
	ids := followUpIDs(c)
	var jobs []Job
	if at := c.Due.AddDate(0, 0, -3); at.After(now) {
		jobs = append(jobs, Job{ID: ids[0], Due: at})
	}
	jobs = append(jobs,
		Job{ID: ids[1], Due: c.Due},
		Job{ID: ids[2], Due: c.Due.AddDate(0, 0, 3)},
		Job{ID: ids[3], Due: c.Due.AddDate(0, 0, 7)},
		Job{ID: ids[4], Due: now.Add(w.CheckInEvery())},
		Job{ID: jobDigest + "|" + w.Code, Due: NextDigest(w, now)})
	if err := e.store.Schedule(ctx, jobs...); err != nil {
		return internalError("schedule follow-up", err)
	}
	return nil
}

func (e *Engine) myCommitments(ctx context.Context, t *Turn) error {
	list, err := e.store.UserCommitments(ctx, t.User.ID)
	if err != nil {
		return internalError("my commitments", err)
	}
	if len(list) == 0 {
		t.Say(T("cm.mine_none"))
		return nil
	}
	var lines []Text
	var rows [][]Button
	for _, c := range list {
		zone := "Asia/Jakarta"
		if w, err := e.store.GetWorkshop(ctx, c.Workshop); err == nil {
			zone = w.Zone
		}
		lines = append(lines, T("cm.mine_line", "What", c.What, "Due", When{At: c.Due, Zone: zone, DateOnly: true}, "Status", statusText(c, t.In.Now)))
		if c.Status != CmDone && c.Status != CmProposed {
			rows = append(rows, []Button{{Label: T("cm.update_button", "What", shorten(c.What, 40)), Data: mustData("cmu", c.Workshop, c.ID)}})
		}
	}
	t.Say(T("cm.mine", "Lines", lines), rows...)
	return nil
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// overdue reports whether c is late at now: not done (nor still proposed)
// after its due day. Lateness is a second dimension beside the status: a
// blocked commitment can be overdue too.
func overdue(c *Commitment, now time.Time) bool {
	return c.Status != CmDone && c.Status != CmProposed && now.After(c.Due.Add(24*time.Hour))
}

// statusText shows a commitment's status and, when it is late, that too.
func statusText(c *Commitment, now time.Time) Text {
	if overdue(c, now) {
		return T("cm.status_late", "Status", T("cm.status."+c.Status))
	}
	return T("cm.status." + c.Status)
}

func statusButtons(c *Commitment) [][]Button {
	return [][]Button{{
		{Label: T("cm.btn_done"), Data: mustData("cms", c.Workshop, c.ID, CmDone)},
		{Label: T("cm.btn_ontrack"), Data: mustData("cms", c.Workshop, c.ID, CmOnTrack)},
		{Label: T("cm.btn_blocked"), Data: mustData("cms", c.Workshop, c.ID, CmBlocked)},
	}}
}

func (e *Engine) askStatus(ctx context.Context, t *Turn, payload string) error {
	c, _, _, ok, err := e.ownCommitment(ctx, t, payload)
	if !ok {
		return err
	}
	t.Say(T("cm.ask_status", "What", c.What), statusButtons(c)...)
	return nil
}

// setStatus records an owner's answer and asks for an optional note.
func (e *Engine) setStatus(ctx context.Context, t *Turn, payload string) error {
	c, w, status, ok, err := e.ownCommitment(ctx, t, payload)
	if !ok {
		return err
	}
	if status != CmDone && status != CmOnTrack && status != CmBlocked {
		t.Answer(T("errors.bad_button"), true)
		return nil
	}
	if c.Status == CmProposed {
		t.Answer(T("cm.not_confirmed_yet"), true)
		return nil
	}
	c.Status = status
	c.History = append(c.History, StatusEntry{At: t.In.Now, Status: status, By: t.User.ID})
	if err := e.store.SaveCommitment(ctx, c); err != nil {
		return internalError("save commitment", err)
	}
	if status == CmDone {
		if err := e.store.Unschedule(ctx, followUpIDs(c)...); err != nil {
			return internalError("unschedule", err)
		}
	}
	if t.In.MessageID != 0 {
		t.Send(Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	}
	if status == CmBlocked {
		if err := e.escalate(ctx, t, c, w, CmBlocked); err != nil {
			return err
		}
	}
	t.Say(T("cm.status_saved", "Status", T("cm.status."+status)))
	return t.StartFlowAt(ctx, "cmnote", "note", map[string]string{"code": c.Workshop, "id": c.ID})
}

func (e *Engine) noteDone(ctx context.Context, t *Turn) error {
	note := t.Session.Data["note"]
	if note == "" {
		t.Say(T("cm.thanks"))
		return nil
	}
	c, err := e.store.GetCommitment(ctx, t.Session.Data["code"], t.Session.Data["id"])
	if err != nil || c.Owner != t.User.ID || len(c.History) == 0 {
		t.Say(T("cm.not_found"))
		return nil
	}
	c.History[len(c.History)-1].Note = note
	if err := e.store.SaveCommitment(ctx, c); err != nil {
		return internalError("save note", err)
	}
	t.Say(T("cm.thanks"))
	return nil
}

// escalate tells the workshop's facilitators, once per item and state.
func (e *Engine) escalate(ctx context.Context, t *Turn, c *Commitment, w *Workshop, state string) error {
	if slices.Contains(c.Escalated, state) {
		return nil
	}
	c.Escalated = append(c.Escalated, state)
	if err := e.store.SaveCommitment(ctx, c); err != nil {
		return internalError("save escalation", err)
	}
	for _, r := range e.escalationReplies(ctx, c, w, state) {
		t.Send(r)
	}
	return nil
}

func (e *Engine) escalationReplies(ctx context.Context, c *Commitment, w *Workshop, state string) []Reply {
	name, org := e.nameOf(ctx, c.Owner)
	var out []Reply
	for _, f := range w.Facilitators {
		u := e.userOf(ctx, f)
		out = append(out, Reply{ChatID: f, Lang: u.Lang, Bulk: true, Text: T("cm.escalation_"+state,
			"Name", name, "Org", org, "What", c.What, "Title", w.Title, "Due", When{At: c.Due, Zone: w.Zone, DateOnly: true})})
	}
	return out
}

// commitJob loads the commitment a job names; nil when it is gone or done.
func (e *Engine) commitJob(ctx context.Context, args string) (*Commitment, *Workshop, error) {
	c, w, _, err := e.commitmentArg(ctx, strings.Replace(args, "|", ":", 1))
	if errors.Is(err, ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil || c.Status == CmDone || c.Status == CmProposed || w.Cancelled {
		return nil, nil, err
	}
	return c, w, nil
}

// commitReminder: 3 days before, on the due day, and overdue nudges (every
// 3 days, at most 3).
func (e *Engine) commitReminder(kind string) JobFunc {
	return func(ctx context.Context, now time.Time, args string) ([]Reply, error) {
		c, w, err := e.commitJob(ctx, args)
		if c == nil || err != nil {
			return nil, err
		}
		owner := e.userOf(ctx, c.Owner)
		if owner.Inactive {
			return nil, nil
		}
		id := map[string]string{jobCm3: "cm.remind_3days", jobCmDue: "cm.remind_due", jobCmNudge: "cm.remind_overdue"}[kind]
		// A reminder before the due day found on or after it, or a due-day
		// one found a day late, would say something untrue: the next one
		// (due day, overdue nudge) speaks instead.
		if left := DaysLeft(now, c.Due, w.Zone); (kind == jobCm3 && left.ID == "when.today") ||
			(kind == jobCmDue && now.After(c.Due) && !sameDay(now, c.Due, w.Zone)) {
			return nil, fmt.Errorf("%s reminder of commitment %s due %s: %w", kind, c.ID, c.Due.Format(time.RFC3339), ErrJobLate)
		}
		if kind == jobCmNudge {
			c.Nudges++
			if err := e.store.SaveCommitment(ctx, c); err != nil {
				return nil, internalError("save nudge", err)
			}
			if c.Nudges < maxNudges {
				if err := e.store.Schedule(ctx, Job{ID: followUpIDs(c)[2], Due: now.AddDate(0, 0, 3)}); err != nil {
					return nil, internalError("next nudge", err)
				}
			}
		}
		return []Reply{{ChatID: c.Owner, Lang: owner.Lang, Bulk: true,
			Text:    T(id, "What", c.What, "Due", When{At: c.Due, Zone: w.Zone, DateOnly: true}, "Left", DaysLeft(now, c.Due, w.Zone), "Title", w.Title),
			Buttons: statusButtons(c)}}, nil
	}
}

// sameDay reports whether a and b fall on one calendar day in zone.
func sameDay(a, b time.Time, zone string) bool {
	loc := LoadZone(zone)
	a, b = a.In(loc), b.In(loc)
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

// overdueEscalation: 7 days overdue and not done — the facilitators are told once.
func (e *Engine) overdueEscalation(ctx context.Context, _ time.Time, args string) ([]Reply, error) {
	c, w, err := e.commitJob(ctx, args)
	if c == nil || err != nil || slices.Contains(c.Escalated, "overdue") {
		return nil, err
	}
	c.Escalated = append(c.Escalated, "overdue")
	if err := e.store.SaveCommitment(ctx, c); err != nil {
		return nil, internalError("save escalation", err)
	}
	return e.escalationReplies(ctx, c, w, "overdue"), nil
}

// checkInJob asks the owner for a status each week while open.
func (e *Engine) checkInJob(ctx context.Context, now time.Time, args string) ([]Reply, error) {
	c, w, err := e.commitJob(ctx, args)
	if c == nil || err != nil {
		return nil, err
	}
	if err := e.store.Schedule(ctx, Job{ID: followUpIDs(c)[4], Due: now.Add(w.CheckInEvery())}); err != nil {
		return nil, internalError("next check-in", err)
	}
	owner := e.userOf(ctx, c.Owner)
	if owner.Inactive {
		return nil, nil
	}
	return []Reply{{ChatID: c.Owner, Lang: owner.Lang, Bulk: true,
		Text: T("cm.checkin", "What", c.What, "Title", w.Title, "Due", When{At: c.Due, Zone: w.Zone, DateOnly: true}), Buttons: statusButtons(c)}}, nil
}

// checkInChoices are the check-in intervals a facilitator can pick, in days.
var checkInChoices = []int{7, 14, 30}

// cycleCheckIns moves the workshop's check-in interval to the next choice.
func (e *Engine) cycleCheckIns(ctx context.Context, t *Turn, w *Workshop, _ string) error {
	cur := int(w.CheckInEvery() / (24 * time.Hour))
	next := checkInChoices[0]
	if i := slices.Index(checkInChoices, cur); i >= 0 && i+1 < len(checkInChoices) {
		next = checkInChoices[i+1]
	}
	w.CheckInDays = next
	if _, err := e.store.UpdateWorkshop(ctx, w); err != nil {
		return internalError("check-in interval", err)
	}
	t.Answer(T("cm.checkins_every", "Count", next), false)
	return e.manageCard(ctx, t, w, "")
}

// openCollection invites every checked-in participant (every confirmed one
// when check-in was not used) to add their commitments.
func (e *Engine) openCollection(ctx context.Context, t *Turn, w *Workshop, _ string) error {
	regs, err := e.store.Registrations(ctx, w.Code)
	if err != nil {
		return internalError("registrations", err)
	}
	var checked, confirmed []*Registration
	for _, r := range regs {
		if r.Status != RegConfirmed {
			continue
		}
		confirmed = append(confirmed, r)
		if !r.CheckedInAt.IsZero() {
			checked = append(checked, r)
		}
	}
	invite := checked
	if len(invite) == 0 {
		invite = confirmed
	}
	// Before the workshop nobody can be thanked for joining it.
	invitation := "cm.invitation"
	if t.In.Now.Before(w.Start) {
		invitation = "cm.invitation_ahead"
	}
	for _, r := range invite {
		u := e.userOf(ctx, r.UserID)
		t.Send(Reply{ChatID: r.UserID, Lang: u.Lang, Bulk: true, Text: T(invitation, "Title", w.Title),
			Buttons: [][]Button{{{Label: T("cm.add"), Data: mustData("cmn", w.Code)}}}})
	}
	t.Say(T("cm.collection_opened", "Count", len(invite), "Title", w.Title))
	return nil
}

func (e *Engine) reportCommand(ctx context.Context, t *Turn) error {
	ws, err := e.managedWorkshops(ctx, t)
	if err != nil {
		return err
	}
	var rows [][]Button
	for _, w := range ws[:min(len(ws), 12)] {
		rows = append(rows, []Button{{Label: T("ws.list_item", "Title", w.Title, "Date", When{At: w.Start, Zone: w.Zone, DateOnly: true}), Data: mustData("rp", w.Code)}})
	}
	if t.Role == RoleAdmin {
		rows = append(rows, []Button{{Label: T("rp.forum"), Data: mustData("rpa", "all")}})
	}
	if len(rows) == 0 {
		t.Say(T("ws.none_yet"))
		return nil
	}
	t.Say(T("rp.which"), rows...)
	return nil
}

// Tally counts commitments by status (Done, OnTrack, Blocked, NoAnswer and
// Proposed add up to Total) and, across those statuses, the ones overdue: an
// overdue commitment is still counted under its status.
type Tally struct {
	Total, Done, OnTrack, Blocked, Overdue, NoAnswer, Proposed int
}

// Completion is done / confirmed commitments, in percent.
func (y Tally) Completion() int {
	if n := y.Total - y.Proposed; n > 0 {
		return 100 * y.Done / n
	}
	return 0
}

// TallyOf counts the commitments at now.
func TallyOf(cs []*Commitment, now time.Time) Tally {
	var y Tally
	for _, c := range cs {
		y.Total++
		switch c.Status {
		case CmProposed:
			y.Proposed++
		case CmDone:
			y.Done++
		case CmBlocked:
			y.Blocked++
		case CmOnTrack:
			y.OnTrack++
		default:
			y.NoAnswer++
		}
		if overdue(c, now) {
			y.Overdue++
		}
	}
	return y
}

// report sends a workshop's progress: the message, a chart and a CSV.
func (e *Engine) report(ctx context.Context, t *Turn, w *Workshop, _ string) error {
	cs, err := e.store.WorkshopCommitments(ctx, w.Code)
	if err != nil {
		return internalError("commitments", err)
	}
	if len(cs) == 0 {
		t.Say(T("rp.empty", "Title", w.Title), []Button{{Label: T("ws.btn_collect"), Data: mustData("wmo", w.Code)}})
		return nil
	}
	if err := t.audit(ctx, AuditReport, w.Code, 0); err != nil {
		return err
	}
	now := t.In.Now
	y := TallyOf(cs, now)
	names := e.namesOf(ctx, cs)
	var late, blocked []Text
	byOrg := map[string]*[2]int{}
	for _, c := range cs {
		name, org := names(c.Owner)
		if org == "" {
			org = name
		}
		if byOrg[org] == nil {
			byOrg[org] = &[2]int{}
		}
		byOrg[org][1]++
		if c.Status == CmDone {
			byOrg[org][0]++
			continue
		}
		note := ""
		if n := len(c.History); n > 0 {
			note = c.History[n-1].Note
		}
		line := T("rp.item", "What", c.What, "Name", name, "Due", When{At: c.Due, Zone: w.Zone, DateOnly: true},
			"Status", statusText(c, now), "Note", note)
		if overdue(c, now) {
			late = append(late, line)
		}
		if c.Status == CmBlocked {
			blocked = append(blocked, line)
		}
	}
	orgs := make([]string, 0, len(byOrg))
	for o := range byOrg {
		orgs = append(orgs, o)
	}
	slices.SortFunc(orgs, func(a, b string) int { return cmp.Or(byOrg[b][1]-byOrg[a][1], strings.Compare(a, b)) })
	var orgLines []Text
	for _, o := range orgs {
		orgLines = append(orgLines, T("rp.org_line", "Org", o, "Done", byOrg[o][0], "Total", byOrg[o][1]))
	}
	none := []Text{T("rp.none")}
	if len(late) == 0 {
		late = none
	}
	if len(blocked) == 0 {
		blocked = none
	}
	t.Say(T("rp.text", "Title", w.Title, "Count", y.Total, "Done", y.Done, "OnTrack", y.OnTrack, "Blocked", y.Blocked,
		"Overdue", y.Overdue, "NoAnswer", y.NoAnswer, "Proposed", y.Proposed, "Rate", y.Completion(),
		"OverdueList", late, "BlockedList", blocked, "Orgs", orgLines))
	png, err := ProgressChart(y, orgTallies(cs, now, names), e.chartLabels(t.Lang, w.Title, y.Total))
	if err != nil {
		return internalError("progress chart", err)
	}
	t.Send(Reply{Text: T("rp.chart_caption", "Title", w.Title), Photo: &Attachment{Name: "report-" + w.Code + ".png", Data: png}})
	t.Send(Reply{Text: T("rp.csv_caption", "Count", len(cs)), Document: &Attachment{Name: "commitments-" + w.Code + ".csv", Data: e.commitmentsCSV(t, w, cs, names)}})
	return nil
}

// orgTallies counts the commitments of each owner's organisation (the
// owner's name when the profile has none).
func orgTallies(cs []*Commitment, now time.Time, names func(int64) (string, string)) []OrgTally {
	byOrg := map[string][]*Commitment{}
	for _, c := range cs {
		name, org := names(c.Owner)
		byOrg[cmp.Or(org, name)] = append(byOrg[cmp.Or(org, name)], c)
	}
	out := make([]OrgTally, 0, len(byOrg))
	for org, list := range byOrg {
		out = append(out, OrgTally{Name: org, Tally: TallyOf(list, now)})
	}
	return out
}

// chartLabels are the chart's texts in lang; the title is drawn as plain
// text, so the workshop title goes in unescaped.
func (e *Engine) chartLabels(lang, title string, total int) ChartLabels {
	tx := func(id string, data map[string]any) string {
		s, _ := e.texts.Text(lang, id, data, nil) // a missing id shows as itself; TestChartLabels checks them
		return s
	}
	l := ChartLabels{
		Title:    tx("rp.chart.title", map[string]any{"Title": title, "Count": total}),
		ByStatus: tx("rp.chart.by_status", nil),
		ByOrg:    tx("rp.chart.by_org", nil),
		Others:   tx("rp.chart.others", nil),
		Status:   map[string]string{"overdue": tx("rp.chart.overdue", nil)},
	}
	for _, s := range chartStatuses {
		l.Status[s.key] = tx("cm.status."+s.key, nil)
	}
	return l
}

// namesOf loads the owners' profiles in one batch and returns a lookup of
// name and organisation.
func (e *Engine) namesOf(ctx context.Context, cs []*Commitment) func(uid int64) (string, string) {
	ids := make([]int64, 0, len(cs))
	for _, c := range cs {
		ids = append(ids, c.Owner)
	}
	profiles, _ := e.store.ProfilesOf(ctx, ids)
	return func(uid int64) (string, string) {
		if p := profiles[uid]; p != nil {
			return p.FullName, p.Organisation
		}
		return e.nameOf(ctx, uid)
	}
}

func (e *Engine) commitmentsCSV(t *Turn, w *Workshop, cs []*Commitment, names func(int64) (string, string)) []byte {
	tx := func(id string) string { s, _ := e.texts.Text(t.Lang, id, nil, nil); return s }
	loc := LoadZone(w.Zone)
	header := []string{tx("rp.csv.what"), tx("csv.name"), tx("csv.org"), tx("rp.csv.due"), tx("csv.status"),
		tx("rp.csv.days_overdue"), tx("rp.csv.indicator"), tx("rp.csv.partners"), tx("rp.csv.created"), tx("rp.csv.history")}
	rows := make([][]string, 0, len(cs))
	for _, c := range cs {
		name, org := names(c.Owner)
		var hist []string
		for _, h := range c.History {
			entry := h.At.In(loc).Format("2006-01-02 15:04") + " " + tx("cm.status."+h.Status)
			if h.Note != "" {
				entry += ": " + h.Note
			}
			hist = append(hist, entry)
		}
		late := ""
		if overdue(c, t.In.Now) {
			late = strconv.Itoa(daysLate(c, t.In.Now, loc))
		}
		rows = append(rows, []string{c.What, name, org, c.Due.In(loc).Format("2006-01-02"), tx("cm.status." + c.Status), late, c.Indicator, c.Partners,
			c.Created.In(loc).Format("2006-01-02 15:04"), strings.Join(hist, "\n")})
	}
	return CSV(header, rows)
}

// daysLate is the number of whole days since c's due day ended, counted in
// the workshop's zone (1 the day after the due day).
func daysLate(c *Commitment, now time.Time, loc *time.Location) int {
	due, n := c.Due.In(loc), now.In(loc)
	d0 := time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, time.UTC)
	d1 := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
	return int(d1.Sub(d0) / (24 * time.Hour))
}

// forumSummary: every workshop's commitments at a glance (admins).
func (e *Engine) forumSummary(ctx context.Context, t *Turn) error {
	ws, err := e.store.Facilitated(ctx, 0)
	if err != nil {
		return internalError("workshops", err)
	}
	var lines []Text
	var all []*Commitment
	for _, w := range ws {
		cs, err := e.store.WorkshopCommitments(ctx, w.Code)
		if err != nil {
			return internalError("commitments", err)
		}
		if len(cs) == 0 {
			continue
		}
		all = append(all, cs...)
		y := TallyOf(cs, t.In.Now)
		lines = append(lines, T("rp.forum_line", "Title", w.Title, "Total", y.Total, "Done", y.Done, "Overdue", y.Overdue, "Blocked", y.Blocked, "Rate", y.Completion()))
	}
	y := TallyOf(all, t.In.Now)
	if len(lines) == 0 {
		lines = []Text{T("rp.none")}
	}
	t.Say(T("rp.forum_text", "Count", y.Total, "Done", y.Done, "Rate", y.Completion(), "Lines", lines))
	return nil
}
