package meetings

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"sinergi/flows"
)

// My meetings: the list per workshop, the calendar file, the reminder
// before, the question after, and what ends meetings from outside (a
// registration cancelled, a person forgotten).

// myWorkshops are the workshops of the user's confirmed registrations and
// of their meetings, not over, in start order.
func (e *module) myWorkshops(ctx context.Context, t *flows.Turn) ([]*flows.Workshop, error) {
	regs, err := e.store.UserRegistrations(ctx, t.User.ID)
	if err != nil {
		return nil, flows.InternalError("user registrations", err)
	}
	codes, err := e.store.MeetingWorkshops(ctx, t.User.ID)
	if err != nil {
		return nil, flows.InternalError("meeting workshops", err)
	}
	for _, r := range regs {
		if r.Status == flows.RegConfirmed && !slices.Contains(codes, r.Workshop) {
			codes = append(codes, r.Workshop)
		}
	}
	var out []*flows.Workshop
	for _, c := range codes {
		w, err := e.store.GetWorkshop(ctx, c)
		if errors.Is(err, flows.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, flows.InternalError("get workshop", err)
		}
		if _, err := e.store.MeetingSetup(ctx, c); errors.Is(err, flows.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, flows.InternalError("meeting setup", err)
		}
		if !w.Cancelled && w.End.After(t.In.Now) {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b *flows.Workshop) int { return a.Start.Compare(b.Start) })
	return out, nil
}

// myMeetings (/meetings): one message per workshop with meetings set up.
func (e *module) myMeetings(ctx context.Context, t *flows.Turn) error {
	ws, err := e.myWorkshops(ctx, t)
	if err != nil {
		return err
	}
	if len(ws) == 0 {
		t.Say(flows.T("mt.mine_none"))
		return nil
	}
	for _, w := range ws {
		if err := e.showMine(ctx, t, w); err != nil {
			return err
		}
	}
	return nil
}

func (e *module) listPress(ctx context.Context, t *flows.Turn, code string) error {
	w, err := e.store.GetWorkshop(ctx, code)
	if errors.Is(err, flows.ErrNotFound) {
		return badButton(t)
	}
	if err != nil {
		return flows.InternalError("get workshop", err)
	}
	return e.showMine(ctx, t, w)
}

// showMine lists my meetings at w in time order: booked with table (cancel,
// move), proposed by the team (confirm, decline), asked of me (answer),
// asked by me (withdraw); and the buttons whom to meet, calendar.
func (e *module) showMine(ctx context.Context, t *flows.Turn, w *flows.Workshop) error {
	s, err := e.store.MeetingSetup(ctx, w.Code)
	if errors.Is(err, flows.ErrNotFound) {
		t.Say(flows.T("mt.off"))
		return nil
	}
	if err != nil {
		return flows.InternalError("meeting setup", err)
	}
	ms, err := e.store.UserMeetings(ctx, w.Code, t.User.ID)
	if err != nil {
		return flows.InternalError("user meetings", err)
	}
	var lines []flows.Text
	var rows [][]flows.Button
	booked := 0
	for _, m := range ms {
		_, org := m.Other(t.User.ID)
		switch {
		case m.Status == flows.MeetAccepted:
			booked++
			lines = append(lines, flows.T("mt.line_booked", "At", clock(w, m.Slot), "Org", org, "Place", place(s, m)))
			rows = append(rows, []flows.Button{
				{Label: flows.T("mt.btn_move_named", "Org", org), Data: flows.MustData(routeMove, w.Code, m.ID)},
				{Label: flows.T("mt.btn_cancel"), Data: flows.MustData(routeCancel, w.Code, m.ID)}})
		case m.Status == flows.MeetProposed:
			lines = append(lines, flows.T("mt.line_proposed", "At", clock(w, m.Slot), "Org", org, "Place", place(s, m)))
			rows = append(rows, []flows.Button{
				{Label: flows.T("mt.btn_confirm_named", "Org", org), Data: flows.MustData(routeConfirm, w.Code, m.ID)},
				{Label: flows.T("mt.btn_decline"), Data: flows.MustData(routeDecline, w.Code, m.ID)}})
		case m.Status == flows.MeetPending && m.Awaiting == t.User.ID:
			lines = append(lines, flows.T("mt.line_asked_you", "Org", org))
			rows = append(rows, e.answerRows(w, m)...)
		case m.Status == flows.MeetPending:
			lines = append(lines, flows.T("mt.line_asked", "Org", org))
			rows = append(rows, []flows.Button{{Label: flows.T("mt.btn_withdraw_named", "Org", org), Data: flows.MustData(routeCancel, w.Code, m.ID)}})
		}
	}
	last := []flows.Button{{Label: flows.T("mt.btn_suggest"), Data: flows.MustData(routeSuggest, w.Code, "a", "0")}}
	if booked > 0 {
		last = append(last, flows.Button{Label: flows.T("mt.btn_calendar"), Data: flows.MustData(routeCalendar, w.Code)})
	}
	rows = append(rows, last)
	if len(lines) == 0 {
		t.Send(edit(t, flows.Reply{Text: flows.T("mt.mine_empty", "Title", w.Title), Buttons: rows}))
		return nil
	}
	t.Send(edit(t, flows.Reply{Text: flows.T("mt.mine", "Title", w.Title, "Lines", lines), Buttons: rows}))
	return nil
}

