// Package meetings is the capability of partner meetings at a workshop:
// the team opens slots and tables, registered organisations see whom to
// meet there, ask for a meeting in a slot, and the other side accepts a
// slot, proposes another or declines; an accepted meeting holds the slot
// for both and a table (booked atomically by the store), is reminded ten
// minutes before, and each side is asked afterwards what came of it.
package meetings

import (
	"context"
	"crypto/rand"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"sinergi/flows"
)

// Limits of meetings.
const (
	maxNote      = 300              // characters of a request's note
	remindBefore = 10 * time.Minute // the reminder before a meeting
	slotButtons  = 8                // free slots offered at once
	matchLimit   = 50               // suggestions browsed
)

// Store is what partner meetings read and write: the meetings, the
// workshops and who is registered, the organisation profiles suggestions
// rank, the names and languages of people, and the jobs of reminders.
type Store interface {
	flows.Meetings
	flows.Names
	flows.Jobs
	flows.Facilitations
	GetWorkshop(ctx context.Context, code string) (*flows.Workshop, error)
	GetPartner(ctx context.Context, uid int64) (*flows.PartnerProfile, error)
	Registrations(ctx context.Context, code string) ([]*flows.Registration, error)
	GetRegistration(ctx context.Context, code string, uid int64) (*flows.Registration, error)
	UserRegistrations(ctx context.Context, uid int64) ([]*flows.Registration, error)
}

// Module is the capability of partner meetings.
func Module(st Store) flows.Module {
	return flows.ModuleFunc(func(r *flows.Registry) {
		e := &module{store: st, cfg: r.Config()}
		e.register(r)
	})
}

type module struct {
	store Store
	cfg   flows.Config
}

// Job kinds: the reminder before a meeting and the question after it, one
// per side: "<kind>|<code>.<meeting id>|<uid>".
const (
	JobRemind  = "mtr"
	JobOutcome = "mto"
)

// Routes, "<name>:<payload>"; <code> is the workshop, <id> a meeting, <slot>
// a slot's start in Unix seconds, <filter> a|c|s.<sector>|p.<province>.
const (
	routeTeam     = "meetings.team"    // <code>: the team's card of the workshop's meetings
	routeSetup    = "meetings.setup"   // <code>: set up (or change) the meetings
	routeGrid     = "meetings.grid"    // <code>: the grid, a table of slots × tables
	routeAuto     = "meetings.auto"    // <code>: the scheduler places pairs
	routeSuggest  = "meetings.suggest" // <code>:<filter>:<pos>: whom to meet here
	routeFilter   = "meetings.filter"  // <code>: the choice of filters
	routeRequest  = "meetings.request" // <code>:<uid>: ask them for a meeting
	routeAccept   = "meetings.accept"  // <code>:<id>:<slot>: accept a slot offered
	routePropose  = "meetings.propose" // <code>:<id>[:<slot>]: propose another slot
	routeDecline  = "meetings.decline" // <code>:<id>: decline a request or a proposal
	routeCancel   = "meetings.cancel"  // <code>:<id>: withdraw a request, cancel a meeting
	routeMove     = "meetings.move"    // <code>:<id>[:<slot>]: move a booked meeting
	routeConfirm  = "meetings.confirm" // <code>:<id>: confirm a meeting the team placed
	routeCalendar = "meetings.ics"     // <code>: the calendar file of my meetings
	routeOutcome  = "meetings.outcome" // <code>:<id>:<outcome>: what came of it
	routeList     = "meetings.list"    // <code>: my meetings at a workshop
)

