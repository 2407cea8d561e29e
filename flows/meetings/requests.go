package meetings

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"sinergi/flows"
)

// Requests: asking for a meeting with a note and up to three slots; the
// other side accepts a slot, proposes another or declines. Contacts stay
// hidden until a meeting is accepted.

// target checks that uid may be asked by me at w: registered (confirmed)
// with a visible profile, not me, neither side at the cap. It answers the
// refusal itself and returns nil then.
func (e *module) target(ctx context.Context, t *flows.Turn, w *flows.Workshop, s *flows.MeetingSetup, me *flows.PartnerProfile, uid int64) (*flows.PartnerProfile, error) {
	if uid == me.UserID {
		refuse(t, "mt.err_self")
		return nil, nil
	}
	them, err := e.store.GetPartner(ctx, uid)
	if errors.Is(err, flows.ErrNotFound) || (err == nil && !them.Visible) {
		refuse(t, "mt.err_unavailable")
		return nil, nil
	}
	if err != nil {
		return nil, flows.InternalError("get partner", err)
	}
	ok, err := e.registered(ctx, w.Code, uid)
	if err != nil {
		return nil, err
	}
	if !ok {
		refuse(t, "mt.err_not_registered", "Org", them.Org, "Title", w.Title)
		return nil, nil
	}
	ms, err := e.store.WorkshopMeetings(ctx, w.Code)
	if err != nil {
		return nil, flows.InternalError("workshop meetings", err)
	}
	for _, m := range ms {
		if m.Party(me.UserID) && m.Party(uid) && m.Status.Open() {
			refuse(t, "mt.err_open", "Org", them.Org)
			return nil, nil
		}
	}
	if bookedCount(ms, me.UserID) >= s.MaxPerOrg {
		refuse(t, "mt.err_cap_you", "Count", s.MaxPerOrg)
		return nil, nil
	}
	if bookedCount(ms, uid) >= s.MaxPerOrg {
		refuse(t, "mt.err_cap_them", "Org", them.Org, "Count", s.MaxPerOrg)
		return nil, nil
	}
	if len(freeSlots(s, ms, me.UserID, uid, "", t.In.Now)) == 0 {
		refuse(t, "mt.err_no_slot", "Org", them.Org)
		return nil, nil
	}
	return them, nil
}

// request starts a request to <code>:<uid>: the slots, then the note.
func (e *module) request(ctx context.Context, t *flows.Turn, payload string) error {
	code, u, _ := strings.Cut(payload, ":")
	uid, err := strconv.ParseInt(u, 10, 64)
	if err != nil || uid <= 0 {
		return badButton(t)
	}
	w, err := e.store.GetWorkshop(ctx, code)
	if errors.Is(err, flows.ErrNotFound) {
		return badButton(t)
	}
	if err != nil {
		return flows.InternalError("get workshop", err)
	}
	s, me, err := e.attendee(ctx, t, w)
	if me == nil {
		return err
	}
	them, err := e.target(ctx, t, w, s, me, uid)
	if them == nil {
		return err
	}
	return t.StartFlowAt(ctx, "mtreq", "slots", map[string]string{"code": w.Code, "to": u, "org": them.Org})
}

// mutualFree is the free slots of me and the flow's addressee.
func (e *module) mutualFree(ctx context.Context, t *flows.Turn) (*flows.Workshop, []time.Time, error) {
	w, err := e.workshopOf(ctx, t)
	if err != nil {
		return nil, nil, err
	}
	s, err := e.store.MeetingSetup(ctx, w.Code)
	if err != nil {
		return nil, nil, flows.InternalError("meeting setup", err)
	}
	ms, err := e.store.WorkshopMeetings(ctx, w.Code)
	if err != nil {
		return nil, nil, flows.InternalError("workshop meetings", err)
	}
	to, _ := strconv.ParseInt(t.Session.Data["to"], 10, 64)
	free := freeSlots(s, ms, t.User.ID, to, "", t.In.Now)
	return w, free[:min(len(free), 2*slotButtons)], nil
}

