package flowstest

import (
	"context"
	"slices"
	"time"

	"sinergi/flows"
)

// memMeetings is the in-memory flows.Meetings: the rules of mt_*.lua under
// the fake's one lock.
type memMeetings struct {
	setups   map[string]flows.MeetingSetup
	meetings map[string]map[string]*flows.Meeting // code -> id -> meeting
	of       map[int64]map[string]bool            // uid -> workshops with meetings
}

func (m *Store) meetInit() {
	if m.meet.setups == nil {
		m.meet = memMeetings{setups: map[string]flows.MeetingSetup{}, meetings: map[string]map[string]*flows.Meeting{},
			of: map[int64]map[string]bool{}}
	}
}

func cloneMeeting(x *flows.Meeting) *flows.Meeting {
	c := *x
	c.Slots = slices.Clone(x.Slots)
	return &c
}

func cloneSetup(s flows.MeetingSetup) *flows.MeetingSetup {
	s.Windows, s.Tables = slices.Clone(s.Windows), slices.Clone(s.Tables)
	return &s
}

// MeetingSetup implements flows.Meetings.
func (m *Store) MeetingSetup(_ context.Context, code string) (*flows.MeetingSetup, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.meetInit()
	s, ok := m.meet.setups[code]
	if !ok {
		return nil, flows.ErrNotFound
	}
	return cloneSetup(s), nil
}

// SaveMeetingSetup implements flows.Meetings.
func (m *Store) SaveMeetingSetup(_ context.Context, s *flows.MeetingSetup, force bool, now time.Time) ([]*flows.Meeting, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.meetInit()
	var hit []*flows.Meeting
	for _, x := range m.meet.meetings[s.Workshop] {
		if x.Booked() && (!s.HasSlot(x.Slot) || (x.Table != 0 && s.Table(x.Table) == nil)) {
			hit = append(hit, x)
		}
	}
	if len(hit) > 0 && !force {
		return nil, &flows.MeetConflictError{Count: len(hit)}
	}
	flows.SortMeetings(hit)
	var out []*flows.Meeting
	for _, x := range hit {
		x.Status, x.Decided, x.Awaiting = flows.MeetCancelled, now.Truncate(time.Millisecond), 0
		out = append(out, cloneMeeting(x))
	}
	m.meet.setups[s.Workshop] = *cloneSetup(*s)
	return out, nil
}

func (m *Store) pairOpen(code string, a, b int64) bool {
	for _, x := range m.meet.meetings[code] {
		if x.Status.Open() && PairOf(x.From, x.To) == PairOf(a, b) {
			return true
		}
	}
	return false
}

// RequestMeeting implements flows.Meetings.
func (m *Store) RequestMeeting(_ context.Context, x *flows.Meeting) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.meetInit()
	if _, ok := m.meet.setups[x.Workshop]; !ok {
		return flows.ErrMeetingsOff
	}
	if m.wsCancelled(x.Workshop) {
		return flows.ErrWorkshopCancelled
	}
	if _, ok := m.meet.meetings[x.Workshop][x.ID]; ok || m.pairOpen(x.Workshop, x.From, x.To) {
		return flows.ErrMeetOpen
	}
	m.store(x)
	return nil
}

func (m *Store) store(x *flows.Meeting) {
	c := cloneMeeting(x)
	c.Created = c.Created.Truncate(time.Millisecond)
	c.Decided = time.Time{}
	for i := range c.Slots {
		c.Slots[i] = c.Slots[i].Truncate(time.Second).UTC()
	}
	if m.meet.meetings[x.Workshop] == nil {
		m.meet.meetings[x.Workshop] = map[string]*flows.Meeting{}
	}
	m.meet.meetings[x.Workshop][x.ID] = c
	for _, u := range []int64{x.From, x.To} {
		if m.meet.of[u] == nil {
			m.meet.of[u] = map[string]bool{}
		}
		m.meet.of[u][x.Workshop] = true
	}
}

// GetMeeting implements flows.Meetings.
func (m *Store) GetMeeting(_ context.Context, code, id string) (*flows.Meeting, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.meetInit()
	x, ok := m.meet.meetings[code][id]
	if !ok {
		return nil, flows.ErrNotFound
	}
	return cloneMeeting(x), nil
}

// book is mt_book.lua: x is booked at slot (x itself aside as holder).
func (m *Store) book(x *flows.Meeting, mode string, slot time.Time) error {
	s, ok := m.meet.setups[x.Workshop]
	if !ok {
		return flows.ErrMeetingsOff
	}
	if !s.HasSlot(slot) {
		return flows.ErrMeetBadSlot
	}
	count := map[int64]int{}
	usedTable := map[int]bool{}
	for _, y := range m.meet.meetings[x.Workshop] {
		if !y.Booked() {
			continue
		}
		count[y.From]++
		count[y.To]++
		if y.ID == x.ID || !y.Slot.Equal(slot) {
			continue
		}
		if y.Party(x.From) || y.Party(x.To) {
			return flows.ErrMeetSlotTaken
		}
		usedTable[y.Table] = true
	}
	if mode != "move" {
		for _, u := range []int64{x.From, x.To} {
			if count[u] >= s.MaxPerOrg {
				return &flows.MeetCapError{UserID: u}
			}
		}
	}
	table := 0
	if len(s.Tables) > 0 {
		table = -1
		for _, t := range s.Tables {
			if !usedTable[t.ID] {
				table = t.ID
				break
			}
		}
		if table < 0 {
			return flows.ErrMeetTablesFull
		}
	}
	x.Slot, x.Table = slot.Truncate(time.Second).UTC(), table
	return nil
}

