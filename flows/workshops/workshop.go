// Package workshops is the capability of facilitators creating workshops
// (/newworkshop) and managing them (/myworkshops): the management card,
// registrants, CSV export, editing, closing and cancelling, feedback, and
// the workshop's team (team.go), and messages of the team to its
// registrants (message.go). It
// reaches registration through the core: reminders are planned with
// flows.PlanReminders, people promoted by a larger capacity are told with
// Turn.TellPromoted; it sets the management card hook (OnManageCard).
package workshops

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"sinergi/flows"
)

// Limits of workshop fields, in characters.
const (
	maxTitleLen    = 120
	minTitleLen    = 3
	maxDescLen     = 1000
	maxVenueLen    = 200
	maxLinkLen     = 500
	maxQuestionLen = 200
	maxCapacity    = 100_000
	regPage        = 10 // registrants per page
)

// Module is the capability of facilitators creating and managing workshops, check-in.
func Module(st Store) flows.Module {
	return flows.ModuleFunc(func(r *flows.Registry) {
		e := &module{store: st, cfg: r.Config(), texts: r.Texts()}
		e.register(r)
	})
}

// Store is what workshop management reads and writes: workshops, their
// registrations and feedback, the reminder jobs it moves, and the people it
// names.
type Store interface {
	flows.Jobs
	flows.Names
	flows.Facilitations
	flows.Teams
	flows.Audience
	CreateBroadcast(ctx context.Context, b *flows.Broadcast) error
	CreateWorkshop(ctx context.Context, w *flows.Workshop) error
	UpdateWorkshop(ctx context.Context, w *flows.Workshop) (promoted []int64, err error)
	UpdateWorkshopAt(ctx context.Context, w *flows.Workshop, now time.Time) (promoted []int64, err error)
	OfferSeats(ctx context.Context, code string, now time.Time) ([]int64, error)
	ModeCounts(ctx context.Context, code string) (onsite, online flows.Counts, err error) // a hybrid workshop's modes (hybrid.go)
	GetWorkshop(ctx context.Context, code string) (*flows.Workshop, error)
	Registrations(ctx context.Context, code string) ([]*flows.Registration, error)
	Counts(ctx context.Context, code string) (flows.Counts, error)
	Feedback(ctx context.Context, code string) ([]*flows.Feedback, error)
	// The agenda, for the export's column per parallel session.
	Sessions(ctx context.Context, code string) ([]flows.AgendaSession, error)
	SignUps(ctx context.Context, code string) (map[string][]int64, error)
	flows.ChapterReader // the chapters a new workshop may belong to
	FormStore
	invitesStore
}

type module struct {
	store Store
	cfg   flows.Config
	texts flows.Texts
}

// The workshops capability's callback routes, "<name>:<payload>"
// (Route.Legacy: the name buttons sent before namespaces carry). All but
// routeMine are a workshop's management buttons, checked on every press
// (flows.Managed).
const (
	routeMine         = "workshops.mine"          // <page>: /myworkshops
	routeManage       = "workshops.manage"        // <code>: the management card
	routeRegistrants  = "workshops.registrants"   // <code>:<page>: who registered
	routeExport       = "workshops.export"        // <code>: the registrants as CSV
	routeEdit         = "workshops.edit"          // <code>: the edit flow
	routeToggleClosed = "workshops.toggle_closed" // <code>: closes or reopens registration
	routeCancel       = "workshops.cancel"        // <code>: asks to confirm the cancellation
	routeCancelYes    = "workshops.cancel_yes"    // <code>: cancels the workshop
	routeFeedback     = "workshops.feedback"      // <code>: the feedback summary

	routeTeam            = "workshops.team"           // <code>: the team card
	routeTeamInvite      = "workshops.team_invite"    // <code>: a one-time invitation link (owner)
	routeTeamRemove      = "workshops.team_remove"    // <code>:<uid>: removes a member (owner)
	routeTeamHandOver    = "workshops.handover"       // <code>:<uid>: asks to confirm the hand-over (owner)
	routeTeamHandOverYes = "workshops.handover_yes"   // <code>:<uid>: hands the workshop over (owner)
	routeTeamLeave       = "workshops.team_leave"     // <code>: asks to confirm leaving the team
	routeTeamLeaveYes    = "workshops.team_leave_yes" // <code>: leaves the team
	routeMessage         = "workshops.message"        // <code>: message the registrants: whom, by status
	routeMessageTo       = "workshops.message_to"     // <code>:<c|w|i|n>: writes the message
	routePromotion       = "workshops.promotion"      // <code>: offers or automatic promotion
	routeOfferFor        = "workshops.offer_for"      // <code>: asks how long an offer stands
	routeApproval        = "workshops.approval"       // <code>: registrations need approval, or not
)

