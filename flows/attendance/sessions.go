package attendance

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"sinergi/flows"
)

// Per-session attendance (flows/session_attendance.go says what counts):
// the agenda's sessions with their counts, a session's list with a
// present / not-present toggle per person and a search like the door's,
// the marks a check-in adds for the sessions open at the moment, and the
// online participant's "I'm here" for their later sessions.

const (
	routeSessions = "attendance.sessions" // <code>: the sessions with their attendance (team)
	routeSession  = "attendance.session"  // <code>:<sid>[:<page>]: a session's list with toggles (team)
	routeMark     = "attendance.mark"     // <code>:<sid>:<uid>:<p|a>[:<page>]: marks someone at a session, or not (team)
	routeFindIn   = "attendance.s_find"   // <code>:<sid>: search someone to mark (team)
	routeHere     = "attendance.here"     // <code>: "I'm here" at one's sessions open now (participant)
	sessionFlow   = "attsess"

	// sessionPage is how many people a session's list shows at once;
	// maxPage bounds the page a button carries.
	sessionPage = 10
	maxPage     = 999
)

func (e *module) registerSessions(r *flows.Registry) {
	r.Route(&flows.Route{Name: routeSessions, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, e.sessions)})
	r.Route(&flows.Route{Name: routeSession, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, e.session)})
	r.Route(&flows.Route{Name: routeMark, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, e.mark)})
	r.Route(&flows.Route{Name: routeFindIn, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, e.findIn)})
	r.Route(&flows.Route{Name: routeHere, Run: e.here})
	r.Flow(&flows.Flow{Name: sessionFlow, Done: func(context.Context, *flows.Turn) error { return nil }, Steps: []*flows.Step{
		{Name: "query", Parse: e.sessionQuery, Prompt: flows.Ask("attn.s_find_ask")},
	}})
	r.OnCheckedIn(e.checkedIn)
}

// agenda is a workshop's sessions with who signed up and who was marked.
type agenda struct {
	sessions []flows.AgendaSession
	signUps  map[string][]int64
	marks    map[string]map[int64]time.Time
}

func (e *module) agenda(ctx context.Context, code string) (*agenda, error) {
	ss, err := e.store.Sessions(ctx, code)
	if err != nil {
		return nil, flows.InternalError("sessions", err)
	}
	a := &agenda{sessions: ss}
	if len(ss) == 0 {
		return a, nil
	}
	if a.signUps, err = e.store.SignUps(ctx, code); err != nil {
		return nil, flows.InternalError("sign-ups", err)
	}
	if a.marks, err = e.store.SessionMarks(ctx, code); err != nil {
		return nil, flows.InternalError("session marks", err)
	}
	return a, nil
}

func (a *agenda) find(sid string) *flows.AgendaSession {
	for i := range a.sessions {
		if a.sessions[i].ID == sid {
			return &a.sessions[i]
		}
	}
	return nil
}

// attended says whether r attended s.
func (a *agenda) attended(s *flows.AgendaSession, r row) bool {
	return flows.SessionAttended(s, a.marks, r.uid, r.status == flows.AttPresent)
}

// expected are those s is for, of rows: everyone at a plenary session;
// at a parallel one those signed up or marked (someone who walked in).
func (a *agenda) expected(s *flows.AgendaSession, rows []row) []row {
	if !s.Parallel() {
		return rows
	}
	var out []row
	for _, r := range rows {
		_, marked := a.marks[s.ID][r.uid]
		if marked || slices.Contains(a.signUps[s.ID], r.uid) {
			out = append(out, r)
		}
	}
	return out
}

// count is how many of rows attended s.
func (a *agenda) count(s *flows.AgendaSession, rows []row) int {
	n := 0
	for _, r := range rows {
		if a.attended(s, r) {
			n++
		}
	}
	return n
}