func (m *Store) meeting(code, id string) (*flows.Meeting, error) {
	if _, ok := m.meet.setups[code]; !ok {
		return nil, flows.ErrMeetingsOff
	}
	if m.wsCancelled(code) {
		return nil, flows.ErrWorkshopCancelled
	}
	x, ok := m.meet.meetings[code][id]
	if !ok {
		return nil, flows.ErrNotFound
	}
	return x, nil
}

// wsCancelled is the meta's cancelled flag the meeting scripts check: a
// cancelled workshop takes no request, answer or booking.
func (m *Store) wsCancelled(code string) bool {
	return m.ws.ws[code].Cancelled
}

// AcceptMeeting implements flows.Meetings.
func (m *Store) AcceptMeeting(_ context.Context, code, id string, actor int64, slot, now time.Time) (*flows.Meeting, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.meetInit()
	x, err := m.meeting(code, id)
	if err != nil {
		return nil, err
	}
	if s := m.meet.setups[code]; !s.HasSlot(slot) {
		return nil, flows.ErrMeetBadSlot
	}
	switch {
	case x.Status != flows.MeetPending:
		return nil, flows.ErrMeetDecided
	case x.Awaiting != actor:
		return nil, flows.ErrMeetForbidden
	case !slices.ContainsFunc(x.Slots, slot.Equal):
		return nil, flows.ErrMeetBadSlot
	}
	y := cloneMeeting(x)
	if err := m.book(y, "accept", slot); err != nil {
		return nil, err
	}
	y.Status, y.Decided, y.Awaiting = flows.MeetAccepted, now.Truncate(time.Millisecond), 0
	*x = *y
	return cloneMeeting(x), nil
}

// MoveMeeting implements flows.Meetings.
func (m *Store) MoveMeeting(_ context.Context, code, id string, actor int64, slot, _ time.Time) (*flows.Meeting, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.meetInit()
	x, err := m.meeting(code, id)
	if err != nil {
		return nil, err
	}
	if s := m.meet.setups[code]; !s.HasSlot(slot) {
		return nil, flows.ErrMeetBadSlot
	}
	switch {
	case x.Status != flows.MeetAccepted:
		return nil, flows.ErrMeetDecided
	case !x.Party(actor):
		return nil, flows.ErrMeetForbidden
	}
	y := cloneMeeting(x)
	if err := m.book(y, "move", slot); err != nil {
		return nil, err
	}
	*x = *y
	return cloneMeeting(x), nil
}

// PlaceMeeting implements flows.Meetings.
func (m *Store) PlaceMeeting(_ context.Context, x *flows.Meeting) (*flows.Meeting, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.meetInit()
	if _, ok := m.meet.setups[x.Workshop]; !ok {
		return nil, flows.ErrMeetingsOff
	}
	if m.wsCancelled(x.Workshop) {
		return nil, flows.ErrWorkshopCancelled
	}
	if s := m.meet.setups[x.Workshop]; !s.HasSlot(x.Slot) {
		return nil, flows.ErrMeetBadSlot
	}
	if _, ok := m.meet.meetings[x.Workshop][x.ID]; ok || m.pairOpen(x.Workshop, x.From, x.To) {
		return nil, flows.ErrMeetOpen
	}
	y := cloneMeeting(x)
	if err := m.book(y, "place", x.Slot); err != nil {
		return nil, err
	}
	y.Status = flows.MeetProposed
	m.store(y)
	return cloneMeeting(m.meet.meetings[x.Workshop][x.ID]), nil
}

// ProposeMeeting implements flows.Meetings.
func (m *Store) ProposeMeeting(_ context.Context, code, id string, actor int64, slot, _ time.Time) (*flows.Meeting, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.meetInit()
	x, err := m.meeting(code, id)
	if err != nil {
		return nil, err
	}
	switch s := m.meet.setups[code]; {
	case !x.Party(actor):
		return nil, flows.ErrMeetForbidden
	case x.Status != flows.MeetPending:
		return nil, flows.ErrMeetDecided
	case x.Awaiting != actor:
		return nil, flows.ErrMeetForbidden
	case !s.HasSlot(slot):
		return nil, flows.ErrMeetBadSlot
	}
	x.Slots = []time.Time{slot.Truncate(time.Second).UTC()}
	x.Awaiting, _ = x.Other(actor)
	return cloneMeeting(x), nil
}

