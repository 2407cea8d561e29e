package flows

import (
	"context"
	"errors"
	"time"
)

// Workshop is an event participants register for.
type Workshop struct {
	Code         string    `json:"code"` // short public code, used in the deep link ws_<code>
	Title        string    `json:"title"`
	Description  string    `json:"description,omitempty"`
	Start        time.Time `json:"start"` // stored in UTC; shown in Zone
	End          time.Time `json:"end"`
	Zone         string    `json:"zone"` // IANA name: Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT)
	Venue        string    `json:"venue,omitempty"`
	OnlineURL    string    `json:"online_url,omitempty"`
	Capacity     int       `json:"capacity"`               // 0: unlimited
	Deadline     time.Time `json:"deadline"`               // registration closes at this instant
	Question     string    `json:"question,omitempty"`     // optional extra question for registrants
	Facilitators []int64   `json:"facilitators,omitempty"` // its team, who manage it: the owner first (see Teams)
	Owner        int64     `json:"owner,omitempty"`        // who invites, removes and hands over (see Teams)
	CreatedBy    int64     `json:"created_by"`
	Created      time.Time `json:"created"`
	Closed       bool      `json:"closed,omitempty"`       // registration closed by hand
	Cancelled    bool      `json:"cancelled,omitempty"`    // the workshop is cancelled
	CheckInDays  int       `json:"checkin_days,omitempty"` // days between commitment check-ins (0: weekly)
	Chapter      string    `json:"chapter,omitempty"`      // the chapter it belongs to (Chapter.ID), "" the national forum
	// Sequence counts the changes of date, time or place: the SEQUENCE of
	// its calendar invitations, so calendars update the event.
	Sequence int `json:"seq,omitempty"`
	// Offers: a freed seat is offered to the first person waiting, who
	// accepts or declines within OfferFor, instead of being confirmed at
	// once (automatic promotion, false: workshops saved before offers
	// existed keep it). New workshops offer.
	Offers bool `json:"offers,omitempty"`
	// OfferMinutes is how long an offer stands (0: DefaultOfferFor); an
	// offer never runs past OfferCutoff before the start.
	OfferMinutes int `json:"offer_min,omitempty"`
	// Approval: registrations wait, pending and holding no seat, until the
	// team approves (then placed as any registration: confirmed, or
	// waiting when full) or declines them.
	Approval bool `json:"approval,omitempty"`
	// ReportsChatOnly: escalations, the weekly digest and the progress
	// report go to the workshop's facilitators' chats instead of privately
	// (false: as well as). With no active facilitators' chat they go
	// privately all the same.
	ReportsChatOnly bool `json:"reports_chat_only,omitempty"`
	// GroupSummary: the workshop's participants' groups receive a weekly
	// summary of its commitments' progress (counts and who completed).
	GroupSummary bool `json:"group_summary,omitempty"`
	// Series are the codes of the occurrences of the series it is part of,
	// in date order, itself included (none: not part of a series).
	Series []string `json:"series,omitempty"`
	// Unlisted: only its link finds it, never /workshops (Upcoming) or a
	// group's cards.
	Unlisted bool `json:"unlisted,omitempty"`
	// InviteOnly: only people holding an invitation find it and register
	// (invite_types.go); hidden as an unlisted one.
	InviteOnly bool `json:"invite_only,omitempty"`
	// Format is how people attend (hybrid_types.go): FormatOnsite,
	// FormatOnline or FormatHybrid; "" (saved before formats) is derived
	// from Venue and OnlineURL (Workshop.Attendance).
	Format string `json:"format,omitempty"`
	// OnlineCapacity is a hybrid workshop's online seats (0: unlimited);
	// Capacity is then its on-site seats.
	OnlineCapacity int `json:"online_capacity,omitempty"`
	// LinkHidden: a copy made for someone who may not see the online link
	// (Public, ForAttendee); its details say where the link goes instead.
	LinkHidden bool `json:"-"`
}

