// Package registration is the capability of browsing workshops (/workshops)
// and registering for them (/mine): seats and the waiting list, the
// confirmation with its calendar file and check-in QR code, check-in at the
// door, the reminders, online attendance and feedback. Others reach it
// through the core: Turn.TellPromoted (a seat freed elsewhere) and
// Turn.ProfileSaved (the profile a registration asked for).
package registration

import (
	"context"
	"errors"
	"strconv"
	"time"

	"sinergi/flows"
)

// Module is the capability of browsing workshops and registering for them.
func Module(st Store) flows.Module {
	return flows.ModuleFunc(func(r *flows.Registry) {
		e := &module{store: st, cfg: r.Config(), texts: r.Texts(), survey: r.SurveyInvite(), agendaConfirmed: r.AgendaConfirmedFor()}
		e.register(r)
	})
}

// Store is what registration reads and writes: workshops and their
// registrations, check-ins and feedback, the reminder jobs, and the
// profile and user of the person registering.
type Store interface {
	flows.Jobs
	flows.Names
	flows.ApprovalNotices
	flows.HybridSeats // a hybrid workshop's two modes (hybrid.go)
	GetWorkshop(ctx context.Context, code string) (*flows.Workshop, error)
	Upcoming(ctx context.Context, from time.Time, offset, limit int) ([]*flows.Workshop, int, error)
	Register(ctx context.Context, r *flows.Registration, now time.Time) (*flows.Registration, error)
	CancelRegistration(ctx context.Context, code string, uid int64, now time.Time) (promoted int64, err error)
	AcceptOffer(ctx context.Context, code string, uid int64, now time.Time) (next []int64, err error)
	DeclineOffer(ctx context.Context, code string, uid int64, now time.Time) (next []int64, err error)
	ExpireOffer(ctx context.Context, code string, uid int64, now time.Time) (next []int64, err error)
	DecideRegistration(ctx context.Context, code string, uid int64, approve bool) (*flows.Registration, error)
	Registrations(ctx context.Context, code string) ([]*flows.Registration, error)
	GetRegistration(ctx context.Context, code string, uid int64) (*flows.Registration, error)
	UserRegistrations(ctx context.Context, uid int64) ([]*flows.Registration, error)
	Counts(ctx context.Context, code string) (flows.Counts, error)
	CheckinToken(ctx context.Context, token string) (code string, uid int64, err error)
	CheckIn(ctx context.Context, code string, uid int64, now time.Time) (first bool, err error)
	SaveFeedback(ctx context.Context, code string, f *flows.Feedback) error
	Form(ctx context.Context, code string) ([]flows.FormQuestion, error)
	SaveAnswers(ctx context.Context, code string, uid int64, answer string, answers map[string]string) error
	invitesStore
	flows.ScheduledJobs
}

type module struct {
	store Store
	cfg   flows.Config
	texts flows.Texts
	// survey asks an attendee to answer the workshop's survey (the surveys
	// capability); without it, the 1–5 rating here is asked.
	survey func(ctx context.Context, w *flows.Workshop, uid, chat int64, lang string, now time.Time) ([]flows.Reply, bool, error)
	// agendaConfirmed is the agenda's invitation to choose sessions for
	// someone confirmed outside their own turn (Registry.AgendaConfirmedFor).
	agendaConfirmed func(ctx context.Context, w *flows.Workshop, chat int64, lang string) ([]flows.Reply, error)
}

// Registration's callback routes, "<name>:<payload>" (Route.Legacy: the
// name buttons sent before namespaces carry).
const (
	routeList     = "registration.list"      // <page>: the upcoming workshops
	routeShow     = "registration.show"      // <code>: a workshop's card
	routeJoin     = "registration.join"      // <code>: register (or join the waiting list)
	routeLeave    = "registration.leave"     // <code>: asks to confirm unregistering
	routeLeaveYes = "registration.leave_yes" // <code>: unregisters
	routeFeedback = "registration.feedback"  // <code>:<1-5>: the rating after the workshop
	routeOnline   = "registration.online"    // <code>: attending (attended) online

	routeAcceptOffer  = "registration.accept"      // <code>: accepts the seat offered
	routeDeclineOffer = "registration.decline"     // <code>: declines it (the next person is offered it)
	routePending      = "registration.pending"     // <code>: the registrations awaiting approval (team)
	routeApprove      = "registration.approve"     // <code>:<uid>: approves one (team)
	routeDecline      = "registration.reject"      // <code>:<uid>: declines one (team)
	routeApproveAll   = "registration.approve_all" // <code>: approves everyone pending (team)
)

