// Package agenda is the capability of a workshop's agenda: the team's
// sessions (time, title, room, speaker; a parallel one with its own
// capacity), participants' sign-ups for the parallel ones, a reminder
// before each chosen session, the calendar file with the chosen sessions,
// and per-session lists and exports. Registration shows it in the
// workshop's card and /mine through the core's hooks (flows.AgendaHooks).
package agenda

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"sinergi/flows"
)

// Module is the capability of workshops' agendas.
func Module(st Store) flows.Module {
	return flows.ModuleFunc(func(r *flows.Registry) {
		e := &module{store: st, cfg: r.Config(), texts: r.Texts()}
		e.register(r)
	})
}

// Store is what the agenda reads and writes: the sessions and sign-ups,
// the reminder jobs, the workshop and registration they hang on, and
// names for the team's lists.
type Store interface {
	flows.Agenda
	flows.Jobs
	flows.Names
	GetWorkshop(ctx context.Context, code string) (*flows.Workshop, error)
	GetRegistration(ctx context.Context, code string, uid int64) (*flows.Registration, error)
}

type module struct {
	store Store
	cfg   flows.Config
	texts flows.Texts
}

// The agenda's callback routes.
const (
	routeManage = "agenda.manage"  // <code>: the team's agenda card
	routeAdd    = "agenda.add"     // <code>: adds a session
	routeEdit   = "agenda.edit"    // <code>:<session id>: changes one
	routeDelete = "agenda.delete"  // <code>:<session id>: removes one (asks first when people signed up)
	routeDelYes = "agenda.del_yes" // <code>:<session id>: removes it and tells those signed up
	routeList   = "agenda.list"    // <code>:<session id>: who signed up (team)
	routeExport = "agenda.export"  // <code>:<session id>: their CSV and workbook (team)
	routeChoose = "agenda.choose"  // <code>: the parallel sessions to choose from (participant)
	routeJoin   = "agenda.join"    // <code>:<session id>: signs up
	routeLeave  = "agenda.leave"   // <code>:<session id>: gives the seat back
	routeICS    = "agenda.ics"     // <code>: the calendar file with one's sessions
	sessionFlow = "wssession"
)

func (e *module) register(r *flows.Registry) {
	r.Namespace("agenda")
	r.OnAgenda(&flows.AgendaHooks{Card: e.cardHook, Mine: e.mineHook, Confirmed: e.confirmedHook})
	for _, m := range []struct {
		name string
		run  func(context.Context, *flows.Turn, *flows.Workshop, string) error
	}{
		{routeManage, e.manageCard},
		{routeAdd, e.addSession},
		{routeEdit, e.editSession},
		{routeDelete, e.askDelete},
		{routeDelYes, e.deleteSession},
		{routeList, e.listSession},
		{routeExport, e.exportSession},
	} {
		r.Route(&flows.Route{Name: m.name, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, m.run)})
	}
	r.Route(&flows.Route{Name: routeChoose, Run: e.participant(e.chooseCard)})
	r.Route(&flows.Route{Name: routeJoin, Run: e.participant(e.join)})
	r.Route(&flows.Route{Name: routeLeave, Run: e.participant(e.leave)})
	r.Route(&flows.Route{Name: routeICS, Run: e.participant(e.calendar)})
	r.Flow(&flows.Flow{Name: sessionFlow, Done: e.saveSession, Steps: []*flows.Step{
		{Name: "title", Keep: true, Parse: flows.TextAnswer(flows.MaxSessionTitle), Prompt: flows.Ask("agenda.ask_title")},
		{Name: "start", Keep: true, Parse: e.startAnswer, Prompt: e.startPrompt, Show: showMoment},
		{Name: "end", Keep: true, Parse: e.endAnswer, Prompt: endPrompt, Show: showMoment},
		{Name: "room", Keep: true, Parse: flows.OptionalText(flows.MaxSessionRoom), Prompt: flows.AskWithSkip("agenda.ask_room", "agenda.skip")},
		{Name: "speaker", Keep: true, Parse: flows.OptionalText(flows.MaxSessionSpeaker), Prompt: flows.AskWithSkip("agenda.ask_speaker", "agenda.skip")},
		{Name: "capacity", Keep: true, Parse: e.capacityAnswer, Prompt: flows.AskWithSkip("agenda.ask_capacity", "agenda.plenary"), Show: showCapacity},
	}})
	r.Job(flows.JobSessionSoon, e.reminderJob)
}

