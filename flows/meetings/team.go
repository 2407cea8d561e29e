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

// The team's side: which workshops, the card, the setup flow, the grid and
// the scheduler.

// teamList lists the workshops the user manages, each a button to its
// meetings card.
func (e *module) teamList(ctx context.Context, t *flows.Turn) error {
	ws, err := flows.ManagedWorkshops(ctx, e.store, t)
	if err != nil {
		return err
	}
	var rows [][]flows.Button
	for _, w := range ws {
		if w.Cancelled || !w.End.After(t.In.Now) {
			continue
		}
		rows = append(rows, []flows.Button{{Literal: w.Title, Data: flows.MustData(routeTeam, w.Code)}})
	}
	if len(rows) == 0 {
		t.Say(flows.T("mt.team_none"))
		return nil
	}
	t.Say(flows.T("mt.team_choose"), rows...)
	return nil
}

// teamCard shows a workshop's meetings to its team: the setup and the
// counts, with setup, grid and scheduler buttons.
func (e *module) teamCard(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	s, err := e.store.MeetingSetup(ctx, w.Code)
	if errors.Is(err, flows.ErrNotFound) {
		t.Send(edit(t, flows.Reply{Text: flows.T("mt.team_off", "Title", w.Title),
			Buttons: [][]flows.Button{{{Label: flows.T("mt.btn_setup"), Data: flows.MustData(routeSetup, w.Code)}}}}))
		return nil
	}
	if err != nil {
		return flows.InternalError("meeting setup", err)
	}
	ms, err := e.store.WorkshopMeetings(ctx, w.Code)
	if err != nil {
		return flows.InternalError("workshop meetings", err)
	}
	c := countMeetings(ms)
	t.Send(edit(t, flows.Reply{Text: flows.T("mt.team_card", "Title", w.Title, "Setup", setupText(w, s),
		"Requested", c.requested, "Accepted", c.accepted, "Held", c.held, "Partnerships", c.partnerships),
		Buttons: [][]flows.Button{
			{{Label: flows.T("mt.btn_setup"), Data: flows.MustData(routeSetup, w.Code)}, {Label: flows.T("mt.btn_grid"), Data: flows.MustData(routeGrid, w.Code)}},
			{{Label: flows.T("mt.btn_auto"), Data: flows.MustData(routeAuto, w.Code)}},
		}}))
	return nil
}

// counts of a workshop's meetings: requested (every request), accepted
// (booked now), held (a side said they met), partnerships planned.
type counts struct{ requested, accepted, held, partnerships int }

func countMeetings(ms []*flows.Meeting) counts {
	var c counts
	for _, m := range ms {
		c.requested++
		if m.Status == flows.MeetAccepted {
			c.accepted++
			met := func(o string) bool { return o != "" && o != flows.OutcomeMissed }
			if met(m.OutcomeFrom) || met(m.OutcomeTo) {
				c.held++
			}
			if m.OutcomeFrom == flows.OutcomePartnership || m.OutcomeTo == flows.OutcomePartnership {
				c.partnerships++
			}
		}
	}
	return c
}

// Tally is what the team's card counts of a workshop's meetings, for
// other readers (the Mini App).
type Tally struct{ Requested, Accepted, Held, Partnerships int }

// Count is the team card's counts of a workshop's meetings ms.
func Count(ms []*flows.Meeting) Tally {
	c := countMeetings(ms)
	return Tally{Requested: c.requested, Accepted: c.accepted, Held: c.held, Partnerships: c.partnerships}
}

// setupText renders a setup: windows, slot length and count, tables, cap.
func setupText(w *flows.Workshop, s *flows.MeetingSetup) flows.Text {
	var wins []flows.Text
	for _, win := range s.Windows {
		wins = append(wins, flows.T("mt.window_line", "Start", clock(w, win.Start), "End", short(w, win.End)))
	}
	where := flows.T("mt.setup_online", "Link", s.OnlineURL)
	if len(s.Tables) > 0 {
		names := make([]string, len(s.Tables))
		for i, tb := range s.Tables {
			names[i] = tb.Name
		}
		where = flows.T("mt.setup_tables", "Count", len(s.Tables), "Names", strings.Join(names, ", "))
	}
	return flows.T("mt.setup_text", "Windows", wins, "Minutes", s.SlotMinutes, "Slots", len(s.Slots()),
		"Where", where, "Cap", s.MaxPerOrg)
}