func (e *module) register(r *flows.Registry) {
	r.Namespace("registration")
	r.OnPromoted(e.tellPromoted)
	r.OnProfileSaved(e.afterProfile)
	r.Command(&flows.Command{Name: "workshops", Describe: "cmd.workshops", Run: func(ctx context.Context, t *flows.Turn) error {
		return e.listWorkshops(ctx, t, 0, false)
	}})
	r.Command(&flows.Command{Name: "mine", Describe: "cmd.mine", Run: e.mine})
	r.Menu(flows.MenuItem{Command: "workshops", Label: "menu.workshops", Order: 1})
	r.Menu(flows.MenuItem{Command: "mine", Label: "menu.mine", Order: 2})
	r.Route(&flows.Route{Name: routeList, Legacy: "wl", Run: func(ctx context.Context, t *flows.Turn, p string) error {
		page, _ := strconv.Atoi(p)
		return e.listWorkshops(ctx, t, page, true)
	}})
	r.Route(&flows.Route{Name: routeShow, Legacy: "ws", Run: func(ctx context.Context, t *flows.Turn, code string) error { return e.showWorkshop(ctx, t, code) }})
	r.Route(&flows.Route{Name: routeJoin, Legacy: "reg", Run: func(ctx context.Context, t *flows.Turn, code string) error { return e.registerFor(ctx, t, code, "") }})
	r.Route(&flows.Route{Name: routeLeave, Legacy: "unreg", Run: e.askUnregister})
	r.Route(&flows.Route{Name: routeLeaveYes, Legacy: "unregy", Run: e.unregister})
	r.Route(&flows.Route{Name: routeFeedback, Legacy: "fb", Run: e.feedbackRating})
	r.Route(&flows.Route{Name: routeOnline, Legacy: "att", Run: e.attendOnline})
	r.Route(&flows.Route{Name: routeAcceptOffer, Run: e.acceptOffer})
	r.Route(&flows.Route{Name: routeDeclineOffer, Run: e.declineOffer})
	e.registerApproval(r)
	e.registerForm(r)
	e.registerDoor(r)
	e.registerInvites(r)
	e.registerHybrid(r)
	r.Link(&flows.DeepLink{Prefix: "ws", Run: func(ctx context.Context, t *flows.Turn, code string) error { return e.showWorkshop(ctx, t, code) }})
	r.Link(&flows.DeepLink{Prefix: "checkin", Run: e.checkIn})
	r.Flow(&flows.Flow{Name: "wsanswer", Done: e.answerDone, Steps: []*flows.Step{
		{Name: "answer", Parse: flows.TextAnswer(maxAnswerLen), Prompt: func(ctx context.Context, t *flows.Turn) (flows.Reply, error) {
			return flows.Reply{Text: flows.T("ws.ask_answer", "Question", t.Session.Data["question"])}, nil
		}},
	}})
	r.Flow(&flows.Flow{Name: "wsfeedback", Done: e.feedbackDone, Steps: []*flows.Step{
		{Name: "comment", Parse: flows.OptionalText(500), Prompt: flows.AskWithSkip("fb.ask_comment", "fb.skip")},
	}})
	r.Job(flows.JobDayBefore, e.remindJob(flows.JobDayBefore))
	r.Job(flows.JobSoon, e.remindJob(flows.JobSoon))
	r.Job(flows.JobFeedback, e.feedbackJob)
	r.Job(flows.JobOnline, e.onlineStartJob)
	r.Job(flows.JobOfferEnd, e.offerEndJob)
	r.Job(flows.JobOfferReminder, e.offerReminderJob)
	r.Job(flows.JobApprovalNotice, e.approvalNoticeJob)
	r.Job(flows.JobOfferSweep, e.offerSweepJob)
}

// maxListPage bounds the page number of the upcoming-workshops list.
const maxListPage = 1 << 20

