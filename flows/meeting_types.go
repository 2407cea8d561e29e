package flows

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"
)

// Partner meetings at a workshop (flows/meetings): the team opens time
// windows cut into slots, with tables (or an online link) and a cap of
// meetings per organisation; registered organisations ask each other for a
// meeting in a slot; an accepted meeting holds the slot for both and a
// table, booked atomically by the store. An organisation is a user's
// partner profile (one per user), so the cap and the bookings are per user.

// Meeting limits.
const (
	MinMeetSlot    = 10 // minutes of a slot, at least
	MaxMeetSlot    = 60 // and at most
	MaxMeetTables  = 40 // tables or rooms of a workshop
	MaxMeetWindows = 6  // windows of a workshop
	MaxMeetCap     = 30 // meetings per organisation, the highest cap
	MaxMeetSlots   = 3  // slots a request offers
	MaxMeetSlotAll = 200
)

// MeetWindow is a span of time for meetings, within the workshop.
type MeetWindow struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// MeetTable is a table or room; its ID stays when others are added or
// removed, so bookings keep their table.
type MeetTable struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// MeetingSetup is a workshop's partner meetings as its team set them up.
type MeetingSetup struct {
	Workshop    string       `json:"ws"`
	Windows     []MeetWindow `json:"windows"` // in time order, not overlapping
	SlotMinutes int          `json:"slot_min"`
	Tables      []MeetTable  `json:"tables,omitempty"` // none: online (OnlineURL)
	OnlineURL   string       `json:"online,omitempty"`
	MaxPerOrg   int          `json:"max"` // accepted meetings an organisation may hold
}

// Slots are the starts of the setup's slots in time order: each window cut
// from its start into SlotMinutes, a last piece shorter than a slot left
// out (at most MaxMeetSlotAll).
func (s *MeetingSetup) Slots() []time.Time {
	var out []time.Time
	if s.SlotMinutes <= 0 {
		return nil
	}
	d := time.Duration(s.SlotMinutes) * time.Minute
	for _, w := range s.Windows {
		for at := w.Start; !at.Add(d).After(w.End) && len(out) < MaxMeetSlotAll; at = at.Add(d) {
			out = append(out, at)
		}
	}
	return out
}

// HasSlot reports whether at is the start of one of the setup's slots.
func (s *MeetingSetup) HasSlot(at time.Time) bool {
	return slices.ContainsFunc(s.Slots(), at.Equal)
}

// Table is the table with id (nil: none, an online meeting or one removed).
func (s *MeetingSetup) Table(id int) *MeetTable {
	for i := range s.Tables {
		if s.Tables[i].ID == id {
			return &s.Tables[i]
		}
	}
	return nil
}

// Errors of a setup (CheckMeetingSetup).
var (
	ErrMeetWindowOutside = errors.New("meeting window outside the workshop")
	ErrMeetWindowOverlap = errors.New("meeting windows overlap")
	ErrMeetWindowShort   = errors.New("meeting window shorter than a slot")
)

// CheckMeetingSetup checks s against workshop w: every window within the
// workshop's start and end, at least one slot long, none overlapping
// another. Windows are sorted in place.
func CheckMeetingSetup(s *MeetingSetup, w *Workshop) error {
	slices.SortFunc(s.Windows, func(a, b MeetWindow) int { return a.Start.Compare(b.Start) })
	d := time.Duration(s.SlotMinutes) * time.Minute
	for i, win := range s.Windows {
		switch {
		case win.Start.Before(w.Start) || win.End.After(w.End):
			return ErrMeetWindowOutside
		case win.End.Sub(win.Start) < d:
			return ErrMeetWindowShort
		case i > 0 && win.Start.Before(s.Windows[i-1].End):
			return ErrMeetWindowOverlap
		}
	}
	return nil
}

// MeetStatus is where a meeting stands.
type MeetStatus string