func (e *module) slotsReply(ctx context.Context, t *flows.Turn) (flows.Reply, error) {
	w, free, err := e.mutualFree(ctx, t)
	if err != nil {
		return flows.Reply{}, err
	}
	chosen := strings.Split(t.Session.Data["_chosen"], ",")
	var rows [][]flows.Button
	var row []flows.Button
	for _, at := range free {
		label := flows.T("mt.slot_btn", "At", short(w, at))
		if slices.Contains(chosen, slotArg(at)) {
			label = flows.T("mt.slot_btn_on", "At", short(w, at))
		}
		row = append(row, t.Choice(label, "x."+slotArg(at)))
		if len(row) == 4 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	rows = append(rows, []flows.Button{t.Choice(flows.T("mt.done"), "done")})
	return flows.Reply{Text: flows.T("mt.ask_slots", "Org", t.Session.Data["org"], "Max", flows.MaxMeetSlots,
		"Day", flows.When{At: w.Start, Zone: w.Zone, DateOnly: true}), Buttons: rows}, nil
}

func (e *module) slotsPrompt(ctx context.Context, t *flows.Turn) (flows.Reply, error) {
	return e.slotsReply(ctx, t)
}

// slotsAnswer toggles slots (at most three, re-rendered in place); Done
// needs at least one.
func (e *module) slotsAnswer(ctx context.Context, t *flows.Turn, in flows.Input) (string, error) {
	if in.Kind != flows.KindCallback {
		return "", flows.Refuse("errors.use_buttons")
	}
	var chosen []string
	if c := t.Session.Data["_chosen"]; c != "" {
		chosen = strings.Split(c, ",")
	}
	if in.Callback == "done" {
		if len(chosen) == 0 {
			return "", flows.Refuse("mt.need_slot")
		}
		delete(t.Session.Data, "_chosen")
		slices.Sort(chosen)
		return strings.Join(chosen, ","), nil
	}
	v, ok := strings.CutPrefix(in.Callback, "x.")
	if _, okSlot := parseSlot(v); !ok || !okSlot {
		return "", flows.Refuse("errors.bad_button")
	}
	if i := slices.Index(chosen, v); i >= 0 {
		chosen = slices.Delete(chosen, i, i+1)
	} else if len(chosen) >= flows.MaxMeetSlots {
		return "", flows.Refuse("mt.too_many_slots", "Max", flows.MaxMeetSlots)
	} else {
		chosen = append(chosen, v)
	}
	t.Session.Data["_chosen"] = strings.Join(chosen, ",")
	r, err := e.slotsReply(ctx, t)
	if err != nil {
		return "", err
	}
	r.EditMessageID = in.MessageID
	t.Send(r)
	return "", flows.ErrStay
}

// sendRequest stores the request (the target checked again) and sends the
// other side our card, the reasons, the note and a button per slot.
func (e *module) sendRequest(ctx context.Context, t *flows.Turn) error {
	d := t.Session.Data
	uid, _ := strconv.ParseInt(d["to"], 10, 64)
	w, err := e.workshopOf(ctx, t)
	if err != nil {
		return err
	}
	s, me, err := e.attendee(ctx, t, w)
	if me == nil {
		return err
	}
	them, err := e.target(ctx, t, w, s, me, uid)
	if them == nil {
		return err
	}
	var slots []time.Time
	for p := range strings.SplitSeq(d["slots"], ",") {
		if at, ok := parseSlot(p); ok && s.HasSlot(at) {
			slots = append(slots, at)
		}
	}
	if len(slots) == 0 {
		t.Say(flows.T("mt.err_no_slot", "Org", them.Org))
		return nil
	}
	m := &flows.Meeting{ID: newMeetingID(), Workshop: w.Code, From: me.UserID, To: uid, FromOrg: me.Org, ToOrg: them.Org,
		Note: d["note"], Slots: slots, Awaiting: uid, Status: flows.MeetPending, Created: t.In.Now}
	switch err := e.store.RequestMeeting(ctx, m); {
	case errors.Is(err, flows.ErrMeetOpen):
		t.Say(flows.T("mt.err_open", "Org", them.Org))
		return nil
	case errors.Is(err, flows.ErrMeetingsOff):
		t.Say(flows.T("mt.off"))
		return nil
	case errors.Is(err, flows.ErrWorkshopCancelled):
		t.Say(flows.T("mt.ws_cancelled", "Title", w.Title))
		return nil
	case err != nil:
		return flows.InternalError("request meeting", err)
	}
	var note []flows.Text
	if m.Note != "" {
		note = append(note, flows.T("mt.note_line", "Note", m.Note))
	}
	e.tell(ctx, t, uid, flows.T("mt.request_received", "Org", me.Org, "Title", w.Title,
		"Sector", flows.T("sector."+me.Sector), "Why", flows.Reasons(flows.Compare(them, me), me), "Note", note),
		e.answerRows(w, m)...)
	t.Say(flows.T("mt.request_sent", "Org", them.Org))
	return nil
}

// answerRows are the buttons of the side awaited: a slot each, another
// slot, decline.
func (e *module) answerRows(w *flows.Workshop, m *flows.Meeting) [][]flows.Button {
	var rows [][]flows.Button
	for _, at := range m.Slots {
		rows = append(rows, []flows.Button{{Label: flows.T("mt.btn_accept_at", "At", clock(w, at)), Data: flows.MustData(routeAccept, w.Code, m.ID, slotArg(at))}})
	}
	return append(rows, []flows.Button{
		{Label: flows.T("mt.btn_propose"), Data: flows.MustData(routePropose, w.Code, m.ID)},
		{Label: flows.T("mt.btn_decline"), Data: flows.MustData(routeDecline, w.Code, m.ID)},
	})
}

// slotRows are buttons of free slots for route (propose or move).
func slotRows(w *flows.Workshop, route string, m *flows.Meeting, free []time.Time) [][]flows.Button {
	var rows [][]flows.Button
	for _, at := range free[:min(len(free), slotButtons)] {
		rows = append(rows, []flows.Button{{Label: flows.T("mt.btn_slot", "At", clock(w, at)), Data: flows.MustData(route, w.Code, m.ID, slotArg(at))}})
	}
	return rows
}

// accept books the slot pressed. When it was taken meanwhile, the accepter
// is told and offered the next free slots (proposed to the other side).
func (e *module) accept(ctx context.Context, t *flows.Turn, payload string) error {
	l, err := e.load(ctx, t, payload, 3)
	if l == nil {
		return err
	}
	at, ok := parseSlot(l.rest[0])
	if !ok {
		return badButton(t)
	}
	got, err := e.store.AcceptMeeting(ctx, l.w.Code, l.m.ID, t.User.ID, at, t.In.Now)
	var capErr *flows.MeetCapError
	switch {
	case errors.Is(err, flows.ErrMeetSlotTaken), errors.Is(err, flows.ErrMeetTablesFull), errors.Is(err, flows.ErrMeetBadSlot):
		return e.offerOthers(ctx, t, l, "mt.slot_taken", at)
	case errors.As(err, &capErr):
		if capErr.UserID == t.User.ID {
			t.Say(flows.T("mt.err_cap_you", "Count", l.setup.MaxPerOrg))
		} else {
			_, org := l.m.Other(t.User.ID)
			t.Say(flows.T("mt.err_cap_them", "Org", org, "Count", l.setup.MaxPerOrg))
		}
		return nil
	case answeredRefusal(t, l, err):
		return nil
	case err != nil:
		return flows.InternalError("accept meeting", err)
	}
	if t.In.MessageID != 0 {
		t.Send(flows.Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	}
	return e.booked(ctx, t, l.w, l.setup, got)
}

// booked tells both sides of a meeting just accepted: when, where, and
// the other's contact, and plans the reminders.
func (e *module) booked(ctx context.Context, t *flows.Turn, w *flows.Workshop, s *flows.MeetingSetup, m *flows.Meeting) error {
	if err := e.planJobs(ctx, s, m); err != nil {
		return err
	}
	for _, u := range []int64{m.From, m.To} {
		other, org := m.Other(u)
		ou, err := e.store.GetUser(ctx, other)
		if err != nil {
			return flows.InternalError("get user", err)
		}
		c, buttons := contact(ou)
		r := flows.Reply{ChatID: u, Lang: e.langOf(ctx, u), Bulk: u != t.User.ID,
			Text:    flows.T("mt.booked", "Org", org, "Title", w.Title, "At", clock(w, m.Slot), "Place", place(s, m), "Contact", c),
			Buttons: [][]flows.Button{buttons, {{Label: flows.T("mt.btn_my_meetings"), Data: flows.MustData(routeList, w.Code)}}}}
		if u == t.User.ID {
			r.ChatID, r.Lang = 0, ""
		}
		t.Send(r)
	}
	return nil
}

// offerOthers says slot at could not be had (why: id) and offers the next
// free slots, each proposed to the other side when pressed.
func (e *module) offerOthers(ctx context.Context, t *flows.Turn, l *loaded, id string, at time.Time) error {
	ms, err := e.store.WorkshopMeetings(ctx, l.w.Code)
	if err != nil {
		return flows.InternalError("workshop meetings", err)
	}
	free := freeSlots(l.setup, ms, l.m.From, l.m.To, l.m.ID, t.In.Now)
	if len(free) == 0 {
		t.Send(edit(t, flows.Reply{Text: flows.T("mt.no_free_slot", "At", clock(l.w, at))}))
		return nil
	}
	t.Send(edit(t, flows.Reply{Text: flows.T(id, "At", clock(l.w, at)), Buttons: slotRows(l.w, routePropose, l.m, free)}))
	return nil
}

// propose: without a slot, the free slots to choose from; with one, it is
// proposed to the other side, who answers now.
func (e *module) propose(ctx context.Context, t *flows.Turn, payload string) error {
	l, err := e.load(ctx, t, payload, 2)
	if l == nil {
		return err
	}
	if len(l.rest) == 0 {
		if l.m.Status != flows.MeetPending || l.m.Awaiting != t.User.ID {
			t.Answer(flows.T("mt.err_decided"), true)
			return nil
		}
		return e.offerOthers(ctx, t, l, "mt.choose_slot", time.Time{})
	}
	at, ok := parseSlot(l.rest[0])
	if !ok {
		return badButton(t)
	}
	got, err := e.store.ProposeMeeting(ctx, l.w.Code, l.m.ID, t.User.ID, at, t.In.Now)
	switch {
	case errors.Is(err, flows.ErrMeetBadSlot):
		return badButton(t)
	case answeredRefusal(t, l, err):
		return nil
	case err != nil:
		return flows.InternalError("propose meeting", err)
	}
	other, org := got.Other(t.User.ID)
	_, mine := got.Other(other)
	e.tell(ctx, t, other, flows.T("mt.proposed_you", "Org", mine, "Title", l.w.Title, "At", clock(l.w, at)), e.answerRows(l.w, got)...)
	t.Send(edit(t, flows.Reply{Text: flows.T("mt.proposed_sent", "Org", org, "At", clock(l.w, at))}))
	return nil
}

// decline: the side awaited declines a request, or either side a meeting
// the team proposed.
func (e *module) decline(ctx context.Context, t *flows.Turn, payload string) error {
	return e.close(ctx, t, payload, flows.MeetDeclined)
}

// cancel: the asker withdraws a pending request, or either side cancels a
// booked meeting.
func (e *module) cancel(ctx context.Context, t *flows.Turn, payload string) error {
	return e.close(ctx, t, payload, "")
}

func (e *module) close(ctx context.Context, t *flows.Turn, payload string, status flows.MeetStatus) error {
	l, err := e.load(ctx, t, payload, 2)
	if l == nil {
		return err
	}
	if status == "" {
		status = flows.MeetCancelled
		if l.m.Status == flows.MeetPending && l.m.Awaiting != t.User.ID {
			status = flows.MeetWithdrawn
		}
		if l.m.Status == flows.MeetPending && l.m.Awaiting == t.User.ID {
			status = flows.MeetDeclined
		}
	}
	got, err := e.store.CloseMeeting(ctx, l.w.Code, l.m.ID, t.User.ID, status, t.In.Now)
	switch {
	case errors.Is(err, flows.ErrMeetDecided), errors.Is(err, flows.ErrMeetForbidden):
		t.Answer(flows.T("mt.err_decided"), true)
		return nil
	case err != nil:
		return flows.InternalError("close meeting", err)
	}
	if err := e.dropJobs(ctx, got); err != nil {
		return err
	}
	other, org := got.Other(t.User.ID)
	_, mine := got.Other(other)
	t.Send(edit(t, flows.Reply{Text: flows.T("mt.closed_you_"+string(status), "Org", org)}))
	e.tell(ctx, t, other, flows.T("mt.closed_them_"+string(status), "Org", mine, "Title", l.w.Title),
		[]flows.Button{{Label: flows.T("mt.btn_suggest"), Data: flows.MustData(routeSuggest, l.w.Code, "a", "0")}})
	return nil
}

// move: without a slot, the free slots; with one, the meeting moves there
// (atomically, keeping it where it was if it cannot) and the other side is
// told.
func (e *module) move(ctx context.Context, t *flows.Turn, payload string) error {
	l, err := e.load(ctx, t, payload, 2)
	if l == nil {
		return err
	}
	if l.m.Status != flows.MeetAccepted {
		t.Answer(flows.T("mt.err_decided"), true)
		return nil
	}
	if len(l.rest) == 0 {
		ms, err := e.store.WorkshopMeetings(ctx, l.w.Code)
		if err != nil {
			return flows.InternalError("workshop meetings", err)
		}
		free := freeSlots(l.setup, ms, l.m.From, l.m.To, l.m.ID, t.In.Now)
		free = slices.DeleteFunc(free, l.m.Slot.Equal)
		if len(free) == 0 {
			t.Answer(flows.T("mt.no_free_slot_move"), true)
			return nil
		}
		t.Send(edit(t, flows.Reply{Text: flows.T("mt.choose_move", "At", clock(l.w, l.m.Slot)), Buttons: slotRows(l.w, routeMove, l.m, free)}))
		return nil
	}
	at, ok := parseSlot(l.rest[0])
	if !ok {
		return badButton(t)
	}
	got, err := e.store.MoveMeeting(ctx, l.w.Code, l.m.ID, t.User.ID, at, t.In.Now)
	switch {
	case errors.Is(err, flows.ErrMeetSlotTaken), errors.Is(err, flows.ErrMeetTablesFull), errors.Is(err, flows.ErrMeetBadSlot):
		t.Answer(flows.T("mt.slot_taken_short"), true)
		return nil
	case answeredRefusal(t, l, err):
		return nil
	case err != nil:
		return flows.InternalError("move meeting", err)
	}
	if err := e.planJobs(ctx, l.setup, got); err != nil {
		return err
	}
	other, org := got.Other(t.User.ID)
	_, mine := got.Other(other)
	t.Send(edit(t, flows.Reply{Text: flows.T("mt.moved_you", "Org", org, "At", clock(l.w, got.Slot), "Place", place(l.setup, got))}))
	e.tell(ctx, t, other, flows.T("mt.moved_them", "Org", mine, "Title", l.w.Title, "Old", clock(l.w, l.m.Slot),
		"At", clock(l.w, got.Slot), "Place", place(l.setup, got)),
		[]flows.Button{{Label: flows.T("mt.btn_my_meetings"), Data: flows.MustData(routeList, l.w.Code)}})
	return nil
}

// confirm: a side says yes to a meeting the team placed; once both did,
// it is booked and both get each other's contact.
func (e *module) confirm(ctx context.Context, t *flows.Turn, payload string) error {
	l, err := e.load(ctx, t, payload, 2)
	if l == nil {
		return err
	}
	got, err := e.store.ConfirmMeeting(ctx, l.w.Code, l.m.ID, t.User.ID, t.In.Now)
	switch {
	case answeredRefusal(t, l, err):
		return nil
	case err != nil:
		return flows.InternalError("confirm meeting", err)
	}
	if t.In.MessageID != 0 {
		t.Send(flows.Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	}
	if got.Status == flows.MeetAccepted {
		return e.booked(ctx, t, l.w, l.setup, got)
	}
	_, org := got.Other(t.User.ID)
	t.Say(flows.T("mt.confirmed_wait", "Org", org))
	return nil
}

// contact says how to reach u (as an accepted introduction does).
func contact(u *flows.User) (flows.Text, []flows.Button) {
	if u.Username != "" && telegramUsername.MatchString(u.Username) {
		link := "https://t.me/" + u.Username
		return flows.T("mm.contact_username", "Name", u.FirstName, "Username", u.Username, "Link", link),
			[]flows.Button{{Label: flows.T("mm.btn_open_chat"), URL: link}}
	}
	return flows.T("mm.contact_id", "Name", u.FirstName),
		[]flows.Button{{Label: flows.T("mm.btn_open_chat"), URL: "tg://user?id=" + strconv.FormatInt(u.ID, 10)}}
}

var telegramUsername = regexp.MustCompile(`^[A-Za-z0-9_]{3,32}$`)

// answeredRefusal answers the refusals every answer to a meeting shares —
// decided meanwhile, not the person's to answer, the workshop cancelled —
// and says whether err was one of them.
func answeredRefusal(t *flows.Turn, l *loaded, err error) bool {
	switch {
	case errors.Is(err, flows.ErrMeetDecided), errors.Is(err, flows.ErrMeetForbidden):
		t.Answer(flows.T("mt.err_decided"), true)
	case errors.Is(err, flows.ErrWorkshopCancelled):
		refuse(t, "mt.ws_cancelled", "Title", l.w.Title)
	default:
		return false
	}
	return true
}
