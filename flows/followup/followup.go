// Package followup is the capability of action-item commitments made at a
// workshop (/commit, /mycommitments): their reminders, nudges, check-ins and
// escalations, the weekly digest, and the facilitators' reports with the
// progress chart (/report). It reaches the workshop management card through
// the core (Turn.ShowManageCard).
package followup

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"sinergi/flows"
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

// Module is the capability of action-item commitments, their reminders and the facilitator reports.
func Module(st Store) flows.Module {
	return flows.ModuleFunc(func(r *flows.Registry) {
		e := &module{store: st, cfg: r.Config(), texts: r.Texts(), linked: r.LinkedChats()}
		e.register(r)
	})
}

// Store is what follow-up reads and writes: commitments, their jobs, workshops, people.
type Store interface {
	flows.Commitments
	flows.Jobs
	flows.Names
	flows.Facilitations
	GetWorkshop(ctx context.Context, code string) (*flows.Workshop, error)
	UpdateWorkshop(ctx context.Context, w *flows.Workshop) (promoted []int64, err error)
	GetRegistration(ctx context.Context, code string, uid int64) (*flows.Registration, error)
	Registrations(ctx context.Context, code string) ([]*flows.Registration, error)
	UserRegistrations(ctx context.Context, uid int64) ([]*flows.Registration, error)
	ProfilesOf(ctx context.Context, ids []int64) (map[int64]*flows.Profile, error)
	flows.ChapterReader // reports per chapter
}

type module struct {
	store Store
	cfg   flows.Config
	texts flows.Texts
	// linked finds a workshop's linked chats (its facilitators' chats).
	linked func(ctx context.Context, code, purpose string) ([]*flows.ChatLink, error)
}

func (e *module) register(r *flows.Registry) {
	r.Namespace("followup")
	r.Command(&flows.Command{Name: "commit", Describe: "cmd.commit", Run: e.commitCommand})
	r.Command(&flows.Command{Name: "mycommitments", Describe: "cmd.mycommitments", Run: e.myCommitments})
	r.Command(&flows.Command{Name: "report", Role: flows.RoleFacilitator, Describe: "cmd.report", Run: e.reportCommand})
	r.Menu(flows.MenuItem{Command: "mycommitments", Label: "menu.mycommitments", Order: 5})
	r.Route(&flows.Route{Name: routeCommit, Legacy: "cmn", Run: e.commitFor})
	r.Link(&flows.DeepLink{Prefix: "cm", Run: e.commitFor}) // cm_<code>: /commit in a workshop's linked group
	r.Route(&flows.Route{Name: routeOwnerAnswer, Legacy: "cmo", Run: e.ownerAnswer})
	r.Route(&flows.Route{Name: routeUpdate, Legacy: "cmu", Run: e.askStatus})
	r.Route(&flows.Route{Name: routeStatus, Legacy: "cms", Run: e.setStatus})
	r.Route(&flows.Route{Name: routeCollect, Legacy: "wmo", Role: flows.RoleFacilitator, Run: flows.Managed(e.store, e.openCollection)})
	r.Route(&flows.Route{Name: routeCheckIns, Legacy: "wmci", Role: flows.RoleFacilitator, Run: flows.Managed(e.store, e.cycleCheckIns)})
	r.Route(&flows.Route{Name: routeReport, Legacy: "rp", Role: flows.RoleFacilitator, Run: flows.Managed(e.store, e.report)})
	r.Route(&flows.Route{Name: routeForumReport, Legacy: "rpa", Role: flows.RoleAdmin, Scoped: true, Run: e.forumReport})
	r.Flow(&flows.Flow{Name: "commit", Done: e.saveCommitment, Steps: []*flows.Step{
		{Name: "what", Parse: flows.TextAnswer(maxWhatLen), Prompt: flows.Ask("cm.ask_what")},
		{Name: "owner", Parse: e.ownerChoice, Prompt: e.ownerPrompt},
		{Name: "due", Parse: dueAnswer, Prompt: duePrompt},
		{Name: "indicator", Parse: flows.OptionalText(maxWhatLen), Prompt: flows.AskWithSkip("cm.ask_indicator", "cm.skip")},
		{Name: "partners", Parse: flows.OptionalText(200), Prompt: flows.AskWithSkip("cm.ask_partners", "cm.skip")},
		{Name: "confirm", Parse: flows.Confirm(flows.T("ws.discarded"), "save"), Prompt: e.commitSummary},
	}})
	r.Flow(&flows.Flow{Name: "cmnote", Done: e.noteDone, Steps: []*flows.Step{
		{Name: "note", Parse: flows.OptionalText(maxWhatLen), Prompt: flows.AskWithSkip("cm.ask_note", "cm.skip")},
	}})
	r.Job(jobCm3, e.commitReminder(jobCm3))
	r.Job(jobCmDue, e.commitReminder(jobCmDue))
	r.Job(jobCmNudge, e.commitReminder(jobCmNudge))
	r.Job(jobCmEsc, e.overdueEscalation)
	r.Job(jobCmCheck, e.checkInJob)
	r.Job(jobDigest, e.digestJob)
}