// calendar sends an .ics with every booked meeting of mine at the workshop.
func (e *module) calendar(ctx context.Context, t *flows.Turn, code string) error {
	w, err := e.store.GetWorkshop(ctx, code)
	if errors.Is(err, flows.ErrNotFound) {
		return badButton(t)
	}
	if err != nil {
		return flows.InternalError("get workshop", err)
	}
	s, err := e.store.MeetingSetup(ctx, code)
	if errors.Is(err, flows.ErrNotFound) {
		t.Answer(flows.T("mt.off"), true)
		return nil
	}
	if err != nil {
		return flows.InternalError("meeting setup", err)
	}
	ms, err := e.store.UserMeetings(ctx, code, t.User.ID)
	if err != nil {
		return flows.InternalError("user meetings", err)
	}
	inv := t.Invitation(w, t.User.ID)
	for _, m := range ms {
		if m.Status != flows.MeetAccepted {
			continue
		}
		_, org := m.Other(t.User.ID)
		where := ""
		if tb := s.Table(m.Table); tb != nil {
			where = tb.Name
		} else if m.Table == 0 {
			where = s.OnlineURL
		}
		inv.Meetings = append(inv.Meetings, flows.CalendarMeeting{ID: m.ID, Start: m.Slot,
			End: m.Slot.Add(time.Duration(s.SlotMinutes) * time.Minute), Summary: org + " · " + w.Title, Location: where})
	}
	if len(inv.Meetings) == 0 {
		t.Answer(flows.T("mt.calendar_none"), true)
		return nil
	}
	t.Send(flows.Reply{Text: flows.T("mt.calendar", "Title", w.Title, "Count", len(inv.Meetings)), Calendar: inv})
	return nil
}

// jobMeeting reads a job's "<code>.<id>|<uid>": the meeting, the side,
// the workshop and setup; nil when there is nothing to say any more.
func (e *module) jobMeeting(ctx context.Context, args string) (*loaded, int64, error) {
	ref, u, _ := strings.Cut(args, "|")
	code, id, _ := strings.Cut(ref, ".")
	uid, err := strconv.ParseInt(u, 10, 64)
	if err != nil {
		return nil, 0, fmt.Errorf("meeting job %q: %w", args, err)
	}
	w, err := e.store.GetWorkshop(ctx, code)
	if errors.Is(err, flows.ErrNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("meeting job workshop: %w", err)
	}
	m, err := e.store.GetMeeting(ctx, code, id)
	if errors.Is(err, flows.ErrNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("meeting job meeting: %w", err)
	}
	s, err := e.store.MeetingSetup(ctx, code)
	if errors.Is(err, flows.ErrNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("meeting job setup: %w", err)
	}
	if m.Status != flows.MeetAccepted || !m.Party(uid) || w.Cancelled {
		return nil, 0, nil
	}
	return &loaded{w: w, setup: s, m: m}, uid, nil
}