// startSetup starts the setup flow, with the current setup's answers kept
// in the data (offered again as they are).
func (e *module) startSetup(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	if t.In.MessageID != 0 {
		t.Send(flows.Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	}
	data := map[string]string{"code": w.Code}
	if s, err := e.store.MeetingSetup(ctx, w.Code); err == nil {
		data["cur_slot"] = strconv.Itoa(s.SlotMinutes)
		data["cur_cap"] = strconv.Itoa(s.MaxPerOrg)
	} else if !errors.Is(err, flows.ErrNotFound) {
		return flows.InternalError("meeting setup", err)
	}
	return t.StartFlowAt(ctx, "mtsetup", "slot", data)
}

func (e *module) setupFlow() *flows.Flow {
	return &flows.Flow{Name: "mtsetup", Done: e.saveSetup, Steps: []*flows.Step{
		{Name: "slot", Parse: numberAnswer(flows.MinMeetSlot, flows.MaxMeetSlot, "mt.bad_slot"), Prompt: func(_ context.Context, t *flows.Turn) (flows.Reply, error) {
			return flows.Reply{Text: flows.T("mt.ask_slot", "Min", flows.MinMeetSlot, "Max", flows.MaxMeetSlot), Buttons: [][]flows.Button{{
				t.ChoiceLiteral("10", "10"), t.ChoiceLiteral("15", "15"), t.ChoiceLiteral("20", "20"), t.ChoiceLiteral("30", "30")}}}, nil
		}},
		{Name: "windows", Parse: e.windowsAnswer, Prompt: e.windowsPrompt},
		{Name: "tables", Parse: tablesAnswer, Prompt: flows.Ask("mt.ask_tables")},
		{Name: "cap", Parse: numberAnswer(1, flows.MaxMeetCap, "mt.bad_cap"), Prompt: func(_ context.Context, t *flows.Turn) (flows.Reply, error) {
			return flows.Reply{Text: flows.T("mt.ask_cap", "Max", flows.MaxMeetCap), Buttons: [][]flows.Button{{
				t.ChoiceLiteral("3", "3"), t.ChoiceLiteral("5", "5"), t.ChoiceLiteral("8", "8"), t.ChoiceLiteral("10", "10")}}}, nil
		}},
		{Name: "confirm", Parse: e.confirmAnswer, Prompt: e.confirmPrompt},
	}}
}

func numberAnswer(lo, hi int, bad string) func(context.Context, *flows.Turn, flows.Input) (string, error) {
	return func(_ context.Context, _ *flows.Turn, in flows.Input) (string, error) {
		v := strings.TrimSpace(in.Text)
		if in.Kind == flows.KindCallback {
			v = in.Callback
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return "", flows.Refuse(bad, "Min", lo, "Max", hi)
		}
		return strconv.Itoa(n), nil
	}
}

func (e *module) workshopOf(ctx context.Context, t *flows.Turn) (*flows.Workshop, error) {
	w, err := e.store.GetWorkshop(ctx, t.Session.Data["code"])
	if err != nil {
		return nil, flows.InternalError("get workshop", err)
	}
	return w, nil
}

func (e *module) windowsPrompt(ctx context.Context, t *flows.Turn) (flows.Reply, error) {
	w, err := e.workshopOf(ctx, t)
	if err != nil {
		return flows.Reply{}, err
	}
	return flows.Reply{Text: flows.T("mt.ask_windows", "Start", clock(w, w.Start), "End", clock(w, w.End))}, nil
}

// window is one typed window: "09:00-12:00" on the workshop's first day, or
// "2026-11-25 09:00-12:00" (a dot for the colon too).
var window = regexp.MustCompile(`^(?:(\d{4}-\d{2}-\d{2})\s+)?(\d{1,2})[:.](\d{2})\s*[-–]\s*(\d{1,2})[:.](\d{2})$`)

// parseWindows reads the windows typed, one per line or comma, in w's zone.
func parseWindows(w *flows.Workshop, text string) ([]flows.MeetWindow, bool) {
	loc := flows.LoadZone(w.Zone)
	day := w.Start.In(loc).Format("2006-01-02")
	var out []flows.MeetWindow
	for _, part := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		m := window.FindStringSubmatch(strings.TrimSpace(part))
		if m == nil {
			return nil, false
		}
		d := day
		if m[1] != "" {
			d = m[1]
		}
		start, err1 := time.ParseInLocation("2006-01-02 15:04", d+" "+pad(m[2])+":"+m[3], loc)
		end, err2 := time.ParseInLocation("2006-01-02 15:04", d+" "+pad(m[4])+":"+m[5], loc)
		if err1 != nil || err2 != nil || !end.After(start) {
			return nil, false
		}
		out = append(out, flows.MeetWindow{Start: start.UTC(), End: end.UTC()})
	}
	return out, len(out) > 0 && len(out) <= flows.MaxMeetWindows
}

func pad(h string) string {
	if len(h) == 1 {
		return "0" + h
	}
	return h
}

func encodeWindows(ws []flows.MeetWindow) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = slotArg(w.Start) + "-" + slotArg(w.End)
	}
	return strings.Join(parts, ",")
}