// participant wraps a participant's button "<code>[:<session id>]": the
// workshop must exist and the user hold a confirmed registration.
func (e *module) participant(run func(context.Context, *flows.Turn, *flows.Workshop, string) error) func(context.Context, *flows.Turn, string) error {
	return func(ctx context.Context, t *flows.Turn, payload string) error {
		code, arg, _ := strings.Cut(payload, ":")
		w, err := flows.FindWorkshop(ctx, t, e.store, code)
		if w == nil {
			return err
		}
		r, err := e.store.GetRegistration(ctx, w.Code, t.User.ID)
		if err != nil && !errors.Is(err, flows.ErrNotFound) {
			return flows.InternalError("registration", err)
		}
		if err != nil || r.Status != flows.RegConfirmed {
			t.Answer(flows.T("agenda.not_confirmed"), true)
			return nil
		}
		if w.Cancelled {
			t.Answer(flows.T("ws.cancelled_note"), true)
			return nil
		}
		return run(ctx, t, w, arg)
	}
}

// sessionLine is one session in a list: its time, title, room, speaker,
// and for a parallel one the seats left (taken: those signed up; -1: do
// not show seats).
func sessionLine(w *flows.Workshop, s *flows.AgendaSession, taken int, mark string) flows.Text {
	var seats any = flows.Text{ID: "agenda.plenary_note"}
	switch {
	case taken < 0:
		seats = ""
	case s.Parallel() && s.Capacity-taken > 0:
		seats = flows.T("agenda.seats_left", "Left", s.Capacity-taken, "Count", s.Capacity)
	case s.Parallel():
		seats = flows.T("agenda.seats_full", "Count", s.Capacity)
	}
	return flows.T("agenda.line", "Mark", mark, "Start", flows.When{At: s.Start, Zone: w.Zone}, "End", flows.When{At: s.End, Zone: w.Zone, ClockOnly: true},
		"Title", s.Title, "Room", s.Room, "Speaker", s.Speaker, "Seats", seats)
}

func (e *module) load(ctx context.Context, code string) ([]flows.AgendaSession, map[string][]int64, error) {
	ss, err := e.store.Sessions(ctx, code)
	if err != nil {
		return nil, nil, flows.InternalError("sessions", err)
	}
	signed, err := e.store.SignUps(ctx, code)
	if err != nil {
		return nil, nil, flows.InternalError("sign-ups", err)
	}
	return ss, signed, nil
}

// manageCard is the team's agenda: every session with its buttons.
func (e *module) manageCard(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	ss, signed, err := e.load(ctx, w.Code)
	if err != nil {
		return err
	}
	var lines []flows.Text
	var rows [][]flows.Button
	outside := 0
	for i, s := range ss {
		mark := strconv.Itoa(i+1) + "."
		if s.Start.Before(w.Start) || s.End.After(w.End) { // the workshop moved since
			mark += " ⚠️"
			outside++
		}
		lines = append(lines, sessionLine(w, &s, len(signed[s.ID]), mark))
		row := []flows.Button{{Label: flows.T("agenda.btn_edit", "N", i+1), Data: flows.MustData(routeEdit, w.Code, s.ID)},
			{Label: flows.T("agenda.btn_delete", "N", i+1), Data: flows.MustData(routeDelete, w.Code, s.ID)}}
		if s.Parallel() {
			row = append(row, flows.Button{Label: flows.T("agenda.btn_list", "N", i+1, "Taken", len(signed[s.ID])), Data: flows.MustData(routeList, w.Code, s.ID)})
		}
		rows = append(rows, row)
	}
	if len(ss) < flows.MaxSessions && !w.Cancelled {
		rows = append(rows, []flows.Button{{Label: flows.T("agenda.btn_add"), Data: flows.MustData(routeAdd, w.Code)}})
	}
	rows = append(rows, []flows.Button{{Label: flows.T("ws.back"), Data: flows.MustData("workshops.manage", w.Code)}})
	if outside > 0 {
		lines = append(lines, flows.T("agenda.outside_note", "Start", flows.When{At: w.Start, Zone: w.Zone}, "End", flows.When{At: w.End, Zone: w.Zone}))
	}
	t.Say(flows.T("agenda.card", "Title", w.Title, "Count", len(ss), "Lines", lines), rows...)
	return nil
}

func (e *module) addSession(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	if w.Cancelled {
		t.Answer(flows.T("ws.cancelled_note"), true)
		return nil
	}
	ss, err := e.store.Sessions(ctx, w.Code)
	if err != nil {
		return flows.InternalError("sessions", err)
	}
	if len(ss) >= flows.MaxSessions {
		t.Answer(flows.T("agenda.err_full", "Count", flows.MaxSessions), true)
		return nil
	}
	return t.StartFlowAt(ctx, sessionFlow, "title", map[string]string{"code": w.Code, "zone": w.Zone})
}