// remindJob reminds one side ten minutes before: whom, when, which table.
// A meeting cancelled or moved meanwhile says nothing (a move schedules the
// job again, at the new time); one already begun is late.
func (e *module) remindJob(ctx context.Context, now time.Time, args string) ([]flows.Reply, error) {
	l, uid, err := e.jobMeeting(ctx, args)
	if l == nil || err != nil {
		return nil, err
	}
	if !now.Before(l.m.Slot) {
		return nil, fmt.Errorf("meeting reminder %s at %s: %w", args, l.m.Slot.Format(time.RFC3339), flows.ErrJobLate)
	}
	if l.m.Slot.Sub(now) > remindBefore+time.Minute {
		return nil, nil // moved later: the job scheduled again says it
	}
	_, org := l.m.Other(uid)
	return []flows.Reply{{ChatID: uid, Lang: e.langOf(ctx, uid), Bulk: true,
		Text: flows.T("mt.reminder", "Org", org, "At", short(l.w, l.m.Slot), "Place", place(l.setup, l.m))}}, nil
}

// outcomeJob asks one side after the meeting what came of it.
func (e *module) outcomeJob(ctx context.Context, now time.Time, args string) ([]flows.Reply, error) {
	l, uid, err := e.jobMeeting(ctx, args)
	if l == nil || err != nil {
		return nil, err
	}
	if now.Before(l.m.Slot) {
		return nil, nil // moved later
	}
	_, org := l.m.Other(uid)
	var rows [][]flows.Button
	for _, o := range flows.MeetOutcomes() {
		rows = append(rows, []flows.Button{{Label: flows.T("mt.outcome." + o), Data: flows.MustData(routeOutcome, l.w.Code, l.m.ID, o)}})
	}
	return []flows.Reply{{ChatID: uid, Lang: e.langOf(ctx, uid), Bulk: true,
		Text: flows.T("mt.ask_outcome", "Org", org, "Title", l.w.Title), Buttons: rows}}, nil
}

// outcome records what came of a meeting for the presser.
func (e *module) outcome(ctx context.Context, t *flows.Turn, payload string) error {
	l, err := e.load(ctx, t, payload, 3)
	if l == nil {
		return err
	}
	o := l.rest[0]
	if !slices.Contains(flows.MeetOutcomes(), o) {
		return badButton(t)
	}
	switch err := e.store.SetMeetingOutcome(ctx, l.w.Code, l.m.ID, t.User.ID, o); {
	case errors.Is(err, flows.ErrMeetDecided), errors.Is(err, flows.ErrMeetForbidden):
		t.Answer(flows.T("mt.err_decided"), true)
		return nil
	case err != nil:
		return flows.InternalError("meeting outcome", err)
	}
	_, org := l.m.Other(t.User.ID)
	t.Send(edit(t, flows.Reply{Text: flows.T("mt.outcome_saved", "Org", org, "Outcome", flows.T("mt.outcome."+o))}))
	return nil
}

// registrationEnded cancels uid's meetings at code and tells the other
// sides.
func (e *module) registrationEnded(ctx context.Context, t *flows.Turn, code string, uid int64) error {
	ms, err := e.store.CancelUserMeetings(ctx, code, uid, t.In.Now)
	if err != nil {
		return flows.InternalError("cancel user meetings", err)
	}
	return e.tellEnded(ctx, t, uid, ms)
}