func (e *module) register(r *flows.Registry) {
	r.Namespace("workshops")
	r.OnManageCard(func(ctx context.Context, t *flows.Turn, w *flows.Workshop) error { return e.manageCard(ctx, t, w, "") })
	r.Command(&flows.Command{Name: "newworkshop", Role: flows.RoleFacilitator, Describe: "cmd.newworkshop", Run: func(ctx context.Context, t *flows.Turn) error {
		data := map[string]string{}
		if z := e.cfg.Location.String(); slices.Contains(flows.Zones(), z) {
			data["default_zone"] = z
		}
		choices, err := e.chapterChoices(ctx, t)
		if err != nil {
			return err
		}
		if len(choices) > 0 {
			data[chapterChoicesKey] = strings.Join(choices, ",")
		}
		t.Say(flows.T("ws.new_intro"))
		return t.StartFlowAt(ctx, "workshop", "title", data)
	}})
	r.Command(&flows.Command{Name: "myworkshops", Role: flows.RoleFacilitator, Describe: "cmd.myworkshops", Run: func(ctx context.Context, t *flows.Turn) error {
		return e.myWorkshops(ctx, t, 0, false)
	}})
	r.Menu(flows.MenuItem{Command: "newworkshop", Label: "menu.newworkshop", Role: flows.RoleFacilitator, Order: 40})
	r.Menu(flows.MenuItem{Command: "myworkshops", Label: "menu.myworkshops", Role: flows.RoleFacilitator, Order: 41})
	r.Route(&flows.Route{Name: routeMine, Legacy: "mws", Role: flows.RoleFacilitator, Run: func(ctx context.Context, t *flows.Turn, p string) error {
		page, _ := strconv.Atoi(p)
		return e.myWorkshops(ctx, t, page, true)
	}})
	for _, m := range []struct {
		name, legacy string
		run          func(context.Context, *flows.Turn, *flows.Workshop, string) error
	}{
		{routeManage, "wm", e.manageCard},
		{routeRegistrants, "wmr", e.listRegistrants},
		{routeExport, "wmx", e.exportCSV},
		{routeEdit, "wme", e.editWorkshop},
		{routeToggleClosed, "wmc", e.toggleClosed},
		{routeCancel, "wmk", e.askCancelWorkshop},
		{routeCancelYes, "wmky", e.cancelWorkshop},
		{routeFeedback, "wmf", e.feedbackSummary},
		{routePromotion, "", e.togglePromotion},
		{routeOfferFor, "", e.askOfferFor},
		{routeApproval, "", e.toggleApproval},
	} {
		r.Route(&flows.Route{Name: m.name, Legacy: m.legacy, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, m.run)})
	}
	e.registerTeam(r)
	e.registerMessage(r)
	e.registerForm(r)
	e.registerClone(r)
	e.registerSeries(r)
	e.registerVisibility(r)
	e.registerInvites(r)
	r.Flow(&flows.Flow{
		Name: "workshop",
		Done: e.saveWorkshop,
		Steps: []*flows.Step{
			{Name: "title", Keep: true, Parse: titleAnswer, Prompt: flows.Ask("ws.ask_title")},
			{Name: "desc", Keep: true, Parse: flows.OptionalText(maxDescLen), Prompt: flows.AskWithSkip("ws.ask_desc", "ws.skip_desc")},
			{Name: "zone", Keep: true, Parse: zoneAnswer, Prompt: zonePrompt, Show: showZone},
			{Name: "start", Keep: true, Parse: e.startAnswer, Prompt: startPrompt, Show: showMoment},
			{Name: "end", Keep: true, Parse: endAnswer, Prompt: endPrompt, Show: showMoment},
			{Name: "venue", Keep: true, Parse: flows.OptionalText(maxVenueLen), Prompt: flows.AskWithSkip("ws.ask_venue", "ws.skip_venue")},
			{Name: "link", Keep: true, Parse: linkAnswer, Prompt: flows.AskWithSkip("ws.ask_link", "ws.skip_link")},
			{Name: "format", Keep: true, Parse: formatAnswer, Prompt: formatPrompt, Show: showFormat, Skip: skipFormat},
			{Name: "capacity", Keep: true, Parse: e.capacityAnswer, Prompt: capacityPrompt, Show: showCapacity},
			{Name: "online_cap", Keep: true, Parse: e.onlineCapacityAnswer, Prompt: flows.AskWithSkip("ws.ask_online_capacity", "ws.unlimited"), Show: showCapacity, Skip: skipOnlineCap},
			{Name: "deadline", Keep: true, Parse: e.deadlineAnswer, Prompt: flows.AskWithSkip("ws.ask_deadline", "ws.until_start"), Show: showDeadline},
			{Name: "question", Keep: true, Parse: flows.OptionalText(maxQuestionLen), Prompt: flows.AskWithSkip("ws.ask_question", "ws.skip_question")},
			{Name: "chapter", Parse: e.chapterAnswer, Prompt: e.chapterPrompt,
				Skip: func(t *flows.Turn) bool {
					return t.Session.Data[chapterChoicesKey] == "" || t.Session.Data["code"] != ""
				}},
			{Name: "confirm", Parse: e.confirmAnswer, Prompt: e.summaryPrompt},
		},
	})
	r.Flow(&flows.Flow{Name: "wsofferfor", Done: e.saveOfferFor, Steps: []*flows.Step{
		{Name: "offer_for", Parse: offerForAnswer, Prompt: func(_ context.Context, t *flows.Turn) (flows.Reply, error) {
			return flows.Reply{Text: flows.T("ws.ask_offer_for", "Min", int(flows.MinOfferFor/time.Hour), "Max", int(flows.MaxOfferFor/time.Hour))}, nil
		}},
	}})
}