func (e *module) listWorkshops(ctx context.Context, t *flows.Turn, page int, edit bool) error {
	// The page comes from button data: keep page*ListPage from overflowing,
	// and show the last page for one past the end.
	page = min(max(page, 0), maxListPage)
	ws, total, err := e.store.Upcoming(ctx, t.In.Now, page*flows.ListPage, flows.ListPage)
	if err != nil {
		return flows.InternalError("upcoming", err)
	}
	if last := (total - 1) / flows.ListPage; total > 0 && page > last {
		page = last
		if ws, total, err = e.store.Upcoming(ctx, t.In.Now, page*flows.ListPage, flows.ListPage); err != nil {
			return flows.InternalError("upcoming", err)
		}
	}
	if total == 0 {
		t.Say(flows.T("ws.none_upcoming"))
		return nil
	}
	var rows [][]flows.Button
	for _, w := range ws {
		rows = append(rows, []flows.Button{{Label: flows.T("ws.list_item", "Title", w.Title, "Date", flows.When{At: w.Start, Zone: w.Zone, DateOnly: true}), Data: flows.MustData(routeShow, w.Code)}})
	}
	rows = append(rows, flows.Pager(routeList, page, (total+flows.ListPage-1)/flows.ListPage)...)
	r := flows.Reply{Text: flows.T("ws.upcoming_title", "N", total), Buttons: rows}
	if edit {
		r.EditMessageID = t.In.MessageID
	}
	t.Send(r)
	return nil
}

// showWorkshop is the participant's card: details, seats, and what they can do.
func (e *module) showWorkshop(ctx context.Context, t *flows.Turn, code string) error {
	w, err := flows.FindWorkshop(ctx, t, e.store, code)
	if w == nil {
		return err
	}
	if hide, err := e.notInvited(ctx, t, w); hide || err != nil {
		return err
	}
	c, err := e.store.Counts(ctx, w.Code)
	if err != nil {
		return flows.InternalError("counts", err)
	}
	seats := flows.T("ws.seats_unlimited", "N", c.Confirmed)
	// A seat offered to someone waiting is taken; while people wait, a
	// newcomer waits behind them.
	full := w.Capacity > 0 && (c.Confirmed+c.Offered >= w.Capacity || c.Waiting > 0)
	var onsite, online flows.Counts
	if w.Hybrid() { // each mode's seats (hybrid.go)
		if seats, onsite, online, err = e.hybridSeats(ctx, w); err != nil {
			return err
		}
	} else if w.Capacity > 0 {
		if left := w.Capacity - c.Confirmed - c.Offered; left > 0 && !full {
			seats = flows.T("ws.seats_left", "Left", left, "Count", w.Capacity)
		} else {
			seats = flows.T("ws.seats_full", "Waiting", c.Waiting)
		}
	}
	var rows [][]flows.Button
	reg, err := e.store.GetRegistration(ctx, w.Code, t.User.ID)
	switch {
	case err == nil:
		seats = statusText(w, reg)
		if reg.Status == flows.RegOffered {
			rows = append(rows, offerButtons(w))
		}
		if sw := switchButton(w, reg); sw != nil && !w.Cancelled && t.In.Now.Before(w.Start) {
			rows = append(rows, sw)
		}
		rows = append(rows, []flows.Button{{Label: flows.T("ws.btn_unregister"), Data: flows.MustData(routeLeave, w.Code)}})
	case !errors.Is(err, flows.ErrNotFound):
		return flows.InternalError("get registration", err)
	case w.Cancelled:
		seats = flows.T("ws.cancelled_note")
	case w.Closed || !t.In.Now.Before(w.Deadline):
		seats = flows.T("ws.reg_closed")
	case w.Hybrid():
		rows = append(rows, modeButtons(w, onsite, online))
	case full:
		rows = append(rows, []flows.Button{{Label: flows.T("ws.btn_waitlist"), Data: flows.MustData(routeJoin, w.Code)}})
	default:
		rows = append(rows, []flows.Button{{Label: flows.T("ws.btn_register"), Data: flows.MustData(routeJoin, w.Code)}})
	}
	if t.CanManage(w) {
		rows = append(rows, []flows.Button{{Label: flows.T("ws.manage"), Data: flows.MustData("workshops.manage", w.Code)}})
	}
	// The online link only for whom flows.GetsLink (reg is nil when the
	// user is not registered).
	details, err := flows.DetailsWithSeries(ctx, t, e.store, flows.ForAttendee(w, reg))
	if err != nil {
		return err
	}
	card := flows.T("ws.card", "Details", details, "Seats", seats)
	if agenda, err := t.AgendaCard(ctx, w); err != nil {
		return err
	} else if agenda != nil {
		card = flows.T("agenda.card_with", "Card", card, "Agenda", *agenda)
	}
	t.Say(card, rows...)
	return nil
}