// ConfirmMeeting implements flows.Meetings.
func (m *Store) ConfirmMeeting(_ context.Context, code, id string, actor int64, now time.Time) (*flows.Meeting, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.meetInit()
	x, err := m.meeting(code, id)
	if err != nil {
		return nil, err
	}
	switch {
	case !x.Party(actor):
		return nil, flows.ErrMeetForbidden
	case x.Status != flows.MeetProposed:
		return nil, flows.ErrMeetDecided
	}
	if actor == x.From {
		x.OkFrom = true
	} else {
		x.OkTo = true
	}
	if x.OkFrom && x.OkTo {
		x.Status, x.Decided = flows.MeetAccepted, now.Truncate(time.Millisecond)
	}
	return cloneMeeting(x), nil
}

// closeOne is mt_close.lua for one meeting.
func closeOne(x *flows.Meeting, actor int64, status flows.MeetStatus, now time.Time) error {
	st := x.Status
	switch {
	case !st.Open():
		return flows.ErrMeetDecided
	case actor != 0 && !x.Party(actor):
		return flows.ErrMeetForbidden
	case status == flows.MeetDeclined && !((st == flows.MeetPending && x.Awaiting == actor) || st == flows.MeetProposed):
		if st == flows.MeetPending {
			return flows.ErrMeetForbidden
		}
		return flows.ErrMeetDecided
	case status == flows.MeetWithdrawn && !(st == flows.MeetPending && x.Awaiting != actor):
		if st == flows.MeetPending {
			return flows.ErrMeetForbidden
		}
		return flows.ErrMeetDecided
	}
	x.Status, x.Decided, x.Awaiting = status, now.Truncate(time.Millisecond), 0
	return nil
}

// CloseMeeting implements flows.Meetings.
func (m *Store) CloseMeeting(_ context.Context, code, id string, actor int64, status flows.MeetStatus, now time.Time) (*flows.Meeting, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.meetInit()
	x, ok := m.meet.meetings[code][id]
	if !ok {
		return nil, flows.ErrNotFound
	}
	if err := closeOne(x, actor, status, now); err != nil {
		return nil, err
	}
	return cloneMeeting(x), nil
}

// CancelUserMeetings implements flows.Meetings.
func (m *Store) CancelUserMeetings(_ context.Context, code string, uid int64, now time.Time) ([]*flows.Meeting, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.meetInit()
	return m.cancelUser(code, uid, now), nil
}

func (m *Store) cancelUser(code string, uid int64, now time.Time) []*flows.Meeting {
	var out []*flows.Meeting
	for _, x := range m.meet.meetings[code] {
		if x.Party(uid) && x.Status.Open() {
			x.Status, x.Decided, x.Awaiting = flows.MeetCancelled, now.Truncate(time.Millisecond), 0
			out = append(out, cloneMeeting(x))
		}
	}
	flows.SortMeetings(out)
	return out
}

// SetMeetingOutcome implements flows.Meetings.
func (m *Store) SetMeetingOutcome(_ context.Context, code, id string, actor int64, outcome string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.meetInit()
	x, ok := m.meet.meetings[code][id]
	switch {
	case !ok:
		return flows.ErrNotFound
	case !x.Party(actor):
		return flows.ErrMeetForbidden
	case x.Status != flows.MeetAccepted:
		return flows.ErrMeetDecided
	case actor == x.From:
		x.OutcomeFrom = outcome
	default:
		x.OutcomeTo = outcome
	}
	return nil
}

// WorkshopMeetings implements flows.Meetings.
func (m *Store) WorkshopMeetings(_ context.Context, code string) ([]*flows.Meeting, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.meetInit()
	var out []*flows.Meeting
	for _, x := range m.meet.meetings[code] {
		out = append(out, cloneMeeting(x))
	}
	flows.SortMeetings(out)
	return out, nil
}

// UserMeetings implements flows.Meetings.
func (m *Store) UserMeetings(_ context.Context, code string, uid int64) ([]*flows.Meeting, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.meetInit()
	var out []*flows.Meeting
	for _, x := range m.meet.meetings[code] {
		if x.Party(uid) {
			out = append(out, cloneMeeting(x))
		}
	}
	flows.SortMeetings(out)
	return out, nil
}

// MeetingWorkshops implements flows.Meetings.
func (m *Store) MeetingWorkshops(_ context.Context, uid int64) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.meetInit()
	var out []string
	for c := range m.meet.of[uid] {
		out = append(out, c)
	}
	slices.Sort(out)
	return out, nil
}

// ForgetMeetings implements flows.Meetings.
func (m *Store) ForgetMeetings(_ context.Context, uid int64, now time.Time) ([]*flows.Meeting, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.meetInit()
	return m.forgetMeetings(uid, now), nil
}

func (m *Store) forgetMeetings(uid int64, now time.Time) []*flows.Meeting {
	m.meetInit()
	var told []*flows.Meeting
	codes := make([]string, 0, len(m.meet.of[uid]))
	for c := range m.meet.of[uid] {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, code := range codes {
		told = append(told, m.cancelUser(code, uid, now)...)
		for id, x := range m.meet.meetings[code] {
			if x.Party(uid) {
				delete(m.meet.meetings[code], id)
			}
		}
	}
	delete(m.meet.of, uid)
	return told
}