// Offer limits: how long an offer stands unless the facilitator sets it,
// the shortest and longest they may set, and how long before the start the
// last offer ends. In the last OfferCutoff before the start there is no
// time to wait for an answer: a freed seat goes to the first person waiting
// at once, as in automatic promotion; from the start nobody moves up.
const (
	DefaultOfferFor = 24 * time.Hour
	MinOfferFor     = time.Hour
	MaxOfferFor     = 7 * 24 * time.Hour
	OfferCutoff     = 2 * time.Hour
)

// OfferFor is how long an offer of a seat of w stands.
func (w *Workshop) OfferFor() time.Duration {
	if w.OfferMinutes <= 0 {
		return DefaultOfferFor
	}
	return time.Duration(w.OfferMinutes) * time.Minute
}

// OfferExpiry is when an offer made at now ends: OfferFor later, but never
// past OfferCutoff before the start.
func (w *Workshop) OfferExpiry(now time.Time) time.Time {
	exp := now.Add(w.OfferFor())
	if cut := w.Start.Add(-OfferCutoff); exp.After(cut) {
		exp = cut
	}
	return exp
}

// CheckInEvery is how often owners of this workshop's open commitments are
// asked for their status.
func (w *Workshop) CheckInEvery() time.Duration {
	if w.CheckInDays <= 0 {
		return 7 * 24 * time.Hour
	}
	return time.Duration(w.CheckInDays) * 24 * time.Hour
}

// RegStatus is where a registration stands.
type RegStatus string

// Registration statuses.
const (
	RegConfirmed RegStatus = "confirmed"
	RegWaiting   RegStatus = "waiting"
	// RegOffered: a seat is held for them until OfferExpires; they accept
	// or decline it.
	RegOffered RegStatus = "offered"
	// RegPending: waiting for the team's approval, holding no seat.
	RegPending RegStatus = "pending"
)

// Registration is one participant's place in a workshop.
type Registration struct {
	Workshop     string    `json:"ws"`
	UserID       int64     `json:"user"`
	Status       RegStatus `json:"-"` // from the confirmed / waiting sets
	Position     int       `json:"-"` // 1-based place on the waiting list (waiting only)
	RegisteredAt time.Time `json:"at"`
	Answer       string    `json:"answer,omitempty"` // to the workshop's extra question (LegacyQuestionID)
	// Answers are the answers to the workshop's form, by question id (see
	// ParseAnswer for the values).
	Answers      map[string]string `json:"answers,omitempty"`
	Token        string            `json:"token"` // check-in token (the QR code), ≥ 128 random bits
	Lang         string            `json:"lang"`
	CheckedInAt  time.Time         `json:"-"` // zero when not checked in
	OfferExpires time.Time         `json:"-"` // when the seat offered to them is given on (offered only)
	// Mode is how they attend a hybrid workshop: ModeOnline, or "" on
	// site (from which of the workshop's lists holds them; given to
	// Register, ModeOnsite or ModeOnline, it says which list they join).
	Mode string `json:"-"`
}

// Counts summarise a workshop's registrations.
type Counts struct {
	Confirmed, Waiting, CheckedIn int
	Offered                       int // seats held for people offered them
	Pending                       int // registrations waiting for approval (no seat)
}

// Feedback is a participant's rating after a workshop.
type Feedback struct {
	UserID  int64     `json:"user"`
	Rating  int       `json:"rating"` // 1..5
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
}

// Refusals of a registration, returned by Workshops.Register.
var (
	ErrAlreadyRegistered = errors.New("already registered")
	ErrRegistrationShut  = errors.New("registration closed") // closed by hand, or past the deadline
	ErrWorkshopCancelled = errors.New("workshop cancelled")
	ErrCodeTaken         = errors.New("workshop code taken")
)

// Answers of the offer methods of Workshops.
var (
	ErrOfferExpired = errors.New("offer expired") // accepted too late: the seat went on
	ErrNoOffer      = errors.New("no offer")      // nothing offered to them (declined, gone, never)
	// ErrAlreadyDecided: the registration is not pending (any more): decided
	// by someone else, cancelled, or never made.
	ErrAlreadyDecided = errors.New("already decided")
)

