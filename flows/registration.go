package flows

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// RegistrationModule is the capability of browsing workshops and registering for them.
func RegistrationModule() Module { return ModuleFunc(func(r *Registry) { registerRegistration(r.e) }) }

func registerRegistration(e *Engine) {
	(&Registry{e: e}).OnPromoted(e.tellPromoted)
	(&Registry{e: e}).OnProfileSaved(e.afterProfile)
	e.addCommand(&Command{Name: "workshops", Describe: "cmd.workshops", Run: func(ctx context.Context, t *Turn) error {
		return e.listWorkshops(ctx, t, 0, false)
	}})
	e.addCommand(&Command{Name: "mine", Describe: "cmd.mine", Run: e.mine})
	e.addMenu(MenuItem{Command: "workshops", Label: "menu.workshops", Order: 1})
	e.addMenu(MenuItem{Command: "mine", Label: "menu.mine", Order: 2})
	e.addRoute(&Route{Name: "wl", Run: func(ctx context.Context, t *Turn, p string) error {
		page, _ := strconv.Atoi(p)
		return e.listWorkshops(ctx, t, page, true)
	}})
	e.addRoute(&Route{Name: "ws", Run: func(ctx context.Context, t *Turn, code string) error { return e.showWorkshop(ctx, t, code) }})
	e.addRoute(&Route{Name: "reg", Run: func(ctx context.Context, t *Turn, code string) error { return e.register(ctx, t, code) }})
	e.addRoute(&Route{Name: "unreg", Run: e.askUnregister})
	e.addRoute(&Route{Name: "unregy", Run: e.unregister})
	e.addRoute(&Route{Name: "fb", Run: e.feedbackRating})
	e.addRoute(&Route{Name: "att", Run: e.attendOnline})
	e.addLink(&DeepLink{Prefix: "ws", Run: func(ctx context.Context, t *Turn, code string) error { return e.showWorkshop(ctx, t, code) }})
	e.addLink(&DeepLink{Prefix: "checkin", Run: e.checkIn})
	e.addFlow(&Flow{Name: "wsanswer", Done: e.answerDone, Steps: []*Step{
		{Name: "answer", Parse: TextAnswer(maxAnswerLen), Prompt: func(ctx context.Context, t *Turn) (Reply, error) {
			return Reply{Text: T("ws.ask_answer", "Question", t.Session.Data["question"])}, nil
		}},
	}})
	e.addFlow(&Flow{Name: "wsfeedback", Done: e.feedbackDone, Steps: []*Step{
		{Name: "comment", Parse: OptionalText(500), Prompt: AskWithSkip("fb.ask_comment", "fb.skip")},
	}})
	e.addJob(JobDayBefore, e.remindJob(JobDayBefore))
	e.addJob(JobSoon, e.remindJob(JobSoon))
	e.addJob(JobFeedback, e.feedbackJob)
	e.addJob(JobOnline, e.onlineStartJob)
}

// maxListPage bounds the page number of the upcoming-workshops list.
const maxListPage = 1 << 20

func (e *Engine) listWorkshops(ctx context.Context, t *Turn, page int, edit bool) error {
	// The page comes from button data: keep page*ListPage from overflowing,
	// and show the last page for one past the end.
	page = min(max(page, 0), maxListPage)
	ws, total, err := e.store.Upcoming(ctx, t.In.Now, page*ListPage, ListPage)
	if err != nil {
		return InternalError("upcoming", err)
	}
	if last := (total - 1) / ListPage; total > 0 && page > last {
		page = last
		if ws, total, err = e.store.Upcoming(ctx, t.In.Now, page*ListPage, ListPage); err != nil {
			return InternalError("upcoming", err)
		}
	}
	if total == 0 {
		t.Say(T("ws.none_upcoming"))
		return nil
	}
	var rows [][]Button
	for _, w := range ws {
		rows = append(rows, []Button{{Label: T("ws.list_item", "Title", w.Title, "Date", When{At: w.Start, Zone: w.Zone, DateOnly: true}), Data: MustData("ws", w.Code)}})
	}
	rows = append(rows, Pager("wl", page, (total+ListPage-1)/ListPage)...)
	r := Reply{Text: T("ws.upcoming_title", "N", total), Buttons: rows}
	if edit {
		r.EditMessageID = t.In.MessageID
	}
	t.Send(r)
	return nil
}