func (e *module) register(r *flows.Registry) {
	r.Namespace("meetings")
	r.Command(&flows.Command{Name: "meetings", Describe: "cmd.meetings", Run: e.myMeetings})
	r.Command(&flows.Command{Name: "meetsetup", Describe: "cmd.meetsetup", Role: flows.RoleFacilitator, Scoped: true, Run: e.teamList})
	r.Menu(flows.MenuItem{Command: "meetings", Label: "menu.meetings", Order: 22})

	managed := func(f func(context.Context, *flows.Turn, *flows.Workshop, string) error) func(context.Context, *flows.Turn, string) error {
		return flows.Managed(e.store, f)
	}
	r.Route(&flows.Route{Name: routeTeam, Role: flows.RoleFacilitator, Scoped: true, Run: managed(e.teamCard)})
	r.Route(&flows.Route{Name: routeSetup, Role: flows.RoleFacilitator, Scoped: true, Run: managed(e.startSetup)})
	r.Route(&flows.Route{Name: routeGrid, Role: flows.RoleFacilitator, Scoped: true, Run: managed(e.grid)})
	r.Route(&flows.Route{Name: routeAuto, Role: flows.RoleFacilitator, Scoped: true, Run: managed(e.autoSchedule)})
	r.Route(&flows.Route{Name: routeSuggest, Run: e.suggestPress})
	r.Route(&flows.Route{Name: routeFilter, Run: e.filterMenu})
	r.Route(&flows.Route{Name: routeRequest, Run: e.request})
	r.Route(&flows.Route{Name: routeAccept, Run: e.accept})
	r.Route(&flows.Route{Name: routePropose, Run: e.propose})
	r.Route(&flows.Route{Name: routeDecline, Run: e.decline})
	r.Route(&flows.Route{Name: routeCancel, Run: e.cancel})
	r.Route(&flows.Route{Name: routeMove, Run: e.move})
	r.Route(&flows.Route{Name: routeConfirm, Run: e.confirm})
	r.Route(&flows.Route{Name: routeCalendar, Run: e.calendar})
	r.Route(&flows.Route{Name: routeOutcome, Run: e.outcome})
	r.Route(&flows.Route{Name: routeList, Run: e.listPress})

	r.Flow(e.setupFlow())
	r.Flow(&flows.Flow{Name: "mtreq", Done: e.sendRequest, Steps: []*flows.Step{
		{Name: "slots", Parse: e.slotsAnswer, Prompt: e.slotsPrompt},
		{Name: "note", Parse: flows.OptionalText(maxNote), Prompt: func(_ context.Context, t *flows.Turn) (flows.Reply, error) {
			return flows.Reply{Text: flows.T("mt.ask_note", "Org", t.Session.Data["org"], "Max", maxNote),
				Buttons: [][]flows.Button{{t.Choice(flows.T("mt.skip_note"), flows.SkipValue)}}}, nil
		}},
	}})
	r.Job(JobRemind, e.remindJob)
	r.Job(JobOutcome, e.outcomeJob)
	r.OnRegistrationEnded(e.registrationEnded)
	r.OnWorkshopCancelled(e.workshopCancelled)
	r.OnWorkshopMoved(e.workshopMoved)
	r.OnForgetting(e.forgetting)
	r.OnReport(e.reportSection)
}

// ---- shared pieces ----

var meetingID = regexp.MustCompile(`^[a-z0-9]{10}$`)

func newMeetingID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = flows.CodeAlphabet[int(b[i])%len(flows.CodeAlphabet)]
	}
	return string(b[:])
}

// refuse answers a press with an alert, or says it for typed input.
func refuse(t *flows.Turn, id string, kv ...any) {
	if t.In.Kind == flows.KindCallback {
		t.Answer(flows.T(id, kv...), true)
		return
	}
	t.Say(flows.T(id, kv...))
}

func badButton(t *flows.Turn) error {
	t.Answer(flows.T("errors.bad_button"), true)
	return nil
}

// edit makes r replace the pressed message.
func edit(t *flows.Turn, r flows.Reply) flows.Reply {
	if t.In.Kind == flows.KindCallback && t.In.MessageID != 0 {
		r.EditMessageID = t.In.MessageID
	}
	return r
}

func parseSlot(s string) (time.Time, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	return time.Unix(n, 0).UTC(), true
}

func slotArg(at time.Time) string { return strconv.FormatInt(at.Unix(), 10) }

// clock is a slot as shown: "Tuesday, 25 November 2026 09.20 WIB".
func clock(w *flows.Workshop, at time.Time) flows.When { return flows.When{At: at, Zone: w.Zone} }

// short is a slot on a button: "09.20 WIB".
func short(w *flows.Workshop, at time.Time) flows.When {
	return flows.When{At: at, Zone: w.Zone, ClockOnly: true}
}

// place says where a booked meeting is: its table, or the online link.
func place(s *flows.MeetingSetup, m *flows.Meeting) flows.Text {
	if m.Table == 0 {
		if s != nil && s.OnlineURL != "" {
			return flows.T("mt.place_online", "Link", s.OnlineURL)
		}
		return flows.T("mt.place_online_nolink")
	}
	if s != nil {
		if tb := s.Table(m.Table); tb != nil {
			return flows.T("mt.place_table", "Table", tb.Name)
		}
	}
	return flows.T("mt.place_table", "Table", strconv.Itoa(m.Table))
}

// loaded is a meeting and what it needs around it, from a button's
// "<code>:<id>..." payload.
type loaded struct {
	w     *flows.Workshop
	setup *flows.MeetingSetup
	m     *flows.Meeting
	rest  []string
}