// NextDigest is the Monday 08:00 (in the workshop's zone) after now.
func NextDigest(w *flows.Workshop, now time.Time) time.Time {
	loc := flows.LoadZone(w.Zone)
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
func (e *module) digestJob(ctx context.Context, now time.Time, code string) ([]flows.Reply, error) {
	w, err := e.store.GetWorkshop(ctx, code)
	if errors.Is(err, flows.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, flows.InternalError("digest workshop", err)
	}
	cs, err := e.store.WorkshopCommitments(ctx, code)
	if err != nil {
		return nil, flows.InternalError("digest commitments", err)
	}
	y := TallyOf(cs, now)
	if w.Cancelled || y.Total == y.Done {
		return nil, nil // nothing open: the digest stops until a new commitment
	}
	if err := e.store.Schedule(ctx, flows.Job{ID: jobDigest + "|" + code, Due: NextDigest(w, now)}); err != nil {
		return nil, flows.InternalError("next digest", err)
	}
	digest := flows.T("rp.digest", "Title", w.Title, "Count", y.Total, "Done", y.Done, "OnTrack", y.OnTrack, "Blocked", y.Blocked,
		"Overdue", y.Overdue, "NoAnswer", y.NoAnswer, "Rate", y.Completion())
	chats, private, err := e.reportChats(ctx, w) // its facilitators' chats: counts only, no button
	if err != nil {
		return nil, err
	}
	var out []flows.Reply
	for _, f := range private {
		out = append(out, flows.Reply{ChatID: f, Lang: e.userOf(ctx, f).Lang, Bulk: true, Text: digest,
			Buttons: [][]flows.Button{{{Label: flows.T("ws.btn_report"), Data: flows.MustData(routeReport, code)}}}})
	}
	for _, l := range chats {
		out = append(out, flows.Reply{ChatID: l.Chat, Thread: l.Thread, Lang: e.cfg.DefaultLang, Bulk: true, Text: digest})
	}
	summaries, err := e.groupSummaries(ctx, w, cs, y)
	return append(out, summaries...), err
}

// commitCommand starts /commit: for the one workshop the user takes part in
// or facilitates, or a choice of them.
func (e *module) commitCommand(ctx context.Context, t *flows.Turn) error {
	var codes []string
	regs, err := e.store.UserRegistrations(ctx, t.User.ID)
	if err != nil {
		return flows.InternalError("registrations", err)
	}
	for _, r := range regs {
		if r.Status == flows.RegConfirmed {
			codes = append(codes, r.Workshop)
		}
	}
	if t.Role >= flows.RoleFacilitator {
		ws, err := flows.ManagedWorkshops(ctx, e.store, t)
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
		t.Say(flows.T("cm.no_workshop"))
		return nil
	case 1:
		return e.commitFor(ctx, t, codes[0])
	}
	var rows [][]flows.Button
	for _, code := range codes[:min(len(codes), 12)] {
		if w, err := e.store.GetWorkshop(ctx, code); err == nil {
			rows = append(rows, []flows.Button{{Label: flows.T("ws.list_item", "Title", w.Title, "Date", flows.When{At: w.Start, Zone: w.Zone, DateOnly: true}), Data: flows.MustData(routeCommit, code)}})
		}
	}
	t.Say(flows.T("cm.which_workshop"), rows...)
	return nil
}

// mayCommit: registrants (confirmed) and the workshop's managers.
func (e *module) mayCommit(ctx context.Context, t *flows.Turn, w *flows.Workshop) bool {
	if t.CanManage(w) {
		return true
	}
	r, err := e.store.GetRegistration(ctx, w.Code, t.User.ID)
	return err == nil && r.Status == flows.RegConfirmed
}

// commitFor starts the commit flow for a workshop.
func (e *module) commitFor(ctx context.Context, t *flows.Turn, code string) error {
	w, err := flows.FindWorkshop(ctx, t, e.store, code)
	if w == nil {
		return err
	}
	if !e.mayCommit(ctx, t, w) {
		t.Say(flows.T("cm.not_participant"))
		return nil
	}
	t.Say(flows.T("cm.intro", "Title", w.Title))
	return t.StartFlowAt(ctx, "commit", "what", map[string]string{"code": w.Code, "zone": w.Zone})
}

func (e *module) ownerPrompt(ctx context.Context, t *flows.Turn) (flows.Reply, error) {
	rows := [][]flows.Button{{t.Choice(flows.T("cm.owner_me"), "me")}}
	regs, err := e.store.Registrations(ctx, t.Session.Data["code"])
	if err != nil {
		return flows.Reply{}, flows.InternalError("registrations", err)
	}
	for _, r := range regs {
		if r.Status != flows.RegConfirmed || r.UserID == t.User.ID || len(rows) > 20 {
			continue
		}
		label, err := e.personLabel(ctx, r.UserID)
		if err != nil {
			return flows.Reply{}, err
		}
		rows = append(rows, []flows.Button{t.ChoiceLiteral(label, strconv.FormatInt(r.UserID, 10))})
	}
	return flows.Reply{Text: flows.T("cm.ask_owner"), Buttons: rows}, nil
}

// ownerChoice: me, or a confirmed registrant of the workshop.
func (e *module) ownerChoice(ctx context.Context, t *flows.Turn, in flows.Input) (string, error) {
	if in.Kind != flows.KindCallback {
		return "", flows.Refuse("errors.use_buttons")
	}
	if in.Callback == "me" {
		return strconv.FormatInt(t.User.ID, 10), nil
	}
	uid, err := strconv.ParseInt(in.Callback, 10, 64)
	if err != nil {
		return "", flows.Refuse("errors.bad_button")
	}
	r, err := e.store.GetRegistration(ctx, t.Session.Data["code"], uid)
	if err != nil || r.Status != flows.RegConfirmed {
		return "", flows.Refuse("errors.bad_button")
	}
	return in.Callback, nil
}

// duePrompt is an inline calendar of the month in view (answers "d<yyyymmdd>",
// paging "m<yyyymm>"), plus typed dates.
func duePrompt(_ context.Context, t *flows.Turn) (flows.Reply, error) { return dueReply(t), nil }

func dueReply(t *flows.Turn) flows.Reply {
	loc := flows.LoadZone(t.Session.Data["zone"])
	today := t.In.Now.In(loc)
	month := today
	if last := time.Date(today.Year(), today.Month()+1, 0, 0, 0, 0, 0, loc); last.Day()-today.Day() < 6 {
		month = today.AddDate(0, 0, 7) // under a week left: open on the next month
	}
	if v := t.Session.Data["_month"]; v != "" {
		if m, err := time.ParseInLocation("200601", v, loc); err == nil {
			month = m
		}
	}
	return flows.Reply{Text: flows.T("cm.ask_due", "Example", flows.DateExample(t.In.Now, loc, 2*flows.DateExampleDays, 9, true)), Buttons: calendar(t, month, today)}
}

// calendar is month as a grid under a row of weekdays (Monday first); days
// before today and the cells before the first and after the last day are
// "·", which does nothing.
func calendar(t *flows.Turn, month, today time.Time) [][]flows.Button {
	first := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, month.Location())
	rows := [][]flows.Button{{
		t.Choice(flows.T("nav.prev"), "m"+first.AddDate(0, -1, 0).Format("200601")),
		t.Choice(flows.T("cm.month", "Month", flows.T("month."+strconv.Itoa(int(first.Month()))), "Year", first.Year()), "noop"),
		t.Choice(flows.T("nav.next"), "m"+first.AddDate(0, 1, 0).Format("200601")),
	}}
	var head []flows.Button
	for wd := 1; wd <= 7; wd++ {
		head = append(head, t.Choice(flows.T("cm.wd."+strconv.Itoa(wd)), "noop"))
	}
	rows = append(rows, head)
	blank := func() flows.Button { return t.ChoiceLiteral("·", "noop") }
	var row []flows.Button
	for range (int(first.Weekday()) + 6) % 7 { // Monday is column 0
		row = append(row, blank())
	}
	todayStart := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, month.Location())
	for d := first; d.Month() == first.Month(); d = d.AddDate(0, 0, 1) {
		if d.Before(todayStart) {
			row = append(row, blank()) // past days cannot be chosen
		} else {
			row = append(row, t.ChoiceLiteral(strconv.Itoa(d.Day()), "d"+d.Format("20060102")))
		}
		if len(row) == 7 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		for len(row) < 7 {
			row = append(row, blank())
		}
		rows = append(rows, row)
	}
	return rows
}