// Meeting statuses. Pending, proposed and accepted are open: the pair has
// no other open meeting at the workshop.
const (
	MeetPending   MeetStatus = "pending"   // asked; Awaiting answers with a slot, another, or a decline
	MeetProposed  MeetStatus = "proposed"  // placed by the team's scheduler: held, both sides confirm
	MeetAccepted  MeetStatus = "accepted"  // booked: Slot and Table held for both
	MeetDeclined  MeetStatus = "declined"  // by the side asked
	MeetWithdrawn MeetStatus = "withdrawn" // by the side that asked, while pending
	MeetCancelled MeetStatus = "cancelled" // a booked meeting called off, by a side, the team or a registration ended
)

// Open reports whether the meeting still stands (pending, proposed or accepted).
func (s MeetStatus) Open() bool {
	return s == MeetPending || s == MeetProposed || s == MeetAccepted
}

// Outcomes of a meeting, as each side tells it afterwards.
const (
	OutcomePartnership = "partner" // partnership planned
	OutcomeExploring   = "explore" // exploring
	OutcomeNoFit       = "nofit"   // no fit
	OutcomeMissed      = "missed"  // did not meet
)

// MeetOutcomes are the outcomes in display order.
func MeetOutcomes() []string {
	return []string{OutcomePartnership, OutcomeExploring, OutcomeNoFit, OutcomeMissed}
}

// Meeting is a request by From to meet To at a workshop, and the meeting
// it becomes. Contacts are revealed only once it is accepted.
type Meeting struct {
	ID       string
	Workshop string
	From, To int64
	FromOrg  string
	ToOrg    string
	Note     string
	Slots    []time.Time // offered: by From when asked, by the other side when proposed
	Awaiting int64       // who answers a pending request now
	Status   MeetStatus
	Slot     time.Time // booked slot (accepted, proposed)
	Table    int       // booked table id (0: online)
	ByTeam   bool      // placed by the team's scheduler
	OkFrom   bool      // confirmed by From (proposed)
	OkTo     bool      // confirmed by To (proposed)
	Created  time.Time
	Decided  time.Time
	// Outcome of each side ("" not told yet).
	OutcomeFrom, OutcomeTo string
}

// Other is the other side of the meeting from uid.
func (m *Meeting) Other(uid int64) (int64, string) {
	if uid == m.From {
		return m.To, m.ToOrg
	}
	return m.From, m.FromOrg
}

// Party reports whether uid is one of the two sides.
func (m *Meeting) Party(uid int64) bool { return uid == m.From || uid == m.To }

// Booked reports whether the meeting holds its slot and table.
func (m *Meeting) Booked() bool { return m.Status == MeetAccepted || m.Status == MeetProposed }

// Refusals of the Meetings store.
var (
	ErrMeetingsOff    = errors.New("no partner meetings at this workshop")
	ErrMeetOpen       = errors.New("the pair has an open meeting")
	ErrMeetDecided    = errors.New("meeting not in a state for that")
	ErrMeetForbidden  = errors.New("not a party allowed to do that")
	ErrMeetBadSlot    = errors.New("not a slot of the workshop's meetings")
	ErrMeetSlotTaken  = errors.New("one of the organisations is booked at that slot")
	ErrMeetTablesFull = errors.New("every table is booked at that slot")
	ErrMeetCap        = errors.New("an organisation reached the meeting cap")
)

// MeetConflictError refuses a setup that would leave booked meetings
// without their table or slot: Count of them.
type MeetConflictError struct{ Count int }

func (e *MeetConflictError) Error() string { return "setup would drop booked meetings" }

// MeetCapError says which side reached the cap.
type MeetCapError struct{ UserID int64 }

func (e *MeetCapError) Error() string { return ErrMeetCap.Error() }
func (e *MeetCapError) Unwrap() error { return ErrMeetCap }

