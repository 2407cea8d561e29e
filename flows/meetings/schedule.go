package meetings

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"sinergi/flows"
)

// The team's grid and scheduler.

// Pair is two organisations the scheduler may place, with their score.
type Pair struct {
	A, B   int64
	Score  int
	Mutual bool // each is among the other's best-ranked here
}

// Placement is a pair placed in a slot at a table (0: online).
type Placement struct {
	Pair  Pair
	Slot  time.Time
	Table int
}

// Schedule places pairs greedily, mutual pairs first, then by score: each
// into the first slot after now where neither side is booked, both are
// under the cap and a table is free, skipping pairs that have an open
// meeting or declined one. It never produces a conflict with ms or with itself.
func Schedule(s *flows.MeetingSetup, ms []*flows.Meeting, pairs []Pair, now time.Time) []Placement {
	busy := map[int64]map[int64]bool{} // slot -> uid
	table := map[int64]map[int]bool{}  // slot -> table
	count := map[int64]int{}
	open := map[[2]int64]bool{}
	key := func(a, b int64) [2]int64 { return [2]int64{min(a, b), max(a, b)} }
	hold := func(at int64, a, b int64, tb int) {
		if busy[at] == nil {
			busy[at], table[at] = map[int64]bool{}, map[int]bool{}
		}
		busy[at][a], busy[at][b] = true, true
		if tb != 0 {
			table[at][tb] = true
		}
		count[a]++
		count[b]++
		open[key(a, b)] = true
	}
	for _, m := range ms {
		if m.Booked() {
			hold(m.Slot.Unix(), m.From, m.To, m.Table)
		} else if m.Status.Open() || m.Status == flows.MeetDeclined {
			open[key(m.From, m.To)] = true // asked already, or said no
		}
	}
	order := slices.Clone(pairs)
	slices.SortStableFunc(order, func(x, y Pair) int {
		if x.Mutual != y.Mutual {
			if x.Mutual {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(y.Score, x.Score), cmp.Compare(key(x.A, x.B)[0], key(y.A, y.B)[0]), cmp.Compare(key(x.A, x.B)[1], key(y.A, y.B)[1]))
	})
	var out []Placement
	for _, p := range order {
		if p.A == p.B || open[key(p.A, p.B)] || count[p.A] >= s.MaxPerOrg || count[p.B] >= s.MaxPerOrg {
			continue
		}
		for _, at := range s.Slots() {
			k := at.Unix()
			if !at.After(now) || busy[k][p.A] || busy[k][p.B] {
				continue
			}
			tb := 0
			if len(s.Tables) > 0 {
				tb = -1
				for _, t := range s.Tables {
					if !table[k][t.ID] {
						tb = t.ID
						break
					}
				}
				if tb < 0 {
					continue
				}
			}
			hold(k, p.A, p.B, tb)
			out = append(out, Placement{Pair: p, Slot: at, Table: tb})
			break
		}
	}
	return out
}

// mutualTop is how many best-ranked organisations make a pair mutual.
const mutualTop = 3

// pairs are the registered organisations' candidate pairs, scored as
// /matches scores them, mutual when each is among the other's best.
func (e *module) pairs(ctx context.Context, code string) ([]Pair, map[int64]*flows.PartnerProfile, error) {
	all, err := e.candidates(ctx, code, 0)
	if err != nil {
		return nil, nil, err
	}
	byID := map[int64]*flows.PartnerProfile{}
	top := map[int64][]int64{}
	for _, p := range all {
		byID[p.UserID] = p
		for i, m := range flows.Rank(p, all, flows.MatchFilter{}) {
			if i == mutualTop {
				break
			}
			top[p.UserID] = append(top[p.UserID], m.Profile.UserID)
		}
	}
	var out []Pair
	for i, a := range all {
		for _, b := range all[i+1:] {
			o := flows.Compare(a, b)
			if !o.Candidate() {
				continue
			}
			out = append(out, Pair{A: a.UserID, B: b.UserID, Score: o.Score(),
				Mutual: slices.Contains(top[a.UserID], b.UserID) && slices.Contains(top[b.UserID], a.UserID)})
		}
	}
	return out, byID, nil
}

// autoSchedule places pairs into free slots, books each as proposed (held
// until both confirm or one declines), asks both sides, and tells the team
// what it placed.
func (e *module) autoSchedule(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	if w.Cancelled {
		t.Answer(flows.T("mt.ws_cancelled", "Title", w.Title), true)
		return nil
	}
	s, err := e.store.MeetingSetup(ctx, w.Code)
	if errors.Is(err, flows.ErrNotFound) {
		t.Answer(flows.T("mt.off"), true)
		return nil
	}
	if err != nil {
		return flows.InternalError("meeting setup", err)
	}
	ms, err := e.store.WorkshopMeetings(ctx, w.Code)
	if err != nil {
		return flows.InternalError("workshop meetings", err)
	}
	pairs, byID, err := e.pairs(ctx, w.Code)
	if err != nil {
		return err
	}
	var lines []flows.Text
	for _, pl := range Schedule(s, ms, pairs, t.In.Now) {
		a, b := byID[pl.Pair.A], byID[pl.Pair.B]
		m := &flows.Meeting{ID: newMeetingID(), Workshop: w.Code, From: a.UserID, To: b.UserID, FromOrg: a.Org, ToOrg: b.Org,
			Status: flows.MeetProposed, Slot: pl.Slot, Table: pl.Table, ByTeam: true, Created: t.In.Now, Slots: []time.Time{pl.Slot}}
		got, err := e.store.PlaceMeeting(ctx, m)
		if errors.Is(err, flows.ErrMeetOpen) || errors.Is(err, flows.ErrMeetSlotTaken) || errors.Is(err, flows.ErrMeetTablesFull) || errors.Is(err, flows.ErrMeetCap) {
			continue // taken meanwhile: left out
		}
		if errors.Is(err, flows.ErrWorkshopCancelled) {
			refuse(t, "mt.ws_cancelled", "Title", w.Title)
			return nil // cancelled meanwhile: its cancellation closes what was placed before
		}
		if err != nil {
			return flows.InternalError("place meeting", err)
		}
		why := flows.T("mt.why_ranked", "Score", pl.Pair.Score)
		if pl.Pair.Mutual {
			why = flows.T("mt.why_mutual", "Score", pl.Pair.Score)
		}
		lines = append(lines, flows.T("mt.placed_line", "At", clock(w, got.Slot), "A", a.Org, "B", b.Org, "Place", place(s, got), "Why", why))
		for _, u := range []int64{got.From, got.To} {
			_, org := got.Other(u)
			e.tell(ctx, t, u, flows.T("mt.placed_you", "Org", org, "Title", w.Title, "At", clock(w, got.Slot), "Place", place(s, got)),
				[]flows.Button{{Label: flows.T("mt.btn_confirm"), Data: flows.MustData(routeConfirm, w.Code, got.ID)},
					{Label: flows.T("mt.btn_decline"), Data: flows.MustData(routeDecline, w.Code, got.ID)}})
		}
	}
	if len(lines) == 0 {
		t.Say(flows.T("mt.placed_none"))
		return nil
	}
	t.Say(flows.T("mt.placed", "Count", len(lines), "Lines", lines))
	return nil
}

// grid sends the meeting grid, slots × tables, as a table (Excel and CSV).
func (e *module) grid(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	s, err := e.store.MeetingSetup(ctx, w.Code)
	if errors.Is(err, flows.ErrNotFound) {
		t.Answer(flows.T("mt.off"), true)
		return nil
	}
	if err != nil {
		return flows.InternalError("meeting setup", err)
	}
	ms, err := e.store.WorkshopMeetings(ctx, w.Code)
	if err != nil {
		return flows.InternalError("workshop meetings", err)
	}
	tab := GridTable(s, ms, flows.LoadZone(w.Zone), t.NameLabel("mt.grid_slot"), t.NameLabel("mt.grid_online"))
	tab.Name, tab.Sheet = "meetings-"+w.Code, t.NameLabel("mt.grid_sheet")
	c := countMeetings(ms)
	g := GridImage(s, ms, func(at time.Time) string { return flows.FormatClock(t.Lang, at, w.Zone) },
		t.NameLabel("mt.grid_slot"), t.NameLabel("mt.grid_online"))
	g.Name, g.Title = "meetings-"+w.Code, w.Title+" · "+t.NameLabel("mt.grid_sheet")
	caption := flows.T("mt.grid_caption", "Title", w.Title, "Requested", c.requested, "Accepted", c.accepted, "Held", c.held)
	t.Send(flows.Reply{Text: caption, Grid: g})
	t.Send(flows.Reply{Text: caption, Table: tab})
	return nil
}

// GridImage is the grid of GridTable as a picture's description: the same
// rows and columns, a slot's label its time (clock), a cell awaiting the
// sides' confirmation marked.
func GridImage(s *flows.MeetingSetup, ms []*flows.Meeting, clock func(time.Time) string, slotHeader, online string) *flows.Grid {
	tab := GridTable(s, ms, time.UTC, slotHeader, online)
	g := &flows.Grid{Corner: slotHeader}
	for _, c := range tab.Columns[1:] {
		g.Columns = append(g.Columns, c.Header)
	}
	for _, row := range tab.Rows {
		gr := flows.GridRow{Label: clock(row[0].(time.Time))}
		for _, v := range row[1:] {
			cell, _ := v.(string)
			gr.Cells = append(gr.Cells, cell)
			gr.Pending = append(gr.Pending, strings.HasSuffix(cell, " (?)"))
		}
		g.Rows = append(g.Rows, gr)
	}
	return g
}

// GridTable is the grid of a workshop's booked meetings: a row per slot, a
// column per table (one "online" column without tables), each cell the two
// organisations ("A ↔ B", "(?)" while the team's proposal awaits).
func GridTable(s *flows.MeetingSetup, ms []*flows.Meeting, zone *time.Location, slotHeader, online string) *flows.Table {
	tab := &flows.Table{Zone: zone, Columns: []flows.Column{{Header: slotHeader}}}
	col := map[int]int{}
	if len(s.Tables) == 0 {
		tab.Columns = append(tab.Columns, flows.Column{Header: online})
		col[0] = 1
	}
	for i, tb := range s.Tables {
		tab.Columns = append(tab.Columns, flows.Column{Header: tb.Name})
		col[tb.ID] = i + 1
	}
	for _, at := range s.Slots() {
		row := make([]any, len(tab.Columns))
		row[0] = at
		for _, m := range ms {
			if !m.Booked() || !m.Slot.Equal(at) {
				continue
			}
			cell := m.FromOrg + " ↔ " + m.ToOrg
			if m.Status == flows.MeetProposed {
				cell += " (?)"
			}
			if i, ok := col[m.Table]; ok {
				if row[i] != nil {
					cell = row[i].(string) + "; " + cell // online: several at once
				}
				row[i] = cell
			}
		}
		tab.Rows = append(tab.Rows, row)
	}
	return tab
}