func decodeWindows(s string) []flows.MeetWindow {
	var out []flows.MeetWindow
	for p := range strings.SplitSeq(s, ",") {
		a, b, _ := strings.Cut(p, "-")
		start, ok1 := parseSlot(a)
		end, ok2 := parseSlot(b)
		if ok1 && ok2 {
			out = append(out, flows.MeetWindow{Start: start, End: end})
		}
	}
	return out
}

// windowsAnswer checks the windows: the form, within the workshop, at least
// a slot long, not overlapping.
func (e *module) windowsAnswer(ctx context.Context, t *flows.Turn, in flows.Input) (string, error) {
	w, err := e.workshopOf(ctx, t)
	if err != nil {
		return "", err
	}
	wins, ok := parseWindows(w, in.Text)
	if !ok {
		return "", flows.Refuse("mt.bad_windows", "Max", flows.MaxMeetWindows)
	}
	minutes, _ := strconv.Atoi(t.Session.Data["slot"])
	s := &flows.MeetingSetup{Windows: wins, SlotMinutes: minutes}
	switch err := flows.CheckMeetingSetup(s, w); {
	case errors.Is(err, flows.ErrMeetWindowOutside):
		return "", flows.Refuse("mt.window_outside", "Start", clock(w, w.Start), "End", clock(w, w.End))
	case errors.Is(err, flows.ErrMeetWindowOverlap):
		return "", flows.Refuse("mt.window_overlap")
	case errors.Is(err, flows.ErrMeetWindowShort):
		return "", flows.Refuse("mt.window_short", "Minutes", minutes)
	}
	return encodeWindows(s.Windows), nil
}

// tablesAnswer: names of tables or rooms (comma or line separated), or an
// online link (https://…).
func tablesAnswer(_ context.Context, _ *flows.Turn, in flows.Input) (string, error) {
	text := strings.TrimSpace(flows.CleanText(in.Text))
	if strings.HasPrefix(text, "https://") && !strings.ContainsAny(text, " \n,") && len(text) <= 200 {
		return text, nil
	}
	var names []string
	for _, n := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if len([]rune(n)) > 40 || slices.Contains(names, n) {
			return "", flows.Refuse("mt.bad_tables", "Max", flows.MaxMeetTables)
		}
		names = append(names, n)
	}
	if len(names) == 0 || len(names) > flows.MaxMeetTables {
		return "", flows.Refuse("mt.bad_tables", "Max", flows.MaxMeetTables)
	}
	return strings.Join(names, "\n"), nil
}

// setupFromData builds the setup the answers describe; tables keep the ids
// of old's tables of the same name, new ones take the next ids.
func setupFromData(d map[string]string, old *flows.MeetingSetup) *flows.MeetingSetup {
	minutes, _ := strconv.Atoi(d["slot"])
	cap, _ := strconv.Atoi(d["cap"])
	s := &flows.MeetingSetup{Workshop: d["code"], Windows: decodeWindows(d["windows"]), SlotMinutes: minutes, MaxPerOrg: cap}
	if strings.HasPrefix(d["tables"], "https://") {
		s.OnlineURL = d["tables"]
		return s
	}
	next := 1
	if old != nil {
		for _, tb := range old.Tables {
			next = max(next, tb.ID+1)
		}
	}
	for _, name := range strings.Split(d["tables"], "\n") {
		id := 0
		if old != nil {
			for _, tb := range old.Tables {
				if tb.Name == name {
					id = tb.ID
				}
			}
		}
		if id == 0 {
			id, next = next, next+1
		}
		s.Tables = append(s.Tables, flows.MeetTable{ID: id, Name: name})
	}
	return s
}

func (e *module) confirmPrompt(ctx context.Context, t *flows.Turn) (flows.Reply, error) {
	w, err := e.workshopOf(ctx, t)
	if err != nil {
		return flows.Reply{}, err
	}
	s := setupFromData(t.Session.Data, nil)
	if n, _ := strconv.Atoi(t.Session.Data["conflict"]); n > 0 {
		return flows.Reply{Text: flows.T("mt.setup_conflict", "Count", n, "Setup", setupText(w, s)), Buttons: [][]flows.Button{
			{t.Choice(flows.T("mt.btn_force"), "force")}, {t.Choice(flows.T("mt.discard"), "discard")}}}, nil
	}
	return flows.Reply{Text: flows.T("mt.setup_summary", "Title", w.Title, "Setup", setupText(w, s)), Buttons: [][]flows.Button{{
		t.Choice(flows.T("mt.save"), "save"), t.Choice(flows.T("mt.discard"), "discard")}}}, nil
}