// chapterChoicesKey holds the chapters a new workshop may belong to,
// offered by the step "chapter" ("" none: the step is skipped).
const chapterChoicesKey = "chapter_choices"

// noChapter is the answer "no chapter: the national forum's".
const noChapter = "-"

// chapterChoices are the chapters the user may put a new workshop in: every
// one for a national admin, those they belong to for a facilitator, none
// for a chapter admin (theirs is their workshops' chapter) or in a forum
// without chapters.
func (e *module) chapterChoices(ctx context.Context, t *flows.Turn) ([]string, error) {
	if t.ChapterAdmin() != "" {
		return nil, nil
	}
	var chs []*flows.Chapter
	var err error
	if t.Role >= flows.RoleAdmin {
		chs, err = e.store.ListChapters(ctx)
	} else {
		p, perr := e.store.GetProfile(ctx, t.User.ID)
		if perr != nil && !errors.Is(perr, flows.ErrNotFound) {
			return nil, flows.InternalError("profile", perr)
		}
		chs, err = flows.ChaptersOf(ctx, e.store, t.User.ID, p)
	}
	if err != nil {
		return nil, flows.InternalError("chapters", err)
	}
	ids := make([]string, len(chs))
	for i, c := range chs {
		ids[i] = c.ID
	}
	return ids, nil
}