// Workshops stores workshops and their registrations. Capacity is enforced
// atomically in storage: never more confirmed than capacity, whatever the
// concurrency, and the waiting list is first come, first served.
type Workshops interface {
	// CreateWorkshop stores a new workshop (ErrCodeTaken when the code
	// exists) and indexes it as upcoming and under each facilitator. Its
	// team is w.Facilitators, owned by TeamOwner(w).
	CreateWorkshop(ctx context.Context, w *Workshop) error
	// UpdateWorkshop saves changed fields (capacity, times, closed,
	// cancelled …), never the team (see Teams). When capacity grows, waiting
	// people are promoted in order; their ids are returned. A workshop that
	// offers promotes nobody here: OfferSeats offers the seats. A cancelled
	// workshop leaves the
	// upcoming index.
	UpdateWorkshop(ctx context.Context, w *Workshop) (promoted []int64, err error)
	// UpdateWorkshopAt is UpdateWorkshop as at now: nobody moves up from
	// the start on, and a workshop that offers offers the seats now free
	// (their ids are returned with the promoted).
	UpdateWorkshopAt(ctx context.Context, w *Workshop, now time.Time) (promoted []int64, err error)
	GetWorkshop(ctx context.Context, code string) (*Workshop, error) // ErrNotFound
	// Upcoming lists workshops not cancelled whose start is after from, by
	// start time, and how many there are in all.
	Upcoming(ctx context.Context, from time.Time, offset, limit int) ([]*Workshop, int, error)
	// Facilitated lists the workshops uid is on the team of (every
	// workshop when uid is 0), newest start first.
	Facilitated(ctx context.Context, uid int64) ([]*Workshop, error)

	// Register places r.UserID: confirmed while seats are left, else on the
	// waiting list; pending when the workshop requires approval. It refuses with ErrAlreadyRegistered, ErrRegistrationShut
	// (closed, or now after the deadline), ErrWorkshopCancelled, ErrNotFound.
	// The returned registration carries Status and Position.
	Register(ctx context.Context, r *Registration, now time.Time) (*Registration, error)
	// CancelRegistration removes uid's registration (ErrNotFound when there
	// is none). When a seat (confirmed or offered) frees up before the
	// start, the first waiting person moves up in the same atomic step —
	// confirmed, or offered the seat when the workshop offers (confirmed at
	// once in the last OfferCutoff) — and their id is returned (0: nobody).
	CancelRegistration(ctx context.Context, code string, uid int64, now time.Time) (promoted int64, err error)
	// OfferSeats first ends every offer that would stand past OfferCutoff
	// before the start (the workshop moved earlier) at that time, then
	// offers every free seat of a workshop that offers, in waiting-list
	// order, as at now (after a capacity increase); the ids of those who
	// moved up are returned. Nobody moves up from the start on.
	OfferSeats(ctx context.Context, code string, now time.Time) ([]int64, error)
	// AcceptOffer confirms the seat offered to uid. ErrOfferExpired when the
	// offer ended by now (the seat goes on, as on expiry: next is who moved
	// up), ErrNoOffer when there is none (ErrAlreadyRegistered when uid is
	// confirmed already).
	AcceptOffer(ctx context.Context, code string, uid int64, now time.Time) (next []int64, err error)
	// DeclineOffer gives the seat offered to uid to the next person waiting
	// and ends uid's registration (ErrNoOffer when nothing is offered).
	DeclineOffer(ctx context.Context, code string, uid int64, now time.Time) (next []int64, err error)
	// ExpireOffer ends uid's offer if it expired by now, as a decline; a
	// repeat, or an offer still standing, does nothing (ErrNoOffer).
	ExpireOffer(ctx context.Context, code string, uid int64, now time.Time) (next []int64, err error)
	// DecideRegistration approves or declines uid's pending registration,
	// once: approved, it is placed as a registration is (confirmed while
	// seats are free and nobody waits, else waiting) and returned; declined,
	// it is gone (nil). ErrAlreadyDecided when it is not pending,
	// ErrWorkshopCancelled when the workshop is.
	DecideRegistration(ctx context.Context, code string, uid int64, approve bool) (*Registration, error)
	GetRegistration(ctx context.Context, code string, uid int64) (*Registration, error) // ErrNotFound
	// Registrations lists the confirmed in registration order, then the
	// offered by expiry, the waiting in list order, and the pending in
	// registration order.
	Registrations(ctx context.Context, code string) ([]*Registration, error)
	// UserRegistrations lists uid's current registrations (any workshop).
	UserRegistrations(ctx context.Context, uid int64) ([]*Registration, error)
	Counts(ctx context.Context, code string) (Counts, error)

	// CheckinToken resolves a check-in token (ErrNotFound when unknown).
	CheckinToken(ctx context.Context, token string) (code string, uid int64, err error)
	// CheckIn marks a confirmed registrant present; first is false when they
	// were checked in before (the first time is kept). ErrNotFound when uid
	// holds no confirmed registration.
	CheckIn(ctx context.Context, code string, uid int64, now time.Time) (first bool, err error)

	SaveFeedback(ctx context.Context, code string, f *Feedback) error
	Feedback(ctx context.Context, code string) ([]*Feedback, error)
}