// workshopCancelled cancels every open meeting of a workshop the team
// cancelled, each by the store's script (a meeting closed meanwhile is
// left as it is), and tells each side once, naming the organisations of
// all their meetings there.
func (e *module) workshopCancelled(ctx context.Context, t *flows.Turn, w *flows.Workshop) error {
	ms, err := e.store.WorkshopMeetings(ctx, w.Code)
	if err != nil {
		return flows.InternalError("workshop meetings", err)
	}
	var closed []*flows.Meeting
	for _, m := range ms {
		if !m.Status.Open() {
			continue
		}
		c, err := e.store.CloseMeeting(ctx, w.Code, m.ID, 0, flows.MeetCancelled, t.In.Now)
		if errors.Is(err, flows.ErrMeetDecided) || errors.Is(err, flows.ErrNotFound) {
			continue
		}
		if err != nil {
			return flows.InternalError("cancel meeting", err)
		}
		closed = append(closed, c)
	}
	if err := e.dropJobs(ctx, closed...); err != nil {
		return err
	}
	orgs := map[int64][]string{}
	var order []int64
	for _, m := range closed {
		for _, u := range []int64{m.From, m.To} {
			if orgs[u] == nil {
				order = append(order, u)
			}
			_, org := m.Other(u)
			orgs[u] = append(orgs[u], org)
		}
	}
	for _, u := range order {
		e.tell(ctx, t, u, flows.T("mt.cancelled_workshop", "Title", w.Title, "Count", len(orgs[u]), "Orgs", strings.Join(orgs[u], ", ")))
	}
	return nil
}

// workshopMoved keeps a workshop's meeting windows within its new time:
// each window is cut to the workshop's start and end (one left shorter than
// a slot goes), the setup saved with the booked meetings of the slots gone
// cancelled in the same step (as the team's own change of times), both
// sides told, and the team told what became of the windows.
func (e *module) workshopMoved(ctx context.Context, t *flows.Turn, w *flows.Workshop) error {
	s, err := e.store.MeetingSetup(ctx, w.Code)
	if errors.Is(err, flows.ErrNotFound) {
		return nil
	}
	if err != nil {
		return flows.InternalError("meeting setup", err)
	}
	cut := *s
	cut.Windows = nil
	d := time.Duration(s.SlotMinutes) * time.Minute
	for _, win := range s.Windows {
		if win.Start.Before(w.Start) {
			win.Start = w.Start
		}
		if win.End.After(w.End) {
			win.End = w.End
		}
		if win.End.Sub(win.Start) >= d {
			cut.Windows = append(cut.Windows, win)
		}
	}
	if slices.Equal(cut.Windows, s.Windows) {
		return nil
	}
	cancelled, err := e.store.SaveMeetingSetup(ctx, &cut, true, t.In.Now)
	if err != nil {
		return flows.InternalError("save meeting setup", err)
	}
	if err := e.dropJobs(ctx, cancelled...); err != nil {
		return err
	}
	for _, m := range cancelled {
		for _, u := range []int64{m.From, m.To} {
			_, org := m.Other(u)
			e.tell(ctx, t, u, flows.T("mt.cancelled_by_team", "Org", org, "Title", w.Title, "At", clock(w, m.Slot)))
		}
	}
	t.Say(flows.T("mt.windows_cut", "Title", w.Title, "Slots", len(cut.Slots()), "Count", len(cancelled)),
		[]flows.Button{{Label: flows.T("mt.btn_setup"), Data: flows.MustData(routeSetup, w.Code)}})
	return nil
}

// forgetting cancels the meetings of someone about to be forgotten and
// tells the other sides (the store deletes the records).
func (e *module) forgetting(ctx context.Context, t *flows.Turn, uid int64) error {
	ms, err := e.store.ForgetMeetings(ctx, uid, t.In.Now)
	if err != nil {
		return flows.InternalError("forget meetings", err)
	}
	return e.tellEnded(ctx, t, uid, ms)
}

func (e *module) tellEnded(ctx context.Context, t *flows.Turn, uid int64, ms []*flows.Meeting) error {
	if err := e.dropJobs(ctx, ms...); err != nil {
		return err
	}
	for _, m := range ms {
		other, _ := m.Other(uid)
		_, org := m.Other(other)
		w, err := e.store.GetWorkshop(ctx, m.Workshop)
		if err != nil {
			return flows.InternalError("get workshop", err)
		}
		e.tell(ctx, t, other, flows.T("mt.cancelled_left", "Org", org, "Title", w.Title),
			[]flows.Button{{Label: flows.T("mt.btn_suggest"), Data: flows.MustData(routeSuggest, w.Code, "a", "0")}})
	}
	return nil
}