func (e *module) chapterPrompt(ctx context.Context, t *flows.Turn) (flows.Reply, error) {
	var rows [][]flows.Button
	for id := range strings.SplitSeq(t.Session.Data[chapterChoicesKey], ",") {
		c, err := e.store.GetChapter(ctx, id)
		if errors.Is(err, flows.ErrNotFound) {
			continue
		}
		if err != nil {
			return flows.Reply{}, flows.InternalError("chapter", err)
		}
		if len(rows) < 12 {
			rows = append(rows, []flows.Button{t.ChoiceLiteral(c.Name, c.ID)})
		}
	}
	rows = append(rows, []flows.Button{t.Choice(flows.T("ws.chapter_none"), noChapter)})
	return flows.Reply{Text: flows.T("ws.ask_chapter"), Buttons: rows}, nil
}

// chapterAnswer takes a chapter the user may choose now (asked of the
// store again, not of the buttons), or none.
func (e *module) chapterAnswer(ctx context.Context, t *flows.Turn, in flows.Input) (string, error) {
	if in.Kind != flows.KindCallback {
		return "", flows.Refuse("errors.use_buttons")
	}
	if in.Callback == noChapter {
		return noChapter, nil
	}
	choices, err := e.chapterChoices(ctx, t)
	if err != nil {
		return "", err
	}
	if !slices.Contains(choices, in.Callback) {
		return "", flows.Refuse("errors.bad_button")
	}
	return in.Callback, nil
}

func startPrompt(_ context.Context, t *flows.Turn) (flows.Reply, error) {
	return flows.Reply{Text: flows.T("ws.ask_start", "Example", flows.DateExample(t.In.Now, zone(t), flows.DateExampleDays, 9, false))}, nil
}

func (e *module) startAnswer(_ context.Context, t *flows.Turn, in flows.Input) (string, error) {
	at, err := flows.FutureAnswer(t, in, zone(t))
	if err != nil {
		return "", err
	}
	d := t.Session.Data
	old := flows.UnixData(d, "start")
	if end := flows.UnixData(d, "end"); d["end"] != "" && !end.After(at) {
		// Editing the start past the old end moves the end by the same span.
		d["end"] = flows.UnixString(at.Add(end.Sub(old)))
	}
	if d["deadline"] != "" && (d["deadline"] == d["start"] || flows.UnixData(d, "deadline").After(at)) {
		// A deadline "until the start" moves with the start; one that
		// would now fall after the start closes at it.
		d["deadline"] = flows.UnixString(at)
	}
	return flows.UnixString(at), nil
}

func endPrompt(_ context.Context, t *flows.Turn) (flows.Reply, error) {
	start := flows.UnixData(t.Session.Data, "start")
	return flows.Reply{Text: flows.T("ws.ask_end", "Start", flows.When{At: start, Zone: t.Session.Data["zone"]})}, nil
}

func endAnswer(_ context.Context, t *flows.Turn, in flows.Input) (string, error) {
	v, err := flows.TextBetween(in, 1, 100)
	if err != nil {
		return "", err
	}
	start := flows.UnixData(t.Session.Data, "start")
	at, err := flows.ParseClockOn(v, zone(t), start)
	if err != nil {
		return "", flows.DateRefusal(t, zone(t), err)
	}
	if !at.After(start) {
		return "", flows.Refuse("ws.end_before_start", "Start", flows.When{At: start, Zone: t.Session.Data["zone"]})
	}
	return flows.UnixString(at), nil
}

func linkAnswer(_ context.Context, t *flows.Turn, in flows.Input) (string, error) {
	if in.Kind == flows.KindCallback && in.Callback == flows.SkipValue {
		if t.Session.Data["venue"] == "" {
			return "", flows.Refuse("ws.need_place")
		}
		return "", nil
	}
	v, err := flows.TextBetween(in, 1, maxLinkLen)
	if err != nil {
		return "", err
	}
	if !validLink(v) {
		return "", flows.Refuse("ws.bad_link")
	}
	return v, nil
}