// showWorkshop is the participant's card: details, seats, and what they can do.
func (e *Engine) showWorkshop(ctx context.Context, t *Turn, code string) error {
	w, err := FindWorkshop(ctx, t, e.store, code)
	if w == nil {
		return err
	}
	c, err := e.store.Counts(ctx, w.Code)
	if err != nil {
		return InternalError("counts", err)
	}
	seats := T("ws.seats_unlimited", "N", c.Confirmed)
	if w.Capacity > 0 {
		if left := w.Capacity - c.Confirmed; left > 0 {
			seats = T("ws.seats_left", "Left", left, "Count", w.Capacity)
		} else {
			seats = T("ws.seats_full", "Waiting", c.Waiting)
		}
	}
	var rows [][]Button
	reg, err := e.store.GetRegistration(ctx, w.Code, t.User.ID)
	switch {
	case err == nil:
		seats = regStatusText(reg)
		rows = append(rows, []Button{{Label: T("ws.btn_unregister"), Data: MustData("unreg", w.Code)}})
	case !errors.Is(err, ErrNotFound):
		return InternalError("get registration", err)
	case w.Cancelled:
		seats = T("ws.cancelled_note")
	case w.Closed || !t.In.Now.Before(w.Deadline):
		seats = T("ws.reg_closed")
	case w.Capacity > 0 && c.Confirmed >= w.Capacity:
		rows = append(rows, []Button{{Label: T("ws.btn_waitlist"), Data: MustData("reg", w.Code)}})
	default:
		rows = append(rows, []Button{{Label: T("ws.btn_register"), Data: MustData("reg", w.Code)}})
	}
	if t.CanManage(w) {
		rows = append(rows, []Button{{Label: T("ws.manage"), Data: MustData("wm", w.Code)}})
	}
	t.Say(T("ws.card", "Details", WorkshopDetails(w), "Seats", seats), rows...)
	return nil
}

func regStatusText(r *Registration) Text {
	if r.Status == RegWaiting {
		return T("ws.you_waiting", "Pos", r.Position)
	}
	if !r.CheckedInAt.IsZero() {
		return T("ws.you_checked_in")
	}
	return T("ws.you_confirmed")
}

// register starts a registration: the profile and consent first (once), the
// workshop's extra question if it has one, then the atomic decision.
func (e *Engine) register(ctx context.Context, t *Turn, code string) error {
	w, err := FindWorkshop(ctx, t, e.store, code)
	if w == nil {
		return err
	}
	if refusal := registrationRefusal(w, t.In.Now); refusal != nil {
		t.Say(*refusal)
		return nil
	}
	if r, err := e.store.GetRegistration(ctx, w.Code, t.User.ID); err == nil {
		return e.alreadyRegistered(ctx, t, w, r)
	} else if !errors.Is(err, ErrNotFound) {
		return InternalError("get registration", err)
	}
	p, err := e.store.GetProfile(ctx, t.User.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return InternalError("get profile", err)
	}
	if p == nil || p.ConsentVersion != e.cfg.ConsentVersion {
		t.Say(T("ws.profile_first"))
		if err := t.StartFlow(ctx, "profile"); err != nil {
			return err
		}
		t.Session.Data[thenRegister] = w.Code
		return nil
	}
	return e.continueRegistration(ctx, t, w)
}

// maxAnswerLen is the longest answer to a workshop's question, in characters.
const maxAnswerLen = 300

// thenRegister, in a profile flow's answers, resumes a registration after
// the profile is saved.
const thenRegister = "then_ws"

// afterProfile carries on with the registration that asked for the profile
// just saved (the profile flow's answers hold thenRegister), if any.
func (e *Engine) afterProfile(ctx context.Context, t *Turn) error {
	code := t.Session.Data[thenRegister]
	if code == "" {
		return nil
	}
	t.EndFlow()
	w, err := FindWorkshop(ctx, t, e.store, code)
	if w == nil {
		return err
	}
	if refusal := registrationRefusal(w, t.In.Now); refusal != nil {
		t.Say(*refusal)
		return nil
	}
	return e.continueRegistration(ctx, t, w)
}

func registrationRefusal(w *Workshop, now time.Time) *Text {
	switch {
	case w.Cancelled:
		t := T("ws.cancelled_note")
		return &t
	case w.Closed || !now.Before(w.Deadline):
		t := T("ws.reg_closed")
		return &t
	}
	return nil
}

func (e *Engine) continueRegistration(ctx context.Context, t *Turn, w *Workshop) error {
	if w.Question != "" {
		return t.StartFlowAt(ctx, "wsanswer", "answer", map[string]string{"code": w.Code, "question": w.Question})
	}
	return e.completeRegistration(ctx, t, w, "")
}

func (e *Engine) answerDone(ctx context.Context, t *Turn) error {
	w, err := FindWorkshop(ctx, t, e.store, t.Session.Data["code"])
	if w == nil {
		return err
	}
	return e.completeRegistration(ctx, t, w, t.Session.Data["answer"])
}