// dueAnswer takes a calendar day or a typed date; the due moment is 09:00
// that day in the workshop's zone, and it may not be in the past.
func dueAnswer(_ context.Context, t *flows.Turn, in flows.Input) (string, error) {
	loc := flows.LoadZone(t.Session.Data["zone"])
	var day time.Time
	switch in.Kind {
	case flows.KindCallback:
		v := in.Callback
		switch {
		case v == "noop":
			return "", flows.ErrStay
		case strings.HasPrefix(v, "m"):
			if _, err := time.Parse("200601", v[1:]); err != nil {
				return "", flows.Refuse("errors.bad_button")
			}
			t.Session.Data["_month"] = v[1:]
			r := dueReply(t)
			r.EditMessageID = in.MessageID
			t.Send(r)
			return "", flows.ErrStay
		case strings.HasPrefix(v, "d"):
			d, err := time.ParseInLocation("20060102", v[1:], loc)
			if err != nil {
				return "", flows.Refuse("errors.bad_button")
			}
			day = d
		default:
			return "", flows.Refuse("errors.bad_button")
		}
	case flows.KindText:
		s := strings.TrimSpace(in.Text)
		d, err := flows.ParseDateTime(s, loc)
		if errors.Is(err, flows.ErrDateFormat) {
			d, err = flows.ParseDateTime(s+" 09:00", loc) // a date alone
		}
		if err != nil {
			return "", flows.DateRefusal(t, loc, err)
		}
		day = d
	default:
		return "", flows.Refuse("errors.expect_text")
	}
	due := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, loc)
	now := t.In.Now.In(loc)
	if due.Year() < now.Year() || (due.Year() == now.Year() && due.YearDay() < now.YearDay()) {
		return "", flows.Refuse("cm.due_past")
	}
	delete(t.Session.Data, "_month")
	return flows.UnixString(due), nil
}

