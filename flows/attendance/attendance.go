// Package attendance is the team's view of who attended a workshop:
// present, absent or no-show per person and per organisation (a list and
// a CSV file), and corrections of a person's attendance, audit logged.
// Checking in (the QR code, the door search, the online button) is the
// registration capability's; this one reads what it recorded.
package attendance

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"sinergi/flows"
)

// Store is what attendance reads and writes: the workshops, their
// registrations and check-ins, the team's excused absences, the names.
type Store interface {
	flows.WorkshopGetter
	flows.Facilitations
	flows.Names
	Registrations(ctx context.Context, code string) ([]*flows.Registration, error)
	// Excused are the registrants the team marked absent (excused).
	Excused(ctx context.Context, code string) (map[int64]bool, error)
	// SetAttendance corrects uid's attendance (a status of
	// flows.AttendanceStatuses); ErrNotFound when uid is not confirmed.
	SetAttendance(ctx context.Context, code string, uid int64, status string, now time.Time) error
	// The agenda, its sign-ups and per-session attendance (sessions.go).
	Sessions(ctx context.Context, code string) ([]flows.AgendaSession, error)
	SignUps(ctx context.Context, code string) (map[string][]int64, error)
	ChosenSessions(ctx context.Context, code string, uid int64) ([]string, error)
	flows.SessionAttendance
}

const (
	routeShow   = "attendance.show"   // <code>: the list (team)
	routeCSV    = "attendance.csv"    // <code>: the CSV file (team)
	routeFix    = "attendance.fix"    // <code>: search a person to correct (team)
	routePerson = "attendance.person" // <code>:<uid>: a person's attendance and the corrections (team)
	routeSet    = "attendance.set"    // <code>:<uid>:<p|a|n>: corrects it (team)
	fixFlow     = "attfix"

	// listPeople and listOrgs bound the list message; the CSV has all.
	listPeople = 40
	listOrgs   = 15
	// fixMatches is how many matches a search shows.
	fixMatches  = 8
	maxFixQuery = 100
	// recentWorkshops is how many workshops /attendance offers.
	recentWorkshops = 10
)

// statusCodes are the one-letter payloads of the correction buttons.
var statusCodes = map[string]string{"p": flows.AttPresent, "a": flows.AttAbsent, "n": flows.AttNoShow}

// Module is the attendance capability.
func Module(st Store) flows.Module {
	return flows.ModuleFunc(func(r *flows.Registry) {
		e := &module{store: st, cfg: r.Config()}
		r.Namespace("attendance")
		r.Command(&flows.Command{Name: "attendance", Role: flows.RoleFacilitator, Describe: "cmd.attendance", Run: e.command})
		r.Route(&flows.Route{Name: routeShow, Role: flows.RoleFacilitator, Run: flows.Managed(st, e.show)})
		r.Route(&flows.Route{Name: routeCSV, Role: flows.RoleFacilitator, Run: flows.Managed(st, e.csv)})
		r.Route(&flows.Route{Name: routeFix, Role: flows.RoleFacilitator, Run: flows.Managed(st, e.fix)})
		r.Route(&flows.Route{Name: routePerson, Role: flows.RoleFacilitator, Run: flows.Managed(st, e.person)})
		r.Route(&flows.Route{Name: routeSet, Role: flows.RoleFacilitator, Run: flows.Managed(st, e.set)})
		e.registerSessions(r)
		r.Flow(&flows.Flow{Name: fixFlow, Done: func(context.Context, *flows.Turn) error { return nil }, Steps: []*flows.Step{
			{Name: "query", Parse: e.fixQuery, Prompt: flows.Ask("attn.fix_ask")},
		}})
	})
}

type module struct {
	store Store
	cfg   flows.Config
}

// command lists the workshops the user manages that have begun (or begin
// within the check-in window), newest first, each a button to its list.
func (e *module) command(ctx context.Context, t *flows.Turn) error {
	ws, err := flows.ManagedWorkshops(ctx, e.store, t)
	if err != nil {
		return err
	}
	var rows [][]flows.Button
	for _, w := range ws {
		if w.Cancelled || w.Start.After(t.In.Now.Add(e.cfg.CheckInOpens)) {
			continue
		}
		rows = append(rows, []flows.Button{{Literal: w.Title, Data: flows.MustData(routeShow, w.Code)}})
		if len(rows) == recentWorkshops {
			break
		}
	}
	if len(rows) == 0 {
		t.Say(flows.T("attn.none"))
		return nil
	}
	t.Say(flows.T("attn.choose"), rows...)
	return nil
}

// row is one confirmed registrant's attendance.
type row struct {
	uid       int64
	name, org string
	status    string
	at        time.Time
}

