package flows

import (
	"context"
	"errors"
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
	e.addRoute(&Route{Name: "wmo", Role: RoleFacilitator, Run: Managed(e.store, e.openCollection)})
	e.addRoute(&Route{Name: "wmci", Role: RoleFacilitator, Run: Managed(e.store, e.cycleCheckIns)})
	e.addRoute(&Route{Name: "rp", Role: RoleFacilitator, Run: Managed(e.store, e.report)})
	e.addRoute(&Route{Name: "rpa", Role: RoleAdmin, Run: func(ctx context.Context, t *Turn, _ string) error { return e.forumSummary(ctx, t) }})
	e.addFlow(&Flow{Name: "commit", Done: e.saveCommitment, Steps: []*Step{
		{Name: "what", Parse: TextAnswer(maxWhatLen), Prompt: Ask("cm.ask_what")},
		{Name: "owner", Parse: e.ownerChoice, Prompt: e.ownerPrompt},
		{Name: "due", Parse: dueAnswer, Prompt: duePrompt},
		{Name: "indicator", Parse: OptionalText(maxWhatLen), Prompt: AskWithSkip("cm.ask_indicator", "cm.skip")},
		{Name: "partners", Parse: OptionalText(200), Prompt: AskWithSkip("cm.ask_partners", "cm.skip")},
		{Name: "confirm", Parse: commitConfirm, Prompt: e.commitSummary},
	}})
	e.addFlow(&Flow{Name: "cmnote", Done: e.noteDone, Steps: []*Step{
		{Name: "note", Parse: OptionalText(maxWhatLen), Prompt: AskWithSkip("cm.ask_note", "cm.skip")},
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
		return nil, InternalError("digest workshop", err)
	}
	cs, err := e.store.WorkshopCommitments(ctx, code)
	if err != nil {
		return nil, InternalError("digest commitments", err)
	}
	y := TallyOf(cs, now)
	if w.Cancelled || y.Total == y.Done {
		return nil, nil // nothing open: the digest stops until a new commitment
	}
	if err := e.store.Schedule(ctx, Job{ID: jobDigest + "|" + code, Due: NextDigest(w, now)}); err != nil {
		return nil, InternalError("next digest", err)
	}
	var out []Reply
	for _, f := range w.Facilitators {
		u := e.userOf(ctx, f)
		out = append(out, Reply{ChatID: f, Lang: u.Lang, Bulk: true,
			Text: T("rp.digest", "Title", w.Title, "Count", y.Total, "Done", y.Done, "OnTrack", y.OnTrack, "Blocked", y.Blocked,
				"Overdue", y.Overdue, "NoAnswer", y.NoAnswer, "Rate", y.Completion()),
			Buttons: [][]Button{{{Label: T("ws.btn_report"), Data: MustData("rp", code)}}}})
	}
	return out, nil
}

// commitCommand starts /commit: for the one workshop the user takes part in
// or facilitates, or a choice of them.
func (e *Engine) commitCommand(ctx context.Context, t *Turn) error {
	var codes []string
	regs, err := e.store.UserRegistrations(ctx, t.User.ID)
	if err != nil {
		return InternalError("registrations", err)
	}
	for _, r := range regs {
		if r.Status == RegConfirmed {
			codes = append(codes, r.Workshop)
		}
	}
	if t.Role >= RoleFacilitator {
		ws, err := ManagedWorkshops(ctx, e.store, t)
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
			rows = append(rows, []Button{{Label: T("ws.list_item", "Title", w.Title, "Date", When{At: w.Start, Zone: w.Zone, DateOnly: true}), Data: MustData("cmn", code)}})
		}
	}
	t.Say(T("cm.which_workshop"), rows...)
	return nil
}

// mayCommit: registrants (confirmed) and the workshop's managers.
func (e *Engine) mayCommit(ctx context.Context, t *Turn, w *Workshop) bool {
	if t.CanManage(w) {
		return true
	}
	r, err := e.store.GetRegistration(ctx, w.Code, t.User.ID)
	return err == nil && r.Status == RegConfirmed
}

// commitFor starts the commit flow for a workshop.
func (e *Engine) commitFor(ctx context.Context, t *Turn, code string) error {
	w, err := FindWorkshop(ctx, t, e.store, code)
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
		return Reply{}, InternalError("registrations", err)
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
	return Reply{Text: T("cm.ask_due", "Example", DateExample(t.In.Now, loc, 2*DateExampleDays, 9, true)), Buttons: calendar(t, month, t.In.Now.In(loc))}
}

func calendar(t *Turn, month, today time.Time) [][]Button {
	first := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, month.Location())
	rows := [][]Button{{
		t.Choice(T("nav.prev"), "m"+first.AddDate(0, -1, 0).Format("200601")),
		t.Choice(T("cm.month", "Month", T("month."+strconv.Itoa(int(first.Month()))), "Year", first.Year()), "noop"),
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
			return "", ErrStay
		case strings.HasPrefix(v, "m"):
			if _, err := time.Parse("200601", v[1:]); err != nil {
				return "", Refuse("errors.bad_button")
			}
			t.Session.Data["_month"] = v[1:]
			r := dueReply(t)
			r.EditMessageID = in.MessageID
			t.Send(r)
			return "", ErrStay
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
			return "", DateRefusal(t, loc, err)
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
	return UnixString(due), nil
}

func draftCommitment(t *Turn) *Commitment {
	d := t.Session.Data
	owner, _ := strconv.ParseInt(d["owner"], 10, 64)
	return &Commitment{Workshop: d["code"], What: d["what"], Owner: owner, By: t.User.ID, Due: UnixData(d, "due"),
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
	name, org, err := LookupName(ctx, e.store, uid)
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
		return "", ErrStay
	}
	return "", Refuse("errors.bad_button")
}

// saveCommitment stores it: open at once when the user commits themselves,
// proposed (and asked) when it names someone else.
func (e *Engine) saveCommitment(ctx context.Context, t *Turn) error {
	c := draftCommitment(t)
	w, err := e.store.GetWorkshop(ctx, c.Workshop)
	if err != nil {
		return InternalError("commit workshop", err)
	}
	c.ID = NewCode()
	c.Status = CmOpen
	if c.Owner != t.User.ID {
		c.Status = CmProposed
	}
	if err := e.store.SaveCommitment(ctx, c); err != nil {
		return InternalError("save commitment", err)
	}
	if c.Status == CmOpen {
		if err := e.planFollowUp(ctx, c, w, t.In.Now); err != nil {
			return err
		}
		t.Say(T("cm.saved", "Due", When{At: c.Due, Zone: w.Zone, DateOnly: true}), []Button{{Label: T("cm.add_another"), Data: MustData("cmn", w.Code)}})
		return nil
	}
	name, _ := NameOf(ctx, e.store, t.User.ID)
	owner := e.userOf(ctx, c.Owner)
	t.Send(Reply{ChatID: c.Owner, Lang: owner.Lang, Bulk: true,
		Text:    T("cm.proposed_to_you", "Name", name, "Title", w.Title, "Details", commitmentDetails(c, w.Zone, T("cm.owner_you"))),
		Buttons: [][]Button{{{Label: T("cm.accept"), Data: MustData("cmo", c.Workshop, c.ID, "y")}, {Label: T("cm.decline"), Data: MustData("cmo", c.Workshop, c.ID, "n")}}}})
	ownerName, _ := NameOf(ctx, e.store, c.Owner)
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
	return InternalError("commitment", err)
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
	name, _ := NameOf(ctx, e.store, t.User.ID)
	if answer != "y" {
		if err := e.store.DeleteCommitment(ctx, c.Workshop, c.ID); err != nil {
			return InternalError("delete commitment", err)
		}
		t.Say(T("cm.declined"))
		tellProposer(t, c, proposer.Lang, T("cm.declined_notice", "Name", name, "What", c.What))
		return nil
	}
	c.Status = CmOpen
	c.History = append(c.History, StatusEntry{At: t.In.Now, Status: cmAccepted, By: t.User.ID})
	if err := e.store.SaveCommitment(ctx, c); err != nil {
		return InternalError("save commitment", err)
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
		return InternalError("schedule follow-up", err)
	}
	return nil
}