func draftCommitment(t *flows.Turn) *flows.Commitment {
	d := t.Session.Data
	owner, _ := strconv.ParseInt(d["owner"], 10, 64)
	return &flows.Commitment{Workshop: d["code"], What: d["what"], Owner: owner, By: t.User.ID, Due: flows.UnixData(d, "due"),
		Indicator: d["indicator"], Partners: d["partners"], Created: t.In.Now}
}

func (e *module) commitSummary(ctx context.Context, t *flows.Turn) (flows.Reply, error) {
	c := draftCommitment(t)
	owner, err := e.ownerLabel(ctx, t, c)
	if err != nil {
		return flows.Reply{}, err
	}
	return flows.Reply{Text: flows.T("cm.summary", "Details", commitmentDetails(c, t.Session.Data["zone"], owner)),
		Buttons: [][]flows.Button{{t.Choice(flows.T("ws.save"), "save"), t.Choice(flows.T("ws.discard"), "discard")}}}, nil
}

// ownerLabel names a commitment's owner for the person writing it: "me",
// or the owner's name and organisation as on the owner buttons.
func (e *module) ownerLabel(ctx context.Context, t *flows.Turn, c *flows.Commitment) (any, error) {
	if c.Owner == t.User.ID {
		return flows.T("cm.owner_me"), nil
	}
	return e.personLabel(ctx, c.Owner)
}