func (e *module) editSession(ctx context.Context, t *flows.Turn, w *flows.Workshop, id string) error {
	s, err := e.session(ctx, w.Code, id)
	if s == nil {
		if err == nil {
			t.Answer(flows.T("agenda.gone"), true)
		}
		return err
	}
	return t.StartFlowAt(ctx, sessionFlow, "title", map[string]string{"code": w.Code, "zone": w.Zone, "id": s.ID,
		"title": s.Title, "start": flows.UnixString(s.Start), "end": flows.UnixString(s.End), "room": s.Room, "speaker": s.Speaker,
		"capacity": strconv.Itoa(s.Capacity)})
}

// session finds session id of workshop code (nil, nil: there is none).
func (e *module) session(ctx context.Context, code, id string) (*flows.AgendaSession, error) {
	ss, err := e.store.Sessions(ctx, code)
	if err != nil {
		return nil, flows.InternalError("sessions", err)
	}
	for i := range ss {
		if ss[i].ID == id {
			return &ss[i], nil
		}
	}
	return nil, nil
}

func showMoment(t *flows.Turn, v string) any {
	return flows.When{At: flows.UnixData(map[string]string{"v": v}, "v"), Zone: t.Session.Data["zone"]}
}

func showCapacity(_ *flows.Turn, v string) any {
	if n, _ := strconv.Atoi(v); n > 0 {
		return flows.CapacityText(n)
	}
	return flows.Text{ID: "agenda.plenary"}
}

func (e *module) startPrompt(ctx context.Context, t *flows.Turn) (flows.Reply, error) {
	w, err := e.store.GetWorkshop(ctx, t.Session.Data["code"])
	if err != nil {
		return flows.Reply{}, flows.InternalError("session workshop", err)
	}
	return flows.Reply{Text: flows.T("agenda.ask_start", "Start", flows.When{At: w.Start, Zone: w.Zone}, "End", flows.When{At: w.End, Zone: w.Zone})}, nil
}

// startAnswer reads a date and time, or a time of day on the workshop's
// first day, within the workshop.
func (e *module) startAnswer(ctx context.Context, t *flows.Turn, in flows.Input) (string, error) {
	w, err := e.store.GetWorkshop(ctx, t.Session.Data["code"])
	if err != nil {
		return "", flows.InternalError("session workshop", err)
	}
	v, err := flows.TextBetween(in, 1, 100)
	if err != nil {
		return "", err
	}
	loc := flows.LoadZone(w.Zone)
	at, err := flows.ParseClockOn(v, loc, w.Start)
	if err != nil {
		return "", flows.DateRefusal(t, loc, err)
	}
	if at.Before(w.Start) || !at.Before(w.End) {
		return "", flows.Refuse("agenda.err_outside", "Start", flows.When{At: w.Start, Zone: w.Zone}, "End", flows.When{At: w.End, Zone: w.Zone})
	}
	d := t.Session.Data
	if old := flows.UnixData(d, "start"); d["end"] != "" && d["start"] != "" {
		// Editing the start moves the end by the same span.
		d["end"] = flows.UnixString(at.Add(flows.UnixData(d, "end").Sub(old)))
	}
	return flows.UnixString(at), nil
}

func endPrompt(_ context.Context, t *flows.Turn) (flows.Reply, error) {
	start := flows.UnixData(t.Session.Data, "start")
	return flows.Reply{Text: flows.T("agenda.ask_end", "Start", flows.When{At: start, Zone: t.Session.Data["zone"]})}, nil
}

func (e *module) endAnswer(ctx context.Context, t *flows.Turn, in flows.Input) (string, error) {
	w, err := e.store.GetWorkshop(ctx, t.Session.Data["code"])
	if err != nil {
		return "", flows.InternalError("session workshop", err)
	}
	v, err := flows.TextBetween(in, 1, 100)
	if err != nil {
		return "", err
	}
	loc := flows.LoadZone(w.Zone)
	start := flows.UnixData(t.Session.Data, "start")
	at, err := flows.ParseClockOn(v, loc, start)
	if err != nil {
		return "", flows.DateRefusal(t, loc, err)
	}
	if !at.After(start) {
		return "", flows.Refuse("agenda.err_end_before_start", "Start", flows.When{At: start, Zone: w.Zone})
	}
	if at.After(w.End) {
		return "", flows.Refuse("agenda.err_outside", "Start", flows.When{At: w.Start, Zone: w.Zone}, "End", flows.When{At: w.End, Zone: w.Zone})
	}
	return flows.UnixString(at), nil
}