// sessionLine is a session's line: its time, title and attendance.
func sessionLine(w *flows.Workshop, s *flows.AgendaSession, attended, expected int) flows.Text {
	kind := "attn.s_line_plenary"
	if s.Parallel() {
		kind = "attn.s_line"
	}
	// The clock only when the workshop is one day.
	loc := flows.LoadZone(w.Zone)
	oneDay := w.Start.In(loc).Format(time.DateOnly) == w.End.In(loc).Format(time.DateOnly)
	return flows.T(kind, "Start", flows.When{At: s.Start, Zone: w.Zone, ClockOnly: oneDay}, "End", flows.When{At: s.End, Zone: w.Zone, ClockOnly: true},
		"Title", s.Title, "N", attended, "Of", expected)
}

// sessions lists the agenda with each session's attendance, a button to
// each session's list.
func (e *module) sessions(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	a, err := e.agenda(ctx, w.Code)
	if err != nil {
		return err
	}
	if len(a.sessions) == 0 {
		t.Say(flows.T("attn.s_none", "Title", w.Title), []flows.Button{{Label: flows.T("attn.btn_back"), Data: flows.MustData(routeShow, w.Code)}})
		return nil
	}
	rows, err := e.rows(ctx, w, t.In.Now)
	if err != nil {
		return err
	}
	var lines []flows.Text
	var buttons [][]flows.Button
	for i := range a.sessions {
		s := &a.sessions[i]
		lines = append(lines, sessionLine(w, s, a.count(s, rows), len(a.expected(s, rows))))
		buttons = append(buttons, []flows.Button{{Literal: s.Title, Data: flows.MustData(routeSession, w.Code, s.ID)}})
	}
	buttons = append(buttons, []flows.Button{{Label: flows.T("attn.btn_back"), Data: flows.MustData(routeShow, w.Code)}})
	t.Say(flows.T("attn.s_list", "Title", w.Title, "Lines", lines), buttons...)
	return nil
}

// session shows a session's list a page at a time: a toggle per person.
// At a plenary session those present at the workshop count already (they
// are counted, not listed); the list is of the others.
func (e *module) session(ctx context.Context, t *flows.Turn, w *flows.Workshop, arg string) error {
	sid, p, _ := strings.Cut(arg, ":")
	page, _ := strconv.Atoi(p)
	rep, err := e.sessionReply(ctx, t, w, sid, page)
	if err != nil || rep == nil {
		return err
	}
	t.Send(*rep)
	return nil
}

// sessionReply is page page of session sid's list (nil, having answered
// so, when there is no such session).
func (e *module) sessionReply(ctx context.Context, t *flows.Turn, w *flows.Workshop, sid string, page int) (*flows.Reply, error) {
	a, err := e.agenda(ctx, w.Code)
	if err != nil {
		return nil, err
	}
	s := a.find(sid)
	if s == nil {
		t.Answer(flows.T("attn.s_gone"), true)
		return nil, nil
	}
	rows, err := e.rows(ctx, w, t.In.Now)
	if err != nil {
		return nil, err
	}
	expected := a.expected(s, rows)
	checkedIn := 0
	var listed []row
	for _, r := range expected {
		if byCheckIn(s, a, r) {
			checkedIn++
			continue
		}
		listed = append(listed, r)
	}
	pages := max(1, (len(listed)+sessionPage-1)/sessionPage)
	page = min(max(page, 0), pages-1, maxPage)
	var buttons [][]flows.Button
	for _, r := range listed[page*sessionPage : min(len(listed), (page+1)*sessionPage)] {
		buttons = append(buttons, []flows.Button{e.toggle(w, s, a, r, page)})
	}
	var nav []flows.Button
	if page > 0 {
		nav = append(nav, flows.Button{Label: flows.T("attn.btn_prev"), Data: flows.MustData(routeSession, w.Code, s.ID, strconv.Itoa(page-1))})
	}
	if page+1 < pages && page+1 <= maxPage {
		nav = append(nav, flows.Button{Label: flows.T("attn.btn_next"), Data: flows.MustData(routeSession, w.Code, s.ID, strconv.Itoa(page+1))})
	}
	if nav != nil {
		buttons = append(buttons, nav)
	}
	buttons = append(buttons, []flows.Button{{Label: flows.T("attn.btn_s_find"), Data: flows.MustData(routeFindIn, w.Code, s.ID)},
		{Label: flows.T("attn.btn_sessions"), Data: flows.MustData(routeSessions, w.Code)}})
	text := flows.T("attn.s_session", "Session", s.Title, "Title", w.Title, "Start", flows.When{At: s.Start, Zone: w.Zone},
		"End", flows.When{At: s.End, Zone: w.Zone, ClockOnly: true}, "N", a.count(s, rows), "Of", len(expected),
		"ByCheckIn", checkedIn, "Page", page+1, "Pages", pages)
	return &flows.Reply{Text: text, Buttons: buttons}, nil
}