// over: the workshop's check-in closed, so whoever is not present and not
// excused did not show.
func (e *module) over(w *flows.Workshop, now time.Time) bool {
	return w.End.After(w.Start) && !now.Before(w.End.Add(e.cfg.CheckInCloses))
}

// rows are w's confirmed registrants with their attendance, by name.
func (e *module) rows(ctx context.Context, w *flows.Workshop, now time.Time) ([]row, error) {
	regs, err := e.store.Registrations(ctx, w.Code)
	if err != nil {
		return nil, flows.InternalError("registrations", err)
	}
	excused, err := e.store.Excused(ctx, w.Code)
	if err != nil {
		return nil, flows.InternalError("excused", err)
	}
	over := e.over(w, now)
	var out []row
	for _, r := range regs {
		if r.Status != flows.RegConfirmed || r.UserID == 0 {
			continue
		}
		name, org, err := flows.LookupName(ctx, e.store, r.UserID)
		if err != nil {
			return nil, flows.InternalError("name", err)
		}
		out = append(out, row{uid: r.UserID, name: name, org: org, status: flows.AttendanceOf(r, excused[r.UserID], over), at: r.CheckedInAt})
	}
	slices.SortStableFunc(out, func(a, b row) int { return cmp.Or(cmp.Compare(a.name, b.name), cmp.Compare(a.uid, b.uid)) })
	return out, nil
}

// orgTally counts an organisation's registrants by attendance.
type orgTally struct {
	org    string
	counts map[string]int
	total  int
}

func tallyByOrg(rows []row) []orgTally {
	idx := map[string]int{}
	var out []orgTally
	for _, r := range rows {
		i, ok := idx[r.org]
		if !ok {
			i = len(out)
			idx[r.org] = i
			out = append(out, orgTally{org: r.org, counts: map[string]int{}})
		}
		out[i].counts[r.status]++
		out[i].total++
	}
	slices.SortStableFunc(out, func(a, b orgTally) int { return cmp.Or(cmp.Compare(b.total, a.total), cmp.Compare(a.org, b.org)) })
	return out
}

// show is the attendance list: the totals, per organisation, per person.
func (e *module) show(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	rows, err := e.rows(ctx, w, t.In.Now)
	if err != nil {
		return err
	}
	total := map[string]int{}
	var people []flows.Text
	for i, r := range rows {
		total[r.status]++
		if i < listPeople {
			people = append(people, flows.T("attn.person_line", "Name", r.name, "Org", orgOrDash(r.org), "Status", flows.T("attn.status."+r.status)))
		}
	}
	var orgs []flows.Text
	for i, o := range tallyByOrg(rows) {
		if i == listOrgs {
			break
		}
		orgs = append(orgs, flows.T("attn.org_line", "Org", orgOrDash(o.org), "Present", o.counts[flows.AttPresent],
			"Absent", o.counts[flows.AttAbsent], "NoShow", o.counts[flows.AttNoShow]))
	}
	more := ""
	if n := len(rows) - listPeople; n > 0 {
		more = strconv.Itoa(n)
	}
	list := flows.T("attn.list", "Title", w.Title, "Count", len(rows), "Present", total[flows.AttPresent], "Absent", total[flows.AttAbsent],
		"NoShow", total[flows.AttNoShow], "Orgs", orgs, "People", people, "More", more)
	buttons := [][]flows.Button{{{Label: flows.T("attn.btn_csv"), Data: flows.MustData(routeCSV, w.Code)},
		{Label: flows.T("attn.btn_fix"), Data: flows.MustData(routeFix, w.Code)}}}
	a, err := e.agenda(ctx, w.Code)
	if err != nil {
		return err
	}
	if len(a.sessions) > 0 {
		// The agenda's sessions with their counts, and their lists.
		var lines []flows.Text
		for i := range a.sessions {
			s := &a.sessions[i]
			lines = append(lines, sessionLine(w, s, a.count(s, rows), len(a.expected(s, rows))))
		}
		list = flows.T("attn.list_sessions", "List", list, "Lines", lines)
		buttons = append(buttons, []flows.Button{{Label: flows.T("attn.btn_sessions"), Data: flows.MustData(routeSessions, w.Code)}})
	}
	t.Say(list, buttons...)
	return nil
}

func orgOrDash(org string) any {
	if org == "" {
		return flows.HTML("—")
	}
	return org
}