// capacityAnswer takes a number of seats; editing a workshop, never fewer
// than the seats taken (confirmed and offered): nobody loses a seat.
func (e *module) capacityAnswer(ctx context.Context, t *flows.Turn, in flows.Input) (string, error) {
	v, err := capacityValue(in)
	if err != nil || v == "0" || t.Session.Data["code"] == "" {
		return v, err
	}
	if isHybrid(t.Session.Data) { // the on-site seats (hybrid.go)
		taken, err := e.modeTaken(ctx, t.Session.Data["code"], flows.ModeOnsite)
		if err != nil {
			return "", err
		}
		if n, _ := strconv.Atoi(v); n < taken {
			return "", flows.Refuse("ws.onsite_capacity_below_taken", "Count", taken)
		}
		return v, nil
	}
	c, err := e.store.Counts(ctx, t.Session.Data["code"])
	if err != nil {
		return "", flows.InternalError("counts", err)
	}
	if n, _ := strconv.Atoi(v); n < c.Confirmed+c.Offered {
		return "", flows.Refuse("ws.capacity_below_taken", "Count", c.Confirmed+c.Offered)
	}
	return v, nil
}

func capacityValue(in flows.Input) (string, error) {
	if in.Kind == flows.KindCallback && in.Callback == flows.SkipValue {
		return "0", nil
	}
	v, err := flows.TextBetween(in, 1, 10)
	if err != nil {
		return "", err
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 || n > maxCapacity {
		return "", flows.Refuse("ws.bad_capacity", "Max", maxCapacity)
	}
	return strconv.Itoa(n), nil
}

func (e *module) deadlineAnswer(_ context.Context, t *flows.Turn, in flows.Input) (string, error) {
	start := flows.UnixData(t.Session.Data, "start")
	if in.Kind == flows.KindCallback && in.Callback == flows.SkipValue {
		return flows.UnixString(start), nil
	}
	at, err := flows.FutureAnswer(t, in, zone(t))
	if err != nil {
		return "", err
	}
	if at.After(start) {
		return "", flows.Refuse("ws.deadline_after_start", "Start", flows.When{At: start, Zone: t.Session.Data["zone"]})
	}
	return flows.UnixString(at), nil
}

// workshopFromData builds a workshop from the flow's answers.
func workshopFromData(d map[string]string) *flows.Workshop {
	capacity, _ := strconv.Atoi(d["capacity"])
	online, _ := strconv.Atoi(d["online_cap"])
	w := &flows.Workshop{
		Code: d["code"], Title: d["title"], Description: d["desc"], Zone: d["zone"],
		Start: flows.UnixData(d, "start"), End: flows.UnixData(d, "end"), Venue: d["venue"], OnlineURL: d["link"],
		Capacity: capacity, Deadline: flows.UnixData(d, "deadline"), Question: d["question"], Format: formatOf(d),
	}
	if w.Hybrid() {
		w.OnlineCapacity = online
	}
	return w
}

// workshopData is the inverse of workshopFromData, to edit a workshop.
func workshopData(w *flows.Workshop) map[string]string {
	return map[string]string{
		"code": w.Code, "title": w.Title, "desc": w.Description, "zone": w.Zone,
		"start": flows.UnixString(w.Start), "end": flows.UnixString(w.End), "venue": w.Venue, "link": w.OnlineURL,
		"capacity": strconv.Itoa(w.Capacity), "deadline": flows.UnixString(w.Deadline), "question": w.Question,
		"format": formatData(w), "online_cap": strconv.Itoa(w.OnlineCapacity),
	}
}

// editable are the fields offered by the summary's Edit menu.
var editable = []string{"title", "desc", "zone", "start", "end", "venue", "link", "format", "capacity", "online_cap", "deadline", "question"}

func (e *module) summaryPrompt(_ context.Context, t *flows.Turn) (flows.Reply, error) {
	w := workshopFromData(t.Session.Data)
	return flows.Reply{Text: flows.T("ws.summary", "Details", flows.WorkshopDetails(w)), Buttons: [][]flows.Button{{
		t.Choice(flows.T("ws.save"), "save"), t.Choice(flows.T("ws.edit"), "edit"), t.Choice(flows.T("ws.discard"), "discard"),
	}}}, nil
}

func (e *module) confirmAnswer(ctx context.Context, t *flows.Turn, in flows.Input) (string, error) {
	if in.Kind != flows.KindCallback {
		return "", flows.Refuse("errors.use_buttons")
	}
	switch v := in.Callback; {
	case v == "save":
		d := t.Session.Data
		if d["venue"] == "" && d["link"] == "" {
			return "", flows.Refuse("ws.need_place")
		}
		if d["format"] == formatHybrid && !isHybrid(d) {
			return "", flows.Refuse("ws.hybrid_needs_both")
		}
		return v, nil
	case v == "discard":
		return t.Discard(in, flows.T("ws.discarded"))
	case v == "edit":
		var rows [][]flows.Button
		for i := 0; i < len(editable); i += 2 {
			rows = append(rows, []flows.Button{t.Choice(flows.T("ws.field."+editable[i]), "e_"+editable[i]), t.Choice(flows.T("ws.field."+editable[i+1]), "e_"+editable[i+1])})
		}
		t.Send(flows.Reply{EditMessageID: in.MessageID, Text: flows.T("ws.edit_which"), Buttons: rows})
		return "", flows.ErrStay
	case strings.HasPrefix(v, "e_") && slices.Contains(editable, v[2:]):
		t.Send(flows.Reply{EditMessageID: in.MessageID, ClearButtons: true})
		t.ReturnTo("confirm")
		return "", flows.Goto(v[2:])
	}
	return "", flows.Refuse("errors.bad_button")
}

// saveWorkshop creates the workshop, or saves the edit of an existing one.
func (e *module) saveWorkshop(ctx context.Context, t *flows.Turn) error {
	w := workshopFromData(t.Session.Data)
	if w.Code != "" {
		return e.saveEdit(ctx, t, w)
	}
	w.Facilitators, w.CreatedBy, w.Created = []int64{t.User.ID}, t.User.ID, t.In.Now
	w.Chapter = t.ChapterAdmin() // a chapter admin's workshop is their chapter's
	if ch := t.Session.Data["chapter"]; w.Chapter == "" && ch != "" && ch != noChapter {
		choices, err := e.chapterChoices(ctx, t) // may they still?
		if err != nil {
			return err
		}
		if slices.Contains(choices, ch) {
			w.Chapter = ch
		}
	}
	w.Offers = true // new workshops offer freed seats (see flows.Workshop.Offers)
	return e.create(ctx, t, w)
}

// create stores a new workshop under a fresh code and tells its creator.
func (e *module) create(ctx context.Context, t *flows.Turn, w *flows.Workshop) error {
	if err := e.insert(ctx, t, w); err != nil {
		return err
	}
	e.tellCreated(t, w)
	return nil
}

// tellCreated says w is saved, with its link to share.
func (e *module) tellCreated(t *flows.Turn, w *flows.Workshop) {
	link := t.BotLink("ws_" + w.Code)
	t.Say(flows.T("ws.created", "Title", w.Title, "Link", link, "Code", w.Code), []flows.Button{
		{Label: flows.T("ws.share"), URL: "https://t.me/share/url?url=" + url.QueryEscape(link) + "&text=" + url.QueryEscape(w.Title)},
		{Label: flows.T("ws.manage"), Data: flows.MustData(routeManage, w.Code)},
	})
}

// changeNotice tells r's registrant that w's date, time or place changed,
// and where they stand: confirmed, with the new calendar file (only a seat
// holder gets one); offered a seat, with Accept and Decline again; waiting,
// with their place; awaiting approval.
func changeNotice(t *flows.Turn, w *flows.Workshop, r *flows.Registration) flows.Reply {
	reply := flows.Reply{ChatID: r.UserID, Lang: r.Lang, Bulk: true}
	w = flows.ForAttendee(w, r) // the online link only for whom it is
	details := flows.WorkshopDetails(w)
	switch r.Status {
	case flows.RegOffered:
		reply.Text = flows.T("ws.changed_offered", "Details", details, "Until", flows.When{At: r.OfferExpires, Zone: w.Zone})
		reply.Buttons = [][]flows.Button{{{Label: flows.T("ws.btn_offer_accept"), Data: flows.MustData("registration.accept", w.Code)},
			{Label: flows.T("ws.btn_offer_decline"), Data: flows.MustData("registration.decline", w.Code)}}}
	case flows.RegWaiting:
		reply.Text = flows.T("ws.changed_waiting", "Details", details, "Pos", r.Position)
	case flows.RegPending:
		reply.Text = flows.T("ws.changed_pending", "Details", details)
	default:
		reply.Text, reply.Calendar = flows.T("ws.changed", "Details", details), t.Invitation(w, r.UserID)
	}
	return reply
}

// saveEdit applies an edit, tells everyone registered (confirmed, offered,
// waiting, pending) when the date, time or place changed, and moves the
// reminders of the confirmed.
func (e *module) saveEdit(ctx context.Context, t *flows.Turn, edited *flows.Workshop) error {
	w, err := e.store.GetWorkshop(ctx, edited.Code)
	if err != nil {
		return flows.InternalError("edit workshop", err)
	}
	if !t.CanManage(w) {
		t.Say(flows.T("errors.not_allowed"))
		return nil
	}
	if refused, err := e.capacityTakenMeanwhile(ctx, t, w, edited.Capacity); refused || err != nil {
		return err
	}
	if refused, err := e.formatRefused(ctx, t, w, edited); refused || err != nil {
		return err
	}
	old := *w
	w.Format, w.OnlineCapacity = edited.Format, edited.OnlineCapacity
	w.Title, w.Description, w.Zone, w.Start, w.End = edited.Title, edited.Description, edited.Zone, edited.Start, edited.End
	w.Venue, w.OnlineURL, w.Capacity, w.Deadline, w.Question = edited.Venue, edited.OnlineURL, edited.Capacity, edited.Deadline, edited.Question
	if !old.Start.Equal(w.Start) || !old.End.Equal(w.End) || old.Zone != w.Zone || old.Venue != w.Venue || old.OnlineURL != w.OnlineURL {
		w.Sequence = old.Sequence + 1 // calendars update the event (see bot/ics)
	}
	if err := e.guardOffers(ctx, w, t.In.Now); err != nil {
		return err
	}
	promoted, err := e.store.UpdateWorkshopAt(ctx, w, t.In.Now) // nobody moves up from the start on
	if err != nil {
		return flows.InternalError("update workshop", err)
	}
	if !old.Start.Equal(w.Start) { // offers end by the cutoff before the new start
		offered, err := e.store.OfferSeats(ctx, w.Code, t.In.Now)
		if err != nil {
			return flows.InternalError("offer seats", err)
		}
		promoted = append(promoted, offered...)
	}
	if err := t.Audit(ctx, flows.AuditWsEdit, w.Code, 0); err != nil {
		return err
	}
	regs, err := e.store.Registrations(ctx, w.Code)
	if err != nil {
		return flows.InternalError("registrations", err)
	}
	moved := !old.Start.Equal(w.Start) || !old.End.Equal(w.End) || old.Zone != w.Zone
	if moved {
		if err := t.WorkshopMoved(ctx, w); err != nil {
			return err
		}
	}
	placed := old.Venue != w.Venue || old.OnlineURL != w.OnlineURL
	for _, r := range regs {
		switch r.Status {
		case flows.RegConfirmed:
			if err := flows.PlanReminders(ctx, e.store, w, r.UserID, t.In.Now); err != nil {
				return err
			}
		case flows.RegOffered: // its end may have moved earlier with the start
			if err := e.store.Schedule(ctx, flows.OfferJobs(w.Code, r.UserID, t.In.Now, r.OfferExpires)...); err != nil {
				return flows.InternalError("schedule offer", err)
			}
		}
		// A change of the link alone is no news to whom it is not sent.
		placed := placed && (old.Venue != w.Venue || flows.GetsLink(w, r))
		if (moved || placed) && !slices.Contains(promoted, r.UserID) {
			t.Send(changeNotice(t, w, r))
		}
	}
	for _, uid := range promoted {
		if err := t.TellPromoted(ctx, w, uid); err != nil {
			return err
		}
	}
	t.Say(flows.T("ws.updated", "Title", w.Title, "Count", len(regs)), []flows.Button{{Label: flows.T("ws.manage"), Data: flows.MustData(routeManage, w.Code)}})
	return nil
}
