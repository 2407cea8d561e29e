package agenda

import (
	"context"
	"errors"
	"slices"
	"time"

	"sinergi/flows"
)

// The participant's side of the agenda: choosing sessions, the reminder
// before each, the calendar file, and what the card and /mine show.

// chooseCard lists the parallel sessions with the seats left, the user's
// marked, with a button each to sign up or give the seat back.
func (e *module) chooseCard(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	ss, signed, err := e.load(ctx, w.Code)
	if err != nil {
		return err
	}
	mine, err := e.store.ChosenSessions(ctx, w.Code, t.User.ID)
	if err != nil {
		return flows.InternalError("chosen sessions", err)
	}
	var lines []flows.Text
	var rows [][]flows.Button
	n := 0
	for _, s := range ss {
		if !s.Parallel() {
			continue
		}
		n++
		mark, chosen := "▫️", slices.Contains(mine, s.ID)
		if chosen {
			mark = "✅"
		}
		lines = append(lines, sessionLine(w, &s, len(signed[s.ID]), mark))
		if chosen {
			rows = append(rows, []flows.Button{{Label: flows.T("agenda.btn_leave", "Session", s.Title), Data: flows.MustData(routeLeave, w.Code, s.ID)}})
		} else {
			rows = append(rows, []flows.Button{{Label: flows.T("agenda.btn_join", "Session", s.Title), Data: flows.MustData(routeJoin, w.Code, s.ID)}})
		}
	}
	if n == 0 {
		t.Say(flows.T("agenda.no_parallel", "Title", w.Title))
		return nil
	}
	rows = append(rows, []flows.Button{{Label: flows.T("agenda.btn_ics"), Data: flows.MustData(routeICS, w.Code)}})
	t.Say(flows.T("agenda.choose", "Title", w.Title, "Lines", lines), rows...)
	return nil
}

func (e *module) join(ctx context.Context, t *flows.Turn, w *flows.Workshop, id string) error {
	s, err := e.session(ctx, w.Code, id)
	if s == nil {
		if err == nil {
			t.Answer(flows.T("agenda.gone"), true)
		}
		return err
	}
	err = e.store.SignUp(ctx, w.Code, id, t.User.ID)
	var overlap *flows.SessionOverlapError
	switch {
	case errors.As(err, &overlap):
		other, oerr := e.session(ctx, w.Code, overlap.With)
		if oerr != nil {
			return oerr
		}
		name := overlap.With
		if other != nil {
			name = other.Title
		}
		t.Say(flows.T("agenda.err_overlap", "Session", s.Title, "Other", name))
		return nil
	case errors.Is(err, flows.ErrSessionFull):
		t.Say(flows.T("agenda.err_session_full", "Session", s.Title))
		return e.chooseCard(ctx, t, w, "")
	case errors.Is(err, flows.ErrAlreadySignedUp):
		t.Answer(flows.T("agenda.already"), false)
		return nil
	case errors.Is(err, flows.ErrNotConfirmed):
		t.Answer(flows.T("agenda.not_confirmed"), true)
		return nil
	case errors.Is(err, flows.ErrNotFound), errors.Is(err, flows.ErrPlenarySession):
		t.Answer(flows.T("agenda.gone"), true)
		return nil
	case err != nil:
		return flows.InternalError("sign up", err)
	}
	if err := e.planReminder(ctx, w, s, t.User.ID, t.In.Now); err != nil {
		return err
	}
	t.Say(flows.T("agenda.joined", "Session", s.Title, "Start", flows.When{At: s.Start, Zone: w.Zone}, "Room", s.Room))
	return e.chooseCard(ctx, t, w, "")
}

func (e *module) leave(ctx context.Context, t *flows.Turn, w *flows.Workshop, id string) error {
	err := e.store.LeaveSession(ctx, w.Code, id, t.User.ID)
	if errors.Is(err, flows.ErrNotFound) {
		t.Answer(flows.T("agenda.not_signed_up"), true)
		return nil
	}
	if err != nil {
		return flows.InternalError("leave session", err)
	}
	if err := e.store.Unschedule(ctx, flows.SessionJobID(w.Code, id, t.User.ID)); err != nil {
		return flows.InternalError("unschedule session reminder", err)
	}
	t.Answer(flows.T("agenda.left"), false)
	return e.chooseCard(ctx, t, w, "")
}

// planReminder schedules uid's reminder of s, SessionReminderBefore its
// start (none when that moment has passed).
func (e *module) planReminder(ctx context.Context, w *flows.Workshop, s *flows.AgendaSession, uid int64, now time.Time) error {
	id := flows.SessionJobID(w.Code, s.ID, uid)
	due := s.Start.Add(-flows.SessionReminderBefore)
	var err error
	if due.After(now) {
		err = e.store.Schedule(ctx, flows.Job{ID: id, Due: due})
	} else {
		err = e.store.Unschedule(ctx, id)
	}
	if err != nil {
		return flows.InternalError("schedule session reminder", err)
	}
	return nil
}