// csv sends every confirmed registrant's attendance as a CSV file; an
// export of personal data, so audit logged.
func (e *module) csv(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	rows, err := e.rows(ctx, w, t.In.Now)
	if err != nil {
		return err
	}
	a, err := e.agenda(ctx, w.Code)
	if err != nil {
		return err
	}
	loc := flows.LoadZone(w.Zone)
	header := []string{"name", "organisation", "attendance", "checked_in"}
	// A column per session of the agenda: "present" when the person
	// attended it (flows.SessionAttended).
	for _, s := range a.sessions {
		header = append(header, "session "+s.Start.In(loc).Format(flows.CSVDateTime)+" "+s.Title)
	}
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		at := ""
		if !r.at.IsZero() {
			at = r.at.In(loc).Format(flows.CSVDateTime)
		}
		line := []string{r.name, r.org, r.status, at}
		for i := range a.sessions {
			v := ""
			if a.attended(&a.sessions[i], r) {
				v = flows.AttPresent
			}
			line = append(line, v)
		}
		out = append(out, line)
	}
	if err := t.Audit(ctx, flows.AuditExport, "attendance:"+w.Code, 0); err != nil {
		return err
	}
	t.Send(flows.Reply{Text: flows.T("attn.csv_caption", "Title", w.Title, "Count", len(rows)),
		Document: &flows.Attachment{Name: "attendance-" + w.Code + ".csv", Data: flows.CSV(header, out)}})
	return nil
}

// fix asks for part of the name or organisation of the person to correct.
func (e *module) fix(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	return t.StartFlowAt(ctx, fixFlow, "query", map[string]string{"code": w.Code})
}

// fixQuery lists the confirmed registrants matching the search, each a
// button to their attendance, and asks for the next search.
func (e *module) fixQuery(ctx context.Context, t *flows.Turn, in flows.Input) (string, error) {
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
	rows, err := e.rows(ctx, w, t.In.Now)
	if err != nil {
		return "", err
	}
	var buttons [][]flows.Button
	found := 0
	for _, r := range rows {
		if !flows.MatchesAny(query, r.name, r.org) {
			continue
		}
		if found++; found <= fixMatches {
			buttons = append(buttons, []flows.Button{{Label: flows.T("attn.match", "Name", r.name, "Status", flows.T("attn.status."+r.status)),
				Data: flows.MustData(routePerson, w.Code, strconv.FormatInt(r.uid, 10))}})
		}
	}
	if found == 0 {
		t.Say(flows.T("attn.fix_none", "Query", query))
	} else {
		t.Say(flows.T("attn.fix_found", "Query", query, "Count", found, "Shown", min(found, fixMatches)), buttons...)
	}
	return "", flows.Goto("query")
}

// person shows one registrant's attendance and the corrections.
func (e *module) person(ctx context.Context, t *flows.Turn, w *flows.Workshop, arg string) error {
	uid, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	r, err := e.find(ctx, w, uid, t.In.Now)
	if err != nil || r == nil {
		return err
	}
	if t.Session.Flow == fixFlow {
		t.EndFlow()
	}
	u := strconv.FormatInt(uid, 10)
	var buttons []flows.Button
	for _, c := range []string{"p", "a", "n"} {
		if statusCodes[c] != r.status {
			buttons = append(buttons, flows.Button{Label: flows.T("attn.set." + statusCodes[c]), Data: flows.MustData(routeSet, w.Code, u, c)})
		}
	}
	t.Say(flows.T("attn.person", "Name", r.name, "Org", orgOrDash(r.org), "Title", w.Title, "Status", flows.T("attn.status."+r.status)), buttons)
	return nil
}

// find is uid's row at w; nil (having said so) when uid is not a confirmed
// registrant.
func (e *module) find(ctx context.Context, w *flows.Workshop, uid int64, now time.Time) (*row, error) {
	rows, err := e.rows(ctx, w, now)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		if rows[i].uid == uid {
			return &rows[i], nil
		}
	}
	return nil, nil
}

// set corrects a registrant's attendance, audit logged with the new
// status.
func (e *module) set(ctx context.Context, t *flows.Turn, w *flows.Workshop, arg string) error {
	u, c, _ := strings.Cut(arg, ":")
	uid, err := strconv.ParseInt(u, 10, 64)
	status, ok := statusCodes[c]
	if err != nil || !ok {
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	err = e.store.SetAttendance(ctx, w.Code, uid, status, t.In.Now)
	if errors.Is(err, flows.ErrNotFound) {
		t.Answer(flows.T("attn.not_confirmed"), true)
		return nil
	}
	if err != nil {
		return flows.InternalError("set attendance", err)
	}
	if err := t.Audit(ctx, flows.AuditAttendance, w.Code+":"+status, uid); err != nil {
		return err
	}
	if t.In.MessageID != 0 {
		t.Send(flows.Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	}
	r, err := e.find(ctx, w, uid, t.In.Now)
	if err != nil || r == nil {
		return err
	}
	t.Say(flows.T("attn.set_done", "Name", r.name, "Title", w.Title, "Status", flows.T("attn.status."+r.status)),
		[]flows.Button{{Label: flows.T("attn.btn_back"), Data: flows.MustData(routeShow, w.Code)}})
	return nil
}