func (e *Engine) completeRegistration(ctx context.Context, t *Turn, w *Workshop, answer string) error {
	r := &Registration{Workshop: w.Code, UserID: t.User.ID, RegisteredAt: t.In.Now, Answer: answer, Token: NewToken(), Lang: t.Lang}
	got, err := e.store.Register(ctx, r, t.In.Now)
	switch {
	case errors.Is(err, ErrAlreadyRegistered):
		prev, gerr := e.store.GetRegistration(ctx, w.Code, t.User.ID)
		if gerr != nil {
			return InternalError("get registration", gerr)
		}
		return e.alreadyRegistered(ctx, t, w, prev)
	case errors.Is(err, ErrRegistrationShut):
		t.Say(T("ws.reg_closed"))
		return nil
	case errors.Is(err, ErrWorkshopCancelled):
		t.Say(T("ws.cancelled_note"))
		return nil
	case errors.Is(err, ErrNotFound):
		t.Say(T("ws.not_found"))
		return nil
	case err != nil:
		return InternalError("register", err)
	}
	if got.Status == RegWaiting {
		t.Say(T("ws.waitlisted", "Title", w.Title, "Pos", got.Position), []Button{{Label: T("ws.btn_unregister"), Data: MustData("unreg", w.Code)}})
		return nil
	}
	if err := PlanReminders(ctx, e.store, w, t.User.ID, t.In.Now); err != nil {
		return err
	}
	return e.sendConfirmation(t, w, got, 0, "")
}

// alreadyRegistered answers Register from someone registered already with
// where they stand: their place on the waiting list, or the confirmation
// with the calendar file and QR code again (reminders planned again: an
// upsert). Pressing Register twice is harmless, and a registration whose
// first run was cut short after the seat was taken (Redis went away before
// the reminders or the reply; the update is delivered again) completes.
func (e *Engine) alreadyRegistered(ctx context.Context, t *Turn, w *Workshop, r *Registration) error {
	if r.Status == RegWaiting {
		t.Say(T("ws.waitlisted", "Title", w.Title, "Pos", r.Position), []Button{{Label: T("ws.btn_unregister"), Data: MustData("unreg", w.Code)}})
		return nil
	}
	if err := PlanReminders(ctx, e.store, w, t.User.ID, t.In.Now); err != nil {
		return err
	}
	return e.sendConfirmation(t, w, r, 0, "")
}

// sendConfirmation sends the confirmation with the calendar file and the
// personal QR code, to the current chat (chat 0) or another user's.
func (e *Engine) sendConfirmation(t *Turn, w *Workshop, r *Registration, chat int64, lang string) error {
	link := t.BotLink("checkin_" + r.Token)
	qr, err := QRPNG(link)
	if err != nil {
		return InternalError("qr code", err)
	}
	heading := "ws.confirmed"
	if chat != 0 {
		heading = "ws.promoted"
	}
	bulk := chat != 0
	t.Send(Reply{ChatID: chat, Lang: lang, Bulk: bulk, Text: T(heading, "Title", w.Title, "Start", When{At: w.Start, Zone: w.Zone}, "Place", place(w))})
	t.Send(Reply{ChatID: chat, Lang: lang, Bulk: bulk, Text: T("ws.ics_caption"),
		Document: &Attachment{Name: "workshop-" + w.Code + ".ics", Data: ICS(w, t.In.Now)}})
	t.Send(Reply{ChatID: chat, Lang: lang, Bulk: bulk, Text: T("ws.qr_caption", "Title", w.Title, "Link", link),
		Photo: &Attachment{Name: "checkin-" + w.Code + ".png", Data: qr}})
	return nil
}

// place is the venue and/or the online link.
func place(w *Workshop) Text {
	switch {
	case w.Venue != "" && w.OnlineURL != "":
		return T("ws.place_hybrid", "Venue", w.Venue, "Link", w.OnlineURL)
	case w.Venue != "":
		return T("ws.place_venue", "Venue", w.Venue)
	}
	return T("ws.place_online", "Link", w.OnlineURL)
}

func (e *Engine) mine(ctx context.Context, t *Turn) error {
	regs, err := e.store.UserRegistrations(ctx, t.User.ID)
	if err != nil {
		return InternalError("user registrations", err)
	}
	if len(regs) == 0 {
		t.Say(T("ws.mine_none"), []Button{{Label: T("menu.workshops"), Data: MustData("m", "workshops")}})
		return nil
	}
	var lines []Text
	var rows [][]Button
	for _, r := range regs {
		w, err := e.store.GetWorkshop(ctx, r.Workshop)
		if err != nil {
			continue
		}
		lines = append(lines, T("ws.mine_line", "Title", w.Title, "Start", When{At: w.Start, Zone: w.Zone}, "Status", regStatusText(r)))
		rows = append(rows, []Button{{Label: T("ws.btn_unregister_named", "Title", w.Title), Data: MustData("unreg", w.Code)}})
	}
	t.Say(T("ws.mine", "Lines", lines), rows...)
	return nil
}