// byCheckIn says whether r attends plenary session s by their check-in at
// the workshop alone (present, not marked): no toggle of theirs would
// change that, so the lists count them instead of offering one.
func byCheckIn(s *flows.AgendaSession, a *agenda, r row) bool {
	_, marked := a.marks[s.ID][r.uid]
	return !s.Parallel() && !marked && r.status == flows.AttPresent
}

// toggle is r's button at s: marks them present, or not when they are.
func (e *module) toggle(w *flows.Workshop, s *flows.AgendaSession, a *agenda, r row, page int) flows.Button {
	label, to := "attn.s_absent", "p"
	if a.attended(s, r) {
		label, to = "attn.s_present", "a"
	}
	return flows.Button{Label: flows.T(label, "Name", r.name, "Org", orgOrDash(r.org)),
		Data: flows.MustData(routeMark, w.Code, s.ID, strconv.FormatInt(r.uid, 10), to, strconv.Itoa(page))}
}

// mark marks someone present at a session, or not, audit logged, and
// shows the session's list again in the same message.
func (e *module) mark(ctx context.Context, t *flows.Turn, w *flows.Workshop, arg string) error {
	parts := strings.Split(arg, ":")
	if len(parts) < 3 {
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	uid, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || (parts[2] != "p" && parts[2] != "a") {
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	page := 0
	if len(parts) > 3 {
		page, _ = strconv.Atoi(parts[3])
	}
	sid, present := parts[0], parts[2] == "p"
	changed, err := e.store.MarkSession(ctx, w.Code, sid, uid, present, t.In.Now)
	switch {
	case errors.Is(err, flows.ErrNotFound):
		t.Answer(flows.T("attn.s_gone"), true)
		return nil
	case errors.Is(err, flows.ErrNotConfirmed):
		t.Answer(flows.T("attn.not_confirmed"), true)
		return nil
	case err != nil:
		return flows.InternalError("mark session", err)
	}
	if changed {
		status := flows.AttAbsent
		if present {
			status = flows.AttPresent
		}
		if err := t.Audit(ctx, flows.AuditAttendance, w.Code+":"+sid+":"+status, uid); err != nil {
			return err
		}
	}
	if t.Session.Flow == sessionFlow {
		t.EndFlow()
	}
	rep, err := e.sessionReply(ctx, t, w, sid, page)
	if err != nil || rep == nil {
		return err
	}
	rep.EditMessageID = t.In.MessageID
	t.Send(*rep)
	return nil
}

// findIn asks for part of the name or organisation of the person to mark.
func (e *module) findIn(ctx context.Context, t *flows.Turn, w *flows.Workshop, sid string) error {
	return t.StartFlowAt(ctx, sessionFlow, "query", map[string]string{"code": w.Code, "sid": sid})
}

// sessionQuery lists the confirmed registrants matching the search, each
// a toggle, and asks for the next search.
func (e *module) sessionQuery(ctx context.Context, t *flows.Turn, in flows.Input) (string, error) {
	query, err := flows.TextBetween(in, 1, maxFixQuery)
	if err != nil {
		return "", err
	}
	w, err := e.store.GetWorkshop(ctx, t.Session.Data["code"])
	if err != nil {
		return "", flows.InternalError("attendance workshop", err)
	}
	if !t.CanManage(w) {
		return "", flows.Refuse("errors.not_allowed")
	}
	a, err := e.agenda(ctx, w.Code)
	if err != nil {
		return "", err
	}
	s := a.find(t.Session.Data["sid"])
	if s == nil {
		t.EndFlow()
		t.Say(flows.T("attn.s_gone"))
		return "", nil
	}
	rows, err := e.rows(ctx, w, t.In.Now)
	if err != nil {
		return "", err
	}
	var buttons [][]flows.Button
	found := 0
	for _, r := range rows {
		if !flows.MatchesAny(query, r.name, r.org) || byCheckIn(s, a, r) {
			continue
		}
		if found++; found <= fixMatches {
			buttons = append(buttons, []flows.Button{e.toggle(w, s, a, r, 0)})
		}
	}
	if found == 0 {
		t.Say(flows.T("attn.s_find_none", "Query", query))
	} else {
		t.Say(flows.T("attn.s_found", "Query", query, "Session", s.Title, "Count", found, "Shown", min(found, fixMatches)), buttons...)
	}
	return "", flows.Goto("query")
}

// openChosen marks uid at the parallel sessions of w they signed up for
// that are open at now (flows.SessionOpen with the online button's
// settings); it returns those sessions.
func (e *module) openChosen(ctx context.Context, w *flows.Workshop, uid int64, now time.Time) ([]flows.AgendaSession, bool, error) {
	ss, err := e.store.Sessions(ctx, w.Code)
	if err != nil || len(ss) == 0 {
		return nil, false, err
	}
	chosen, err := e.store.ChosenSessions(ctx, w.Code, uid)
	if err != nil {
		return nil, false, err
	}
	var out []flows.AgendaSession
	for i := range ss {
		s := &ss[i]
		if !s.Parallel() || !slices.Contains(chosen, s.ID) || !flows.SessionOpen(s, now, e.cfg.OnlineOpens, e.cfg.OnlineCloses) {
			continue
		}
		if _, err := e.store.MarkSession(ctx, w.Code, s.ID, uid, true, now); err != nil {
			return nil, false, err
		}
		out = append(out, *s)
	}
	return out, len(chosen) > 0, nil
}

func titles(ss []flows.AgendaSession) []flows.Text {
	out := make([]flows.Text, len(ss))
	for i, s := range ss {
		out[i] = flows.T("attn.s_title", "Title", s.Title)
	}
	return out
}

// checkedIn (flows.OnCheckedIn) marks someone just checked in at the
// sessions they chose that are open now and says so: to the team member
// who scanned them, or to the online participant, with a button for their
// later sessions.
func (e *module) checkedIn(ctx context.Context, t *flows.Turn, w *flows.Workshop, uid int64, byTeam bool) error {
	marked, chose, err := e.openChosen(ctx, w, uid, t.In.Now)
	if errors.Is(err, flows.ErrNotConfirmed) {
		return nil
	}
	if err != nil {
		return flows.InternalError("check-in sessions", err)
	}
	if byTeam {
		if len(marked) > 0 {
			name, _ := flows.NameOf(ctx, e.store, uid)
			t.Say(flows.T("attn.s_scanned", "Name", name, "Count", len(marked), "Sessions", titles(marked)))
		}
		return nil
	}
	if !chose {
		return nil
	}
	here := []flows.Button{{Label: flows.T("attn.btn_here"), Data: flows.MustData(routeHere, w.Code)}}
	if len(marked) == 0 {
		t.Say(flows.T("attn.s_online_later"), here)
		return nil
	}
	t.Say(flows.T("attn.s_online", "Count", len(marked), "Sessions", titles(marked)), here)
	return nil
}

// here is an online participant's "I'm here" at their sessions open now.
func (e *module) here(ctx context.Context, t *flows.Turn, code string) error {
	w, err := flows.FindWorkshop(ctx, t, e.store, code)
	if w == nil {
		return err
	}
	marked, _, err := e.openChosen(ctx, w, t.User.ID, t.In.Now)
	if errors.Is(err, flows.ErrNotConfirmed) {
		t.Answer(flows.T("attn.here_not_registered"), true)
		return nil
	}
	if err != nil {
		return flows.InternalError("here", err)
	}
	if len(marked) == 0 {
		t.Answer(flows.T("attn.here_none"), true)
		return nil
	}
	t.Answer(flows.T("attn.here_done", "Count", len(marked)), false)
	t.Say(flows.T("attn.s_online", "Count", len(marked), "Sessions", titles(marked)))
	return nil
}