// Meetings stores partner meetings; every change of a workshop's bookings
// is atomic in storage, so that no organisation is in two meetings in one
// slot, no table holds two meetings in one slot, and nobody holds more than
// the cap, whatever the concurrency.
type Meetings interface {
	// MeetingSetup is a workshop's setup (ErrNotFound: meetings are off).
	MeetingSetup(ctx context.Context, code string) (*MeetingSetup, error)
	// SaveMeetingSetup replaces the setup. When booked meetings are at a
	// table or in a slot the new setup lacks it refuses with
	// *MeetConflictError, unless force: then those meetings are cancelled
	// in the same step and returned.
	SaveMeetingSetup(ctx context.Context, s *MeetingSetup, force bool, now time.Time) ([]*Meeting, error)
	// RequestMeeting stores a new pending meeting (ErrMeetingsOff,
	// ErrMeetOpen when the pair has an open one).
	RequestMeeting(ctx context.Context, m *Meeting) error
	GetMeeting(ctx context.Context, code, id string) (*Meeting, error) // ErrNotFound
	// AcceptMeeting books slot, one of those offered, for a pending meeting
	// awaiting actor, with the first free table: ErrMeetBadSlot,
	// ErrMeetSlotTaken, ErrMeetTablesFull, *MeetCapError, ErrMeetDecided,
	// ErrMeetForbidden.
	AcceptMeeting(ctx context.Context, code, id string, actor int64, slot, now time.Time) (*Meeting, error)
	// ProposeMeeting answers a pending meeting awaiting actor with another
	// slot: the other side answers now.
	ProposeMeeting(ctx context.Context, code, id string, actor int64, slot, now time.Time) (*Meeting, error)
	// MoveMeeting moves a booked meeting of actor to slot, as a booking is
	// made (the same refusals), keeping it if it cannot.
	MoveMeeting(ctx context.Context, code, id string, actor int64, slot, now time.Time) (*Meeting, error)
	// PlaceMeeting stores m, proposed by the team, holding m.Slot and the
	// first free table at once (the refusals of a booking, and ErrMeetOpen).
	PlaceMeeting(ctx context.Context, m *Meeting) (*Meeting, error)
	// ConfirmMeeting records actor's yes to a proposed meeting; when both
	// said yes it is accepted.
	ConfirmMeeting(ctx context.Context, code, id string, actor int64, now time.Time) (*Meeting, error)
	// CloseMeeting ends a meeting: declined by the side awaited (pending) or
	// either side (proposed), withdrawn by the side that asked (pending),
	// cancelled by a side (open) or by nobody (actor 0: the team or the
	// store). A booking is freed.
	CloseMeeting(ctx context.Context, code, id string, actor int64, status MeetStatus, now time.Time) (*Meeting, error)
	// CancelUserMeetings cancels every open meeting of uid at a workshop
	// (their registration ended) and returns them.
	CancelUserMeetings(ctx context.Context, code string, uid int64, now time.Time) ([]*Meeting, error)
	// SetMeetingOutcome records what came of a booked meeting for actor.
	SetMeetingOutcome(ctx context.Context, code, id string, actor int64, outcome string) error
	// WorkshopMeetings lists every meeting of a workshop (the grid reads
	// it), by slot, then creation.
	WorkshopMeetings(ctx context.Context, code string) ([]*Meeting, error)
	// UserMeetings lists uid's meetings at a workshop, by slot, then creation.
	UserMeetings(ctx context.Context, code string, uid int64) ([]*Meeting, error)
	// MeetingWorkshops lists the workshops where uid has had a meeting.
	MeetingWorkshops(ctx context.Context, uid int64) ([]string, error)
	// ForgetMeetings cancels every open meeting of uid, deletes each of
	// uid's meetings, and returns those that were open (to tell the other
	// side). It is idempotent.
	ForgetMeetings(ctx context.Context, uid int64, now time.Time) ([]*Meeting, error)
}

// SortMeetings orders meetings by slot (unbooked ones by their first
// offered slot), then creation, then id.
func SortMeetings(ms []*Meeting) {
	key := func(m *Meeting) time.Time {
		if !m.Slot.IsZero() {
			return m.Slot
		}
		if len(m.Slots) > 0 {
			return m.Slots[0]
		}
		return time.Time{}
	}
	slices.SortStableFunc(ms, func(a, b *Meeting) int {
		return cmp.Or(key(a).Compare(key(b)), a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID))
	})
}