// reminderJob reminds someone of a session they still hold a seat in,
// while it is ahead; otherwise nothing is sent.
func (e *module) reminderJob(ctx context.Context, now time.Time, args string) ([]flows.Reply, error) {
	code, sid, uid, err := flows.ParseSessionJob(args)
	if err != nil {
		return nil, err
	}
	w, err := e.store.GetWorkshop(ctx, code)
	if errors.Is(err, flows.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, flows.InternalError("job workshop", err)
	}
	s, err := e.session(ctx, code, sid)
	if s == nil || err != nil || w.Cancelled {
		return nil, err
	}
	mine, err := e.store.ChosenSessions(ctx, code, uid)
	if err != nil {
		return nil, flows.InternalError("chosen sessions", err)
	}
	if !slices.Contains(mine, sid) {
		return nil, nil // they left it, or their registration ended
	}
	if !now.Before(s.Start) {
		return nil, flows.ErrJobLate
	}
	lang := ""
	if u, err := e.store.GetUser(ctx, uid); err == nil {
		if u.Inactive {
			return nil, nil
		}
		lang = u.Lang
	}
	return []flows.Reply{{ChatID: uid, Lang: lang, Bulk: true, Text: flows.T("agenda.reminder", "Session", s.Title, "Title", w.Title,
		"Left", flows.TimeLeft(now, s.Start, w.Zone), "Start", flows.When{At: s.Start, Zone: w.Zone, ClockOnly: true}, "Room", s.Room, "Speaker", s.Speaker)}}, nil
}

// calendar sends the calendar file of the workshop with the plenary
// sessions and those the user chose.
func (e *module) calendar(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	ss, err := e.store.Sessions(ctx, w.Code)
	if err != nil {
		return flows.InternalError("sessions", err)
	}
	mine, err := e.store.ChosenSessions(ctx, w.Code, t.User.ID)
	if err != nil {
		return flows.InternalError("chosen sessions", err)
	}
	inv := t.Invitation(w, t.User.ID)
	for _, s := range ss {
		if !s.Parallel() || slices.Contains(mine, s.ID) {
			inv.Sessions = append(inv.Sessions, s)
		}
	}
	t.Send(flows.Reply{Text: flows.T("agenda.ics_caption", "Count", len(inv.Sessions)), Calendar: inv})
	return nil
}

// cardHook is the compact agenda in the workshop's card.
func (e *module) cardHook(ctx context.Context, _ *flows.Turn, w *flows.Workshop) (*flows.Text, error) {
	ss, signed, err := e.load(ctx, w.Code)
	if err != nil || len(ss) == 0 {
		return nil, err
	}
	lines := make([]flows.Text, 0, len(ss))
	for _, s := range ss {
		lines = append(lines, sessionLine(w, &s, len(signed[s.ID]), "•"))
	}
	text := flows.T("agenda.in_card", "Lines", lines)
	return &text, nil
}

// mineHook is, in /mine, the sessions a confirmed registrant chose, and
// the buttons to choose and to get the calendar.
func (e *module) mineHook(ctx context.Context, _ *flows.Turn, w *flows.Workshop, r *flows.Registration) ([]flows.Text, [][]flows.Button, error) {
	if r.Status != flows.RegConfirmed || w.Cancelled {
		return nil, nil, nil
	}
	ss, err := e.store.Sessions(ctx, w.Code)
	if err != nil || len(ss) == 0 {
		return nil, nil, err
	}
	mine, err := e.store.ChosenSessions(ctx, w.Code, r.UserID)
	if err != nil {
		return nil, nil, flows.InternalError("chosen sessions", err)
	}
	var lines []flows.Text
	parallel := false
	for _, s := range ss {
		parallel = parallel || s.Parallel()
		if !s.Parallel() || slices.Contains(mine, s.ID) {
			lines = append(lines, sessionLine(w, &s, -1, "  •"))
		}
	}
	out := []flows.Text{flows.T("agenda.mine", "Lines", lines)}
	var rows [][]flows.Button
	if parallel {
		rows = append(rows, []flows.Button{{Label: flows.T("agenda.btn_choose_named", "Title", w.Title), Data: flows.MustData(routeChoose, w.Code)}})
	}
	rows = append(rows, []flows.Button{{Label: flows.T("agenda.btn_ics_named", "Title", w.Title), Data: flows.MustData(routeICS, w.Code)}})
	return out, rows, nil
}

// confirmedHook invites someone just confirmed to choose their sessions:
// in the current chat (chat 0), or in theirs when they were moved up or
// approved in someone else's turn or a job.
func (e *module) confirmedHook(ctx context.Context, w *flows.Workshop, chat int64, lang string) ([]flows.Reply, error) {
	ss, err := e.store.Sessions(ctx, w.Code)
	if err != nil {
		return nil, flows.InternalError("sessions", err)
	}
	if !slices.ContainsFunc(ss, func(s flows.AgendaSession) bool { return s.Parallel() }) {
		return nil, nil
	}
	return []flows.Reply{{ChatID: chat, Lang: lang, Bulk: chat != 0, Text: flows.T("agenda.choose_prompt", "Title", w.Title),
		Buttons: [][]flows.Button{{{Label: flows.T("agenda.btn_choose"), Data: flows.MustData(routeChoose, w.Code)}}}}}, nil
}