// Job is a unit of scheduled work: ID names what to do ("<kind>|<args>"),
// Due when.
type Job struct {
	ID  string
	Due time.Time
}

// ErrJobLate, returned by a job, says it was found after the moment it was
// for (a reminder of an event that has begun): nothing is sent, the job is
// done, and the scheduler counts it.
var ErrJobLate = errors.New("job found too late")

// ApprovalNotices keeps the team's notices that registrations await
// approval to one per period.
type ApprovalNotices interface {
	// ClaimApprovalNotice takes workshop code's notice at now unless one
	// was taken less than every before: then it returns false and when the
	// next may be taken.
	ClaimApprovalNotice(ctx context.Context, code string, now time.Time, every time.Duration) (claimed bool, next time.Time, err error)
}

// Jobs is the due-jobs queue shared by every scheduled capability: a sorted
// set by due time, claimed atomically so that two bot processes never run
// the same job twice.
type Jobs interface {
	// Schedule adds jobs or moves existing ones (same ID) to a new time.
	Schedule(ctx context.Context, jobs ...Job) error
	// Unschedule removes pending jobs; unknown ids are ignored.
	Unschedule(ctx context.Context, ids ...string) error
}

// ListPage is how many workshops one page of a workshop list shows.
const ListPage = 5

// DefaultCheckInOpens is how long before the start check-in opens unless
// configured (Config.CheckInOpens).
const DefaultCheckInOpens = 2 * time.Hour

// DefaultOnlineOpens and DefaultOnlineCloses bound the window in which an
// online participant confirms attendance, before the start and after the
// end, unless configured (Config.OnlineOpens, Config.OnlineCloses).
const (
	DefaultOnlineOpens  = 15 * time.Minute
	DefaultOnlineCloses = 30 * time.Minute
)

// WorkshopDetails renders the fields of a workshop for a summary or card.
func WorkshopDetails(w *Workshop) Text {
	capacity := CapacityText(w.Capacity)
	if w.Hybrid() {
		capacity = T("ws.capacity_hybrid", "Onsite", capacity, "Online", CapacityText(w.OnlineCapacity))
	}
	dash := func(s string) any {
		if s == "" {
			return HTML("—")
		}
		return s
	}
	link := dash(w.OnlineURL)
	if w.LinkHidden {
		link = T("ws.link_hidden")
	}
	return T("ws.details",
		"Title", w.Title, "Desc", dash(w.Description),
		"Start", When{At: w.Start, Zone: w.Zone}, "End", endText(w),
		"Venue", dash(w.Venue), "Link", link, "Capacity", capacity,
		"Deadline", When{At: w.Deadline, Zone: w.Zone}, "Question", dash(w.Question))
}

// CapacityText is "50 seats" or "unlimited".
func CapacityText(n int) Text {
	if n > 0 {
		return T("ws.capacity_n", "Count", n)
	}
	return Text{ID: "ws.capacity_unlimited"}
}

// endText shows only the time when the workshop ends on its start day.
func endText(w *Workshop) When {
	loc := LoadZone(w.Zone)
	s, e := w.Start.In(loc), w.End.In(loc)
	sameDay := s.Year() == e.Year() && s.YearDay() == e.YearDay()
	return When{At: w.End, Zone: w.Zone, ClockOnly: sameDay}
}