// registerFor starts a registration: the profile and consent first (once), the
// workshop's extra question if it has one, then the atomic decision.
func (e *module) registerFor(ctx context.Context, t *flows.Turn, code, mode string) error {
	w, err := flows.FindWorkshop(ctx, t, e.store, code)
	if w == nil {
		return err
	}
	if hide, err := e.notInvited(ctx, t, w); hide || err != nil {
		return err
	}
	if refusal := registrationRefusal(w, t.In.Now); refusal != nil {
		t.Say(*refusal)
		return nil
	}
	if r, err := e.store.GetRegistration(ctx, w.Code, t.User.ID); err == nil {
		return e.alreadyRegistered(ctx, t, w, r)
	} else if !errors.Is(err, flows.ErrNotFound) {
		return flows.InternalError("get registration", err)
	}
	if asked, err := e.askModeIfHybrid(ctx, t, w, mode); asked || err != nil {
		return err
	}
	p, err := e.store.GetProfile(ctx, t.User.ID)
	if err != nil && !errors.Is(err, flows.ErrNotFound) {
		return flows.InternalError("get profile", err)
	}
	if p == nil || p.ConsentVersion != e.cfg.ConsentVersion {
		t.Say(flows.T("ws.profile_first"))
		if err := t.StartFlow(ctx, "profile"); err != nil {
			return err
		}
		t.Session.Data[thenRegister] = w.Code
		if mode != "" {
			t.Session.Data[modeData] = mode
		}
		return nil
	}
	return e.continueRegistration(ctx, t, w, mode)
}

// maxAnswerLen is the longest answer to a workshop's question, in characters.
const maxAnswerLen = 300

// thenRegister, in a profile flow's answers, resumes a registration after
// the profile is saved.
const thenRegister = "then_ws"

// afterProfile carries on with the registration that asked for the profile
// just saved (the profile flow's answers hold thenRegister), if any.
func (e *module) afterProfile(ctx context.Context, t *flows.Turn) error {
	code, mode := t.Session.Data[thenRegister], t.Session.Data[modeData]
	if code == "" {
		return nil
	}
	t.EndFlow()
	w, err := flows.FindWorkshop(ctx, t, e.store, code)
	if w == nil {
		return err
	}
	if hide, err := e.notInvited(ctx, t, w); hide || err != nil {
		return err
	}
	if refusal := registrationRefusal(w, t.In.Now); refusal != nil {
		t.Say(*refusal)
		return nil
	}
	return e.continueRegistration(ctx, t, w, mode)
}

func registrationRefusal(w *flows.Workshop, now time.Time) *flows.Text {
	switch {
	case w.Cancelled:
		t := flows.T("ws.cancelled_note")
		return &t
	case w.Closed || !now.Before(w.Deadline):
		t := flows.T("ws.reg_closed")
		return &t
	}
	return nil
}

// continueRegistration asks the workshop's form, if it has one, then
// registers.
func (e *module) continueRegistration(ctx context.Context, t *flows.Turn, w *flows.Workshop, mode string) error {
	form, err := e.form(ctx, w)
	if err != nil {
		return err
	}
	if len(form) > 0 {
		if err := e.startForm(ctx, t, w, form, nil); err != nil {
			return err
		}
		if mode != "" && t.Session.Data != nil { // for completeRegistration
			t.Session.Data[modeData] = mode
		}
		return nil
	}
	return e.completeRegistrationAs(ctx, t, w, "", nil, mode)
}