// personLabel is "name — organisation" (or the name alone).
func (e *module) personLabel(ctx context.Context, uid int64) (string, error) {
	name, org, err := flows.LookupName(ctx, e.store, uid)
	if err != nil {
		return "", err
	}
	if org != "" {
		name += " — " + org
	}
	return name, nil
}

func commitmentDetails(c *flows.Commitment, zone string, owner any) flows.Text {
	dash := func(s string) any {
		if s == "" {
			return flows.HTML("—")
		}
		return s
	}
	return flows.T("cm.details", "What", c.What, "Owner", owner, "Due", flows.When{At: c.Due, Zone: zone, DateOnly: true},
		"Indicator", dash(c.Indicator), "Partners", dash(c.Partners))
}

// saveCommitment stores it: open at once when the user commits themselves,
// proposed (and asked) when it names someone else.
func (e *module) saveCommitment(ctx context.Context, t *flows.Turn) error {
	c := draftCommitment(t)
	w, err := e.store.GetWorkshop(ctx, c.Workshop)
	if err != nil {
		return flows.InternalError("commit workshop", err)
	}
	c.ID = flows.NewCode()
	c.Status = flows.CmOpen
	if c.Owner != t.User.ID {
		c.Status = flows.CmProposed
	}
	if err := e.store.SaveCommitment(ctx, c); err != nil {
		return flows.InternalError("save commitment", err)
	}
	if c.Status == flows.CmOpen {
		if err := e.planFollowUp(ctx, c, w, t.In.Now); err != nil {
			return err
		}
		t.Say(flows.T("cm.saved", "When", reminderPromise(c, w, t.In.Now), "Every", checkInPromise(w)), []flows.Button{{Label: flows.T("cm.add_another"), Data: flows.MustData(routeCommit, w.Code)}})
		return nil
	}
	name, _ := flows.NameOf(ctx, e.store, t.User.ID)
	owner := e.userOf(ctx, c.Owner)
	t.Send(flows.Reply{ChatID: c.Owner, Lang: owner.Lang, Bulk: true,
		Text:    flows.T("cm.proposed_to_you", "Name", name, "Title", w.Title, "Details", commitmentDetails(c, w.Zone, flows.T("cm.owner_you"))),
		Buttons: [][]flows.Button{{{Label: flows.T("cm.accept"), Data: flows.MustData(routeOwnerAnswer, c.Workshop, c.ID, "y")}, {Label: flows.T("cm.decline"), Data: flows.MustData(routeOwnerAnswer, c.Workshop, c.ID, "n")}}}})
	ownerName, _ := flows.NameOf(ctx, e.store, c.Owner)
	t.Say(flows.T("cm.sent_for_confirmation", "Name", ownerName))
	return nil
}

func (e *module) userOf(ctx context.Context, uid int64) *flows.User {
	if u, err := e.store.GetUser(ctx, uid); err == nil {
		return u
	}
	return &flows.User{ID: uid, Lang: e.cfg.DefaultLang}
}