func (e *Engine) askUnregister(ctx context.Context, t *Turn, code string) error {
	w, err := FindWorkshop(ctx, t, e.store, code)
	if w == nil {
		return err
	}
	t.Say(T("ws.unregister_confirm", "Title", w.Title), []Button{
		{Label: T("ws.unregister_yes"), Data: MustData("unregy", w.Code)}, {Label: T("ws.keep_place"), Data: MustData("ws", w.Code)},
	})
	return nil
}

// unregister cancels the user's own registration; a freed seat goes to the
// first person waiting, who is told at once.
func (e *Engine) unregister(ctx context.Context, t *Turn, code string) error {
	w, err := FindWorkshop(ctx, t, e.store, code)
	if w == nil {
		return err
	}
	promoted, err := e.store.CancelRegistration(ctx, w.Code, t.User.ID)
	if errors.Is(err, ErrNotFound) {
		t.Answer(T("ws.not_registered"), true)
		return nil
	}
	if err != nil {
		return InternalError("cancel registration", err)
	}
	if err := e.store.Unschedule(ctx, ReminderIDs(w.Code, t.User.ID)...); err != nil {
		return InternalError("unschedule", err)
	}
	if t.In.MessageID != 0 {
		t.Send(Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	}
	t.Say(T("ws.unregistered", "Title", w.Title))
	if promoted != 0 {
		return e.tellPromoted(ctx, t, w, promoted)
	}
	return nil
}

// tellPromoted confirms someone moved up from the waiting list.
func (e *Engine) tellPromoted(ctx context.Context, t *Turn, w *Workshop, uid int64) error {
	r, err := e.store.GetRegistration(ctx, w.Code, uid)
	if err != nil {
		return InternalError("promoted registration", err)
	}
	lang := r.Lang
	if u, err := e.store.GetUser(ctx, uid); err == nil {
		lang = u.Lang
	}
	if err := PlanReminders(ctx, e.store, w, uid, t.In.Now); err != nil {
		return err
	}
	return e.sendConfirmation(t, w, r, uid, lang)
}

// checkIn runs when someone opens a participant's QR link: a facilitator of
// that workshop (or an admin) checks them in, from Config.CheckInOpens
// before the start on; anyone else is refused.
func (e *Engine) checkIn(ctx context.Context, t *Turn, token string) error {
	code, uid, err := e.store.CheckinToken(ctx, token)
	if errors.Is(err, ErrNotFound) {
		t.Say(T("checkin.invalid"))
		return nil
	}
	if err != nil {
		return InternalError("checkin token", err)
	}
	w, err := e.store.GetWorkshop(ctx, code)
	if err != nil {
		return InternalError("checkin workshop", err)
	}
	if !t.CanManage(w) {
		if uid == t.User.ID {
			t.Say(T("checkin.own_code", "Title", w.Title))
		} else {
			t.Say(T("checkin.not_facilitator"))
		}
		return nil
	}
	if opens := w.Start.Add(-e.cfg.CheckInOpens); t.In.Now.Before(opens) {
		t.Say(T("checkin.too_early", "Title", w.Title, "Opens", When{At: opens, Zone: w.Zone}))
		return nil
	}
	first, err := e.store.CheckIn(ctx, code, uid, t.In.Now)
	if errors.Is(err, ErrNotFound) {
		t.Say(T("checkin.not_confirmed"))
		return nil
	}
	if err != nil {
		return InternalError("check in", err)
	}
	if first {
		if err := t.Audit(ctx, AuditCheckIn, code, uid); err != nil {
			return err
		}
	}
	name, org := NameOf(ctx, e.store, uid)
	if !first {
		t.Say(T("checkin.again", "Name", name, "Title", w.Title))
		return nil
	}
	c, _ := e.store.Counts(ctx, code)
	t.Say(T("checkin.done", "Name", name, "Org", org, "Title", w.Title, "N", c.CheckedIn, "Of", c.Confirmed))
	lang := ""
	if u, err := e.store.GetUser(ctx, uid); err == nil {
		lang = u.Lang
	}
	t.Send(Reply{ChatID: uid, Lang: lang, Bulk: true, Text: T("checkin.welcome", "Title", w.Title)})
	return nil
}