// confirmAnswer: Save, or, when booked meetings would lose their table
// or slot, the count of them and a confirmation ("force"), or Discard.
func (e *module) confirmAnswer(ctx context.Context, t *flows.Turn, in flows.Input) (string, error) {
	if in.Kind != flows.KindCallback {
		return "", flows.Refuse("errors.use_buttons")
	}
	switch in.Callback {
	case "save":
		n, err := e.dropped(ctx, t.Session.Data)
		if err != nil {
			return "", err
		}
		if n == 0 {
			return "save", nil
		}
		t.Session.Data["conflict"] = strconv.Itoa(n)
		r, err := e.confirmPrompt(ctx, t)
		if err != nil {
			return "", err
		}
		r.EditMessageID = in.MessageID
		t.Send(r)
		return "", flows.ErrStay
	case "force":
		if t.Session.Data["conflict"] == "" {
			return "", flows.Refuse("errors.bad_button")
		}
		return "force", nil
	case "discard":
		return t.Discard(in, flows.T("mt.discarded"))
	}
	return "", flows.Refuse("errors.bad_button")
}

// dropped counts the booked meetings the setup of the answers d would
// leave without their table or slot.
func (e *module) dropped(ctx context.Context, d map[string]string) (int, error) {
	old, err := e.store.MeetingSetup(ctx, d["code"])
	if errors.Is(err, flows.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, flows.InternalError("meeting setup", err)
	}
	s := setupFromData(d, old)
	ms, err := e.store.WorkshopMeetings(ctx, d["code"])
	if err != nil {
		return 0, flows.InternalError("workshop meetings", err)
	}
	n := 0
	for _, m := range ms {
		if m.Booked() && (!s.HasSlot(m.Slot) || (m.Table != 0 && s.Table(m.Table) == nil)) {
			n++
		}
	}
	return n, nil
}

// saveSetup stores the setup, checked again against the workshop as it is
// now; when booked meetings would lose their table or slot, the team is
// told how many and asked to confirm, and on "force" they are cancelled and
// both sides told.
func (e *module) saveSetup(ctx context.Context, t *flows.Turn) error {
	d := t.Session.Data
	w, err := e.workshopOf(ctx, t)
	if err != nil {
		return err
	}
	if !t.CanManage(w) {
		t.Say(flows.T("errors.not_allowed"))
		return nil
	}
	old, err := e.store.MeetingSetup(ctx, w.Code)
	if err != nil && !errors.Is(err, flows.ErrNotFound) {
		return flows.InternalError("meeting setup", err)
	}
	s := setupFromData(d, old)
	if err := flows.CheckMeetingSetup(s, w); err != nil {
		t.Say(flows.T("mt.window_outside", "Start", clock(w, w.Start), "End", clock(w, w.End)))
		return nil
	}
	cancelled, err := e.store.SaveMeetingSetup(ctx, s, d["confirm"] == "force", t.In.Now)
	var conflict *flows.MeetConflictError
	if errors.As(err, &conflict) {
		// Booked meanwhile: nothing saved; the team sets up again.
		t.Say(flows.T("mt.setup_conflict_late", "Count", conflict.Count))
		return nil
	}
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
	t.Say(flows.T("mt.setup_saved", "Title", w.Title, "Count", len(cancelled)),
		[]flows.Button{{Label: flows.T("mt.btn_team_card"), Data: flows.MustData(routeTeam, w.Code)}})
	return nil
}

// reportSection is what came of a workshop's partner meetings, for its
// progress report: the counts and the partnerships planned.
func (e *module) reportSection(ctx context.Context, w *flows.Workshop) ([]flows.Text, error) {
	if _, err := e.store.MeetingSetup(ctx, w.Code); errors.Is(err, flows.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, flows.InternalError("meeting setup", err)
	}
	ms, err := e.store.WorkshopMeetings(ctx, w.Code)
	if err != nil {
		return nil, flows.InternalError("workshop meetings", err)
	}
	if len(ms) == 0 {
		return nil, nil
	}
	c := countMeetings(ms)
	var lines []flows.Text
	exploring, nofit := 0, 0
	for _, m := range ms {
		if m.Status != flows.MeetAccepted {
			continue
		}
		switch {
		case m.OutcomeFrom == flows.OutcomePartnership || m.OutcomeTo == flows.OutcomePartnership:
			lines = append(lines, flows.T("mt.report_line", "A", m.FromOrg, "B", m.ToOrg))
		case m.OutcomeFrom == flows.OutcomeExploring || m.OutcomeTo == flows.OutcomeExploring:
			exploring++
		case m.OutcomeFrom == flows.OutcomeNoFit || m.OutcomeTo == flows.OutcomeNoFit:
			nofit++
		}
	}
	return []flows.Text{flows.T("mt.report", "Title", w.Title, "Requested", c.requested, "Accepted", c.accepted, "Held", c.held,
		"Partnerships", c.partnerships, "Exploring", exploring, "NoFit", nofit, "Lines", lines)}, nil
}