func (e *module) completeRegistrationAs(ctx context.Context, t *flows.Turn, w *flows.Workshop, answer string, answers map[string]string, mode string) error {
	if asked, err := e.askModeIfHybrid(ctx, t, w, mode); asked || err != nil {
		return err
	}
	r := &flows.Registration{Workshop: w.Code, UserID: t.User.ID, RegisteredAt: t.In.Now, Answer: answer, Answers: answers, Token: flows.NewToken(), Lang: t.Lang,
		Mode: registrationMode(w, mode)}
	got, err := e.registerPlace(ctx, w, r, t.In.Now)
	if refusal := inviteRefusal(w, err); refusal != nil {
		t.Say(*refusal)
		return nil
	}
	switch {
	case errors.Is(err, flows.ErrAlreadyRegistered):
		prev, gerr := e.store.GetRegistration(ctx, w.Code, t.User.ID)
		if gerr != nil {
			return flows.InternalError("get registration", gerr)
		}
		return e.alreadyRegistered(ctx, t, w, prev)
	case errors.Is(err, flows.ErrRegistrationShut):
		t.Say(flows.T("ws.reg_closed"))
		return nil
	case errors.Is(err, flows.ErrWorkshopCancelled):
		t.Say(flows.T("ws.cancelled_note"))
		return nil
	case errors.Is(err, flows.ErrNotFound):
		t.Say(flows.T("ws.not_found"))
		return nil
	case err != nil:
		return flows.InternalError("register", err)
	}
	if got.Status == flows.RegPending {
		// The team is told by a job, at most once an hour, of how many wait.
		if err := e.store.Schedule(ctx, flows.Job{ID: flows.JobApprovalNotice + "|" + w.Code, Due: t.In.Now}); err != nil {
			return flows.InternalError("schedule approval notice", err)
		}
		t.Say(flows.T("ws.pending_request", "Title", w.Title), []flows.Button{{Label: flows.T("ws.btn_unregister"), Data: flows.MustData(routeLeave, w.Code)}})
		return nil
	}
	if got.Status == flows.RegWaiting {
		t.Say(flows.T("ws.waitlisted", "Title", w.Title, "Pos", got.Position), []flows.Button{{Label: flows.T("ws.btn_unregister"), Data: flows.MustData(routeLeave, w.Code)}})
		return nil
	}
	if err := flows.PlanReminders(ctx, e.store, w, t.User.ID, t.In.Now); err != nil {
		return err
	}
	if err := e.sendConfirmation(t, w, got, 0, ""); err != nil {
		return err
	}
	return t.AgendaConfirmed(ctx, w)
}

// alreadyRegistered answers Register from someone registered already with
// where they stand: their place on the waiting list, or the confirmation
// with the calendar file and QR code again (reminders planned again: an
// upsert). Pressing Register twice is harmless, and a registration whose
// first run was cut short after the seat was taken (Redis went away before
// the reminders or the reply; the update is delivered again) completes.
func (e *module) alreadyRegistered(ctx context.Context, t *flows.Turn, w *flows.Workshop, r *flows.Registration) error {
	if r.Status == flows.RegOffered {
		t.Send(offerReply(w, r, 0, ""))
		return nil
	}
	if r.Status == flows.RegPending {
		t.Say(flows.T("ws.pending_request", "Title", w.Title), []flows.Button{{Label: flows.T("ws.btn_unregister"), Data: flows.MustData(routeLeave, w.Code)}})
		return nil
	}
	if r.Status == flows.RegWaiting {
		t.Say(flows.T("ws.waitlisted", "Title", w.Title, "Pos", r.Position), []flows.Button{{Label: flows.T("ws.btn_unregister"), Data: flows.MustData(routeLeave, w.Code)}})
		return nil
	}
	if err := flows.PlanReminders(ctx, e.store, w, t.User.ID, t.In.Now); err != nil {
		return err
	}
	return e.sendConfirmation(t, w, r, 0, "")
}

// sendConfirmation sends the confirmation with the calendar file and the
// personal QR code, to the current chat (chat 0) or another user's.
func (e *module) sendConfirmation(t *flows.Turn, w *flows.Workshop, r *flows.Registration, chat int64, lang string) error {
	for _, reply := range e.confirmation(w, r, chat, lang, t.In.Now, "") {
		t.Send(reply)
	}
	return nil
}

// confirmation is the confirmation of r's seat with the calendar file and
// the personal QR code, for the current chat (chat 0: "you are
// registered") or another user's ("a seat freed up for you", sent in
// bulk), or under another heading. A job sends it too, so it is built
// from the configuration, not a Turn.
func (e *module) confirmation(w *flows.Workshop, r *flows.Registration, chat int64, lang string, now time.Time, heading string) []flows.Reply {
	link := "https://t.me/" + e.cfg.BotUsername + "?start=checkin_" + r.Token // as Turn.BotLink
	switch {
	case heading != "":
	case chat != 0:
		heading = "ws.promoted"
	default:
		heading = "ws.confirmed"
	}
	bulk := chat != 0
	if flows.ModeOf(w, r) == flows.ModeOnline && heading == "ws.confirmed" { // no QR code follows
		heading = "ws.confirmed_online"
	}
	w = flows.ForAttendee(w, r) // the online link only for whom it is (hybrid.go)
	inv := &flows.Invitation{Workshop: *w, Now: now, Attendee: r.UserID, Forum: e.cfg.ForumName, Bot: e.cfg.BotUsername}
	out := []flows.Reply{
		{ChatID: chat, Lang: lang, Bulk: bulk, Text: flows.T(heading, "Title", w.Title, "Start", flows.When{At: w.Start, Zone: w.Zone}, "Place", place(w))},
		{ChatID: chat, Lang: lang, Bulk: bulk, Text: flows.T("ws.ics_caption"), Calendar: inv},
	}
	caption := "ws.qr_caption"
	switch flows.ModeOf(w, r) {
	case flows.ModeOnline: // no door to check in at
		return out
	case flows.ModeOnsite: // not joining online
		caption = "ws.qr_caption_onsite"
	}
	return append(out, flows.Reply{ChatID: chat, Lang: lang, Bulk: bulk, Text: flows.T(caption, "Title", w.Title, "Link", link),
		QR: &flows.QRCode{Name: "checkin-" + w.Code, Content: link}})
}