// capacityAnswer reads a number of seats, or the plenary button (0);
// below those signed up now is refused here already (and again, exactly,
// by the store on saving).
func (e *module) capacityAnswer(ctx context.Context, t *flows.Turn, in flows.Input) (string, error) {
	if in.Kind == flows.KindCallback && in.Callback == flows.SkipValue {
		return "0", nil
	}
	v, err := flows.TextBetween(in, 1, 10)
	if err != nil {
		return "", err
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > flows.MaxSessionCapacity {
		return "", flows.Refuse("agenda.err_capacity", "Max", flows.MaxSessionCapacity)
	}
	if id := t.Session.Data["id"]; id != "" {
		signed, err := e.store.SignUps(ctx, t.Session.Data["code"])
		if err != nil {
			return "", flows.InternalError("sign-ups", err)
		}
		if k := len(signed[id]); n < k {
			return "", flows.Refuse("agenda.err_below", "Count", k)
		}
	}
	return strconv.Itoa(n), nil
}

// saveSession checks the session whole against the workshop as it is now
// and saves it; people whose seat went are told — made plenary, or moved
// onto the time of another session they chose (their seat in the moved one
// is released and the team told how many) — and a moved session's
// reminders move.
func (e *module) saveSession(ctx context.Context, t *flows.Turn) error {
	d := t.Session.Data
	w, err := e.store.GetWorkshop(ctx, d["code"])
	if err != nil {
		return flows.InternalError("session workshop", err)
	}
	if !t.CanManage(w) {
		t.Say(flows.T("errors.not_allowed"))
		return nil
	}
	capacity, _ := strconv.Atoi(d["capacity"])
	s := flows.AgendaSession{ID: d["id"], Title: d["title"], Room: d["room"], Speaker: d["speaker"],
		Start: flows.UnixData(d, "start"), End: flows.UnixData(d, "end"), Capacity: capacity}
	if s.ID == "" {
		s.ID = flows.NewSessionID()
	}
	if err := s.Check(w); err != nil {
		if ue, ok := flows.AsUserError(err); ok {
			t.Say(ue.Msg)
			return e.manageCard(ctx, t, w, "")
		}
		return err
	}
	dropped, err := e.store.SaveSession(ctx, w.Code, s, flows.MaxSessions)
	var below *flows.SessionCapacityError
	switch {
	case errors.As(err, &below):
		t.Say(flows.T("agenda.err_below", "Count", below.SignedUp))
		return e.manageCard(ctx, t, w, "")
	case errors.Is(err, flows.ErrAgendaFull):
		t.Say(flows.T("agenda.err_full", "Count", flows.MaxSessions))
		return e.manageCard(ctx, t, w, "")
	case err != nil:
		return flows.InternalError("save session", err)
	}
	if err := t.Audit(ctx, flows.AuditWsEdit, w.Code, 0); err != nil {
		return err
	}
	told := "agenda.now_plenary"
	if s.Parallel() {
		told = "agenda.moved_overlap"
	}
	if err := e.tell(ctx, t, w, &s, dropped, told); err != nil {
		return err
	}
	if s.Parallel() && len(dropped) > 0 {
		t.Say(flows.T("agenda.released_overlap", "Count", len(dropped), "Session", s.Title))
	}
	signed, err := e.store.SignUps(ctx, w.Code)
	if err != nil {
		return flows.InternalError("sign-ups", err)
	}
	for _, uid := range signed[s.ID] { // the reminders follow a moved session
		if err := e.planReminder(ctx, w, &s, uid, t.In.Now); err != nil {
			return err
		}
	}
	t.Say(flows.T("agenda.saved", "Title", s.Title))
	return e.manageCard(ctx, t, w, "")
}

// tell sends message id about session s of w to each of uids, in their
// language, and drops their reminders of it.
func (e *module) tell(ctx context.Context, t *flows.Turn, w *flows.Workshop, s *flows.AgendaSession, uids []int64, id string) error {
	for _, uid := range uids {
		if err := e.store.Unschedule(ctx, flows.SessionJobID(w.Code, s.ID, uid)); err != nil {
			return flows.InternalError("unschedule session reminder", err)
		}
		lang := ""
		if u, err := e.store.GetUser(ctx, uid); err == nil {
			lang = u.Lang
		}
		t.Send(flows.Reply{ChatID: uid, Lang: lang, Bulk: true, Text: flows.T(id, "Session", s.Title, "Title", w.Title),
			Buttons: [][]flows.Button{{{Label: flows.T("agenda.btn_choose"), Data: flows.MustData(routeChoose, w.Code)}}}})
	}
	return nil
}

func (e *module) askDelete(ctx context.Context, t *flows.Turn, w *flows.Workshop, id string) error {
	s, err := e.session(ctx, w.Code, id)
	if s == nil {
		if err == nil {
			t.Answer(flows.T("agenda.gone"), true)
		}
		return err
	}
	signed, err := e.store.SignUps(ctx, w.Code)
	if err != nil {
		return flows.InternalError("sign-ups", err)
	}
	if n := len(signed[s.ID]); n > 0 {
		t.Say(flows.T("agenda.delete_confirm", "Session", s.Title, "Count", n), []flows.Button{
			{Label: flows.T("agenda.delete_yes"), Data: flows.MustData(routeDelYes, w.Code, s.ID)},
			{Label: flows.T("agenda.delete_no"), Data: flows.MustData(routeManage, w.Code)}})
		return nil
	}
	return e.deleteSession(ctx, t, w, id)
}

func (e *module) deleteSession(ctx context.Context, t *flows.Turn, w *flows.Workshop, id string) error {
	s, err := e.session(ctx, w.Code, id)
	if s == nil {
		if err == nil {
			t.Answer(flows.T("agenda.gone"), true)
		}
		return err
	}
	held, err := e.store.DeleteSession(ctx, w.Code, id)
	if errors.Is(err, flows.ErrNotFound) {
		t.Answer(flows.T("agenda.gone"), true)
		return nil
	}
	if err != nil {
		return flows.InternalError("delete session", err)
	}
	if err := t.Audit(ctx, flows.AuditWsEdit, w.Code, 0); err != nil {
		return err
	}
	if err := e.tell(ctx, t, w, s, held, "agenda.removed_told"); err != nil {
		return err
	}
	t.Answer(flows.T("agenda.deleted"), false)
	return e.manageCard(ctx, t, w, "")
}

// signedUp is session id of w and who holds its seats.
func (e *module) signedUp(ctx context.Context, t *flows.Turn, w *flows.Workshop, id string) (*flows.AgendaSession, []int64, error) {
	s, err := e.session(ctx, w.Code, id)
	if s == nil {
		if err == nil {
			t.Answer(flows.T("agenda.gone"), true)
		}
		return nil, nil, err
	}
	signed, err := e.store.SignUps(ctx, w.Code)
	if err != nil {
		return nil, nil, flows.InternalError("sign-ups", err)
	}
	return s, signed[s.ID], nil
}

// listSession is who signed up for a session, for the team.
func (e *module) listSession(ctx context.Context, t *flows.Turn, w *flows.Workshop, id string) error {
	s, uids, err := e.signedUp(ctx, t, w, id)
	if s == nil {
		return err
	}
	var lines []flows.Text
	for i, uid := range uids {
		name, org := flows.NameOf(ctx, e.store, uid)
		lines = append(lines, flows.T("agenda.list_line", "N", i+1, "Name", name, "Org", org))
	}
	t.Say(flows.T("agenda.list", "Session", s.Title, "Taken", len(uids), "Capacity", s.Capacity, "Lines", lines),
		[]flows.Button{{Label: flows.T("agenda.btn_export"), Data: flows.MustData(routeExport, w.Code, s.ID)}},
		[]flows.Button{{Label: flows.T("ws.back"), Data: flows.MustData(routeManage, w.Code)}})
	return nil
}

// exportSession sends a session's registrants as a workbook and CSV.
func (e *module) exportSession(ctx context.Context, t *flows.Turn, w *flows.Workshop, id string) error {
	s, uids, err := e.signedUp(ctx, t, w, id)
	if s == nil {
		return err
	}
	tx := func(id string) string { v, _ := e.texts.Text(t.Lang, id, nil, nil); return v }
	cols := []flows.Column{{Header: tx("agenda.csv_session")}, {Header: flows.ZoneHeader(tx("agenda.csv_start"), w.Zone)},
		{Header: tx("agenda.csv_room")}, {Header: tx("csv.name")}, {Header: tx("csv.org")}}
	rows := make([][]any, 0, len(uids))
	for _, uid := range uids {
		name, org := flows.NameOf(ctx, e.store, uid)
		rows = append(rows, []any{s.Title, s.Start, s.Room, name, org})
	}
	if err := t.Audit(ctx, flows.AuditExport, w.Code, 0); err != nil {
		return err
	}
	t.Send(flows.Reply{Text: flows.T("agenda.export_caption", "Session", s.Title, "Count", len(uids)),
		Table: &flows.Table{Name: "session-" + w.Code + "-" + s.ID, Sheet: tx("agenda.csv_sheet"), Zone: flows.LoadZone(w.Zone), Columns: cols, Rows: rows}})
	return nil
}