// load reads a meeting named by a button; only its sides may press
// (answered otherwise, and nil returned).
func (e *module) load(ctx context.Context, t *flows.Turn, payload string, minParts int) (*loaded, error) {
	parts := strings.Split(payload, ":")
	if len(parts) < minParts || !meetingID.MatchString(parts[1]) {
		return nil, badButton(t)
	}
	w, err := e.store.GetWorkshop(ctx, parts[0])
	if errors.Is(err, flows.ErrNotFound) {
		return nil, badButton(t)
	}
	if err != nil {
		return nil, flows.InternalError("get workshop", err)
	}
	m, err := e.store.GetMeeting(ctx, w.Code, parts[1])
	if errors.Is(err, flows.ErrNotFound) {
		return nil, badButton(t)
	}
	if err != nil {
		return nil, flows.InternalError("get meeting", err)
	}
	if !m.Party(t.User.ID) {
		t.Answer(flows.T("errors.not_allowed"), true)
		return nil, nil
	}
	if w.Cancelled {
		t.Answer(flows.T("mt.ws_cancelled", "Title", w.Title), true)
		return nil, nil
	}
	s, err := e.store.MeetingSetup(ctx, w.Code)
	if errors.Is(err, flows.ErrNotFound) {
		t.Answer(flows.T("mt.off"), true)
		return nil, nil
	}
	if err != nil {
		return nil, flows.InternalError("meeting setup", err)
	}
	return &loaded{w: w, setup: s, m: m, rest: parts[2:]}, nil
}

// langOf is uid's language ("" when unknown: the default).
func (e *module) langOf(ctx context.Context, uid int64) string {
	if u, err := e.store.GetUser(ctx, uid); err == nil {
		return u.Lang
	}
	return ""
}

// tell sends uid a notice about a meeting (a notification, bulk).
func (e *module) tell(ctx context.Context, t *flows.Turn, uid int64, text flows.Text, rows ...[]flows.Button) {
	t.Send(flows.Reply{ChatID: uid, Lang: e.langOf(ctx, uid), Bulk: true, Text: text, Buttons: rows})
}

// freeSlots are the slots of s after now where neither a nor b is booked
// and a table is free (or the meetings are online), in time order; skip is
// a meeting whose own booking does not count (a move).
func freeSlots(s *flows.MeetingSetup, ms []*flows.Meeting, a, b int64, skip string, now time.Time) []time.Time {
	busy := map[int64]map[int64]bool{}
	tables := map[int64]int{}
	for _, m := range ms {
		if !m.Booked() || m.ID == skip {
			continue
		}
		k := m.Slot.Unix()
		if busy[k] == nil {
			busy[k] = map[int64]bool{}
		}
		busy[k][m.From], busy[k][m.To] = true, true
		if m.Table != 0 {
			tables[k]++
		}
	}
	var out []time.Time
	for _, at := range s.Slots() {
		k := at.Unix()
		if !at.After(now) || busy[k][a] || busy[k][b] || (len(s.Tables) > 0 && tables[k] >= len(s.Tables)) {
			continue
		}
		out = append(out, at)
	}
	return out
}

// bookedCount is how many meetings uid holds among ms.
func bookedCount(ms []*flows.Meeting, uid int64) int {
	n := 0
	for _, m := range ms {
		if m.Booked() && m.Party(uid) {
			n++
		}
	}
	return n
}

// jobIDs are a meeting's reminder and outcome jobs of each side.
func jobIDs(m *flows.Meeting) []string {
	var ids []string
	for _, u := range []int64{m.From, m.To} {
		tail := m.Workshop + "." + m.ID + "|" + strconv.FormatInt(u, 10)
		ids = append(ids, JobRemind+"|"+tail, JobOutcome+"|"+tail)
	}
	return ids
}

// Jobs are a booked meeting's reminders (ten minutes before) and
// questions (at its end), for both sides.
func Jobs(s *flows.MeetingSetup, m *flows.Meeting) []flows.Job {
	ids := jobIDs(m)
	end := m.Slot.Add(time.Duration(s.SlotMinutes) * time.Minute)
	return []flows.Job{{ID: ids[0], Due: m.Slot.Add(-remindBefore)}, {ID: ids[1], Due: end},
		{ID: ids[2], Due: m.Slot.Add(-remindBefore)}, {ID: ids[3], Due: end}}
}

// planJobs schedules a booked meeting's reminders (ten minutes before)
// and questions (at its end) for both sides; scheduling again moves them.
func (e *module) planJobs(ctx context.Context, s *flows.MeetingSetup, m *flows.Meeting) error {
	if err := e.store.Schedule(ctx, Jobs(s, m)...); err != nil {
		return flows.InternalError("schedule meeting jobs", err)
	}
	return nil
}

func (e *module) dropJobs(ctx context.Context, ms ...*flows.Meeting) error {
	var ids []string
	for _, m := range ms {
		ids = append(ids, jobIDs(m)...)
	}
	if err := e.store.Unschedule(ctx, ids...); err != nil {
		return flows.InternalError("unschedule meeting jobs", err)
	}
	return nil
}
