package flows

import (
	"context"
	"errors"
	"time"
)

// A workshop's format: how people attend it (Workshop.Format).
const (
	FormatOnsite = "onsite" // at the venue
	FormatOnline = "online" // through the online link
	// FormatHybrid: on site or online, as each participant chooses, with a
	// capacity and a waiting list for each (Capacity on site,
	// OnlineCapacity online).
	FormatHybrid = "hybrid"
)

// How a participant attends a hybrid workshop (Registration.Mode).
const (
	ModeOnsite = "onsite"
	ModeOnline = "online"
)

// Attendance is w's format: Format when set, else (a workshop saved before
// formats) online when it has a link and no venue, on site otherwise — as
// those workshops behaved, one list and one capacity for everyone.
func (w *Workshop) Attendance() string {
	switch w.Format {
	case FormatOnsite, FormatOnline, FormatHybrid:
		return w.Format
	}
	if w.Venue == "" && w.OnlineURL != "" {
		return FormatOnline
	}
	return FormatOnsite
}

// Hybrid: participants choose on site or online.
func (w *Workshop) Hybrid() bool { return w.Attendance() == FormatHybrid }

// ModeOf is how r attends w: ModeOnline or ModeOnsite for a hybrid
// workshop, "" for any other.
func ModeOf(w *Workshop, r *Registration) string {
	if !w.Hybrid() {
		return ""
	}
	if r.Mode == ModeOnline {
		return ModeOnline
	}
	return ModeOnsite
}

// ModeCapacity is the capacity of one mode of a hybrid workshop (0:
// unlimited).
func (w *Workshop) ModeCapacity(mode string) int {
	if mode == ModeOnline {
		return w.OnlineCapacity
	}
	return w.Capacity
}

// TotalCapacity is the seats of w in all (0: unlimited): a hybrid
// workshop's on site and online together (unlimited when either is).
func (w *Workshop) TotalCapacity() int {
	if !w.Hybrid() {
		return w.Capacity
	}
	if w.Capacity == 0 || w.OnlineCapacity == 0 {
		return 0
	}
	return w.Capacity + w.OnlineCapacity
}

// GetsLink says whether r may be given w's online link: a confirmed
// registration of an online workshop, of an on-site one with a link (as
// before formats), or of the online mode of a hybrid one. Nobody else —
// not on site, waiting, pending or offered, and never a public card.
func GetsLink(w *Workshop, r *Registration) bool {
	if r == nil || r.Status != RegConfirmed || w.OnlineURL == "" {
		return false
	}
	return !w.Hybrid() || r.Mode == ModeOnline
}

// ForAttendee is the copy of w that r's messages and calendar file are made
// from: without the online link unless GetsLink, and, for the online mode
// of a hybrid workshop, without the venue.
func ForAttendee(w *Workshop, r *Registration) *Workshop {
	cp := *w
	if !GetsLink(w, r) {
		cp.OnlineURL, cp.LinkHidden = "", w.OnlineURL != ""
	} else if w.Hybrid() {
		cp.Venue = ""
	}
	return &cp
}

// Public is the copy of w anyone may see: without the online link.
func Public(w *Workshop) *Workshop {
	cp := *w
	cp.OnlineURL, cp.LinkHidden = "", w.OnlineURL != ""
	return &cp
}

// Refusals of SwitchMode.
var (
	// ErrModeFull: no seat is free in the other mode (or people wait for
	// one); the registration stays as it was.
	ErrModeFull = errors.New("no seat free in that mode")
	// ErrSameMode: the registration is in that mode already.
	ErrSameMode = errors.New("already in that mode")
	// ErrSwitchOffered: a seat is offered to them; they accept or decline
	// it first.
	ErrSwitchOffered = errors.New("a seat is offered")
	// ErrSwitchStarted: the workshop began.
	ErrSwitchStarted = errors.New("the workshop began")
)

// HybridSeats is what a hybrid workshop's two lists add to Workshops. Its
// on-site list is the workshop's only list for any other format, its online
// list is kept apart with OnlineCapacity, and a person is on one of them
// only: Register takes Registration.Mode (ModeOnsite or ModeOnline: the
// list joined, refusing ErrAlreadyRegistered when they are on either;
// "": the on-site list, as before formats), cancellations, offers and
// approvals act on the list that holds them, and a seat freed in a mode
// goes to that mode's waiting list.
type HybridSeats interface {
	// SwitchMode moves uid's registration to mode to, atomically, keeping
	// one place: confirmed there when a seat is free and nobody waits for
	// one, else — only with giveUp, the place they hold given up — at the
	// end of that mode's waiting list; pending stays pending. A seat freed
	// goes to the first person waiting in its mode (promoted, as on a
	// cancellation). Refusals: ErrModeFull (without giveUp), ErrSameMode,
	// ErrSwitchOffered, ErrSwitchStarted (from the start on),
	// ErrWorkshopCancelled, ErrNotFound (no registration, or the workshop
	// is not hybrid).
	SwitchMode(ctx context.Context, code string, uid int64, to string, giveUp bool, now time.Time) (r *Registration, promoted []int64, err error)
	// ModeCounts are the counts of each mode's list (Counts is their sum;
	// CheckedIn is left 0).
	ModeCounts(ctx context.Context, code string) (onsite, online Counts, err error)
}