func (e *module) mine(ctx context.Context, t *flows.Turn) error {
	regs, err := e.store.UserRegistrations(ctx, t.User.ID)
	if err != nil {
		return flows.InternalError("user registrations", err)
	}
	if len(regs) == 0 {
		t.Say(flows.T("ws.mine_none"), []flows.Button{{Label: flows.T("menu.workshops"), Data: flows.MenuData("workshops")}})
		return nil
	}
	var lines []flows.Text
	var rows [][]flows.Button
	for _, r := range regs {
		w, err := e.store.GetWorkshop(ctx, r.Workshop)
		if err != nil {
			continue
		}
		lines = append(lines, flows.T("ws.mine_line", "Title", w.Title, "Start", flows.When{At: w.Start, Zone: w.Zone}, "Status", statusText(w, r)))
		form, err := e.form(ctx, w)
		if err != nil {
			return err
		}
		lines = append(lines, answerLines(form, r, t.Lang)...)
		agenda, agendaRows, err := t.AgendaMine(ctx, w, r)
		if err != nil {
			return err
		}
		lines, rows = append(lines, agenda...), append(rows, agendaRows...)
		if r.Status == flows.RegOffered {
			rows = append(rows, offerButtons(w))
		}
		if sw := switchButton(w, r); sw != nil && !w.Cancelled && t.In.Now.Before(w.Start) {
			rows = append(rows, sw)
		}
		if len(form) > 0 && registrationRefusal(w, t.In.Now) == nil {
			rows = append(rows, []flows.Button{{Label: flows.T("form.btn_edit", "Title", w.Title), Data: flows.MustData(routeAnswers, w.Code)}})
		}
		rows = append(rows, []flows.Button{{Label: flows.T("ws.btn_unregister_named", "Title", w.Title), Data: flows.MustData(routeLeave, w.Code)}})
	}
	t.Say(flows.T("ws.mine", "Lines", lines), rows...)
	return nil
}

func (e *module) askUnregister(ctx context.Context, t *flows.Turn, code string) error {
	w, err := flows.FindWorkshop(ctx, t, e.store, code)
	if w == nil {
		return err
	}
	t.Say(flows.T("ws.unregister_confirm", "Title", w.Title), []flows.Button{
		{Label: flows.T("ws.unregister_yes"), Data: flows.MustData(routeLeaveYes, w.Code)}, {Label: flows.T("ws.keep_place"), Data: flows.MustData(routeShow, w.Code)},
	})
	return nil
}

// unregister cancels the user's own registration; a freed seat goes to the
// first person waiting, who is told at once.
func (e *module) unregister(ctx context.Context, t *flows.Turn, code string) error {
	w, err := flows.FindWorkshop(ctx, t, e.store, code)
	if w == nil {
		return err
	}
	if err := e.guardOffers(ctx, w, t.User.ID, t.In.Now); err != nil {
		return err
	}
	promoted, err := e.store.CancelRegistration(ctx, w.Code, t.User.ID, t.In.Now)
	if errors.Is(err, flows.ErrNotFound) {
		t.Answer(flows.T("ws.not_registered"), true)
		return nil
	}
	if err != nil {
		return flows.InternalError("cancel registration", err)
	}
	if err := e.store.Unschedule(ctx, append(flows.ReminderIDs(w.Code, t.User.ID), flows.OfferJobIDs(w.Code, t.User.ID)...)...); err != nil {
		return flows.InternalError("unschedule", err)
	}
	if err := t.RegistrationEnded(ctx, w.Code, t.User.ID); err != nil {
		return err
	}
	if t.In.MessageID != 0 {
		t.Send(flows.Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	}
	t.Say(flows.T("ws.unregistered", "Title", w.Title))
	if promoted != 0 {
		return e.tellPromoted(ctx, t, w, promoted)
	}
	return nil
}