// commitmentArg resolves "<code>:<id>[:<x>]" to a commitment and its workshop.
func (e *module) commitmentArg(ctx context.Context, payload string) (*flows.Commitment, *flows.Workshop, string, error) {
	parts := strings.SplitN(payload, ":", 3)
	if len(parts) < 2 {
		return nil, nil, "", flows.ErrNotFound
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
func refuseCommitment(t *flows.Turn, err error) error {
	if errors.Is(err, flows.ErrNotFound) {
		t.Answer(flows.T("cm.not_found"), true)
		return nil
	}
	return flows.InternalError("commitment", err)
}

// ownCommitment resolves a button's commitment and checks that the presser
// owns it; ok is false when the press was answered with a refusal.
func (e *module) ownCommitment(ctx context.Context, t *flows.Turn, payload string) (c *flows.Commitment, w *flows.Workshop, rest string, ok bool, err error) {
	c, w, rest, err = e.commitmentArg(ctx, payload)
	if err != nil {
		return nil, nil, "", false, refuseCommitment(t, err)
	}
	if c.Owner != t.User.ID {
		t.Answer(flows.T("errors.not_allowed"), true)
		return nil, nil, "", false, nil
	}
	return c, w, rest, true, nil
}

// ownerAnswer: the person named accepts or declines a proposed commitment.
func (e *module) ownerAnswer(ctx context.Context, t *flows.Turn, payload string) error {
	c, w, answer, ok, err := e.ownCommitment(ctx, t, payload)
	if !ok {
		return err
	}
	if c.Status != flows.CmProposed {
		t.Answer(flows.T("cm.already_answered"), true)
		return nil
	}
	t.Send(flows.Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	proposer := e.userOf(ctx, c.By)
	name, _ := flows.NameOf(ctx, e.store, t.User.ID)
	if answer != "y" {
		if err := e.store.DeleteCommitment(ctx, c.Workshop, c.ID); err != nil {
			return flows.InternalError("delete commitment", err)
		}
		t.Say(flows.T("cm.declined"))
		tellProposer(t, c, proposer.Lang, flows.T("cm.declined_notice", "Name", name, "What", c.What))
		return nil
	}
	c.Status = flows.CmOpen
	c.History = append(c.History, flows.StatusEntry{At: t.In.Now, Status: cmAccepted, By: t.User.ID})
	if err := e.store.SaveCommitment(ctx, c); err != nil {
		return flows.InternalError("save commitment", err)
	}
	if err := e.planFollowUp(ctx, c, w, t.In.Now); err != nil {
		return err
	}
	t.Say(flows.T("cm.accepted", "When", reminderPromise(c, w, t.In.Now), "Every", checkInPromise(w)))
	tellProposer(t, c, proposer.Lang, flows.T("cm.accepted_notice", "Name", name, "What", c.What))
	return nil
}

// tellProposer sends the owner's answer to whoever proposed c; nobody is
// told when the proposer was forgotten (By is 0: a reply to chat 0 would
// land in the owner's own chat) or is the owner.
func tellProposer(t *flows.Turn, c *flows.Commitment, lang string, text flows.Text) {
	if c.By == 0 || c.By == t.User.ID {
		return
	}
	t.Send(flows.Reply{ChatID: c.By, Lang: lang, Bulk: true, Text: text})
}

func followUpIDs(c *flows.Commitment) []string {
	a := c.Workshop + "|" + c.ID
	return []string{jobCm3 + "|" + a, jobCmDue + "|" + a, jobCmNudge + "|" + a, jobCmEsc + "|" + a, jobCmCheck + "|" + a}
}

// planFollowUp schedules a commitment's reminders, overdue escalation and
// periodic check-in.
func (e *module) planFollowUp(ctx context.Context, c *flows.Commitment, w *flows.Workshop, now time.Time) error {
	ids := followUpIDs(c)
	var jobs []flows.Job
	if at := c.Due.AddDate(0, 0, -3); at.After(now) {
		jobs = append(jobs, flows.Job{ID: ids[0], Due: at})
	}
	jobs = append(jobs,
		flows.Job{ID: ids[1], Due: c.Due},
		flows.Job{ID: ids[2], Due: c.Due.AddDate(0, 0, 3)},
		flows.Job{ID: ids[3], Due: c.Due.AddDate(0, 0, 7)},
		flows.Job{ID: ids[4], Due: now.Add(w.CheckInEvery())},
		flows.Job{ID: jobDigest + "|" + w.Code, Due: NextDigest(w, now)})
	if err := e.store.Schedule(ctx, jobs...); err != nil {
		return flows.InternalError("schedule follow-up", err)
	}
	return nil
}

// reminderPromise says which reminders planFollowUp plans for c, and only
// those: the one three days before is left out when that day has passed.
func reminderPromise(c *flows.Commitment, w *flows.Workshop, now time.Time) flows.Text {
	due := flows.When{At: c.Due, Zone: w.Zone, DateOnly: true}
	if c.Due.AddDate(0, 0, -3).After(now) {
		return flows.T("cm.remind_3days_and_due", "Due", due)
	}
	return flows.T("cm.remind_on_due", "Due", due)
}

// checkInPromise says how often the status question comes for w.
func checkInPromise(w *flows.Workshop) flows.Text {
	days := int(w.CheckInEvery() / (24 * time.Hour))
	if days == 7 {
		return flows.T("cm.every_week")
	}
	t := flows.T("cm.every_days", "Count", days)
	t.Count = days
	return t
}
