package flows

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// A workshop's agenda: sessions with a time, title, room and speaker. A
// session with a capacity is a parallel one (a focus-group discussion by
// theme): confirmed registrants sign up for it, never more than its
// capacity, never for two that overlap. A session without one is plenary:
// everyone attends, nobody signs up. The agenda capability (flows/agenda)
// owns it; registration shows it in the card and /mine through the hooks
// below.

// AgendaSession is one item of a workshop's agenda.
type AgendaSession struct {
	ID       string    `json:"id"` // stable within the workshop: "s" and 8 hex digits
	Title    string    `json:"title"`
	Room     string    `json:"room,omitempty"`
	Speaker  string    `json:"speaker,omitempty"`
	Start    time.Time `json:"start"` // within the workshop's start and end, shown in its zone
	End      time.Time `json:"end"`
	Capacity int       `json:"cap,omitempty"` // > 0: a parallel session with sign-up; 0: plenary
}

// Agenda limits.
const (
	MaxSessions        = 30
	MaxSessionTitle    = 120
	MaxSessionRoom     = 60
	MaxSessionSpeaker  = 100
	MaxSessionCapacity = 10000
	// SessionReminderBefore is how long before a chosen session its
	// reminder comes.
	SessionReminderBefore = 15 * time.Minute
)

// JobSessionSoon, "wss|<code>:<session id>|<uid>": reminds uid of a session
// they chose, SessionReminderBefore its start.
const JobSessionSoon = "wss"

// SessionJobID is the id of uid's reminder of session sid of workshop code.
func SessionJobID(code, sid string, uid int64) string {
	return JobSessionSoon + "|" + code + ":" + sid + "|" + strconv.FormatInt(uid, 10)
}

// ParseSessionJob reads the arguments of a JobSessionSoon job ("<code>:<sid>|<uid>").
func ParseSessionJob(args string) (code, sid string, uid int64, err error) {
	head, u, ok := strings.Cut(args, "|")
	code, sid, ok2 := strings.Cut(head, ":")
	uid, perr := strconv.ParseInt(u, 10, 64)
	if !ok || !ok2 || perr != nil || code == "" || sid == "" {
		return "", "", 0, fmt.Errorf("session job %q: malformed", args)
	}
	return code, sid, uid, nil
}

// NewSessionID names a new session of an agenda.
func NewSessionID() string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	return "s" + hex.EncodeToString(b[:])
}

// Parallel says whether people sign up for s (it has a capacity).
func (s *AgendaSession) Parallel() bool { return s.Capacity > 0 }

// Overlaps says whether s and o share a moment (one ending as the other
// starts does not).
func (s *AgendaSession) Overlaps(o *AgendaSession) bool {
	return s.Start.Before(o.End) && o.Start.Before(s.End)
}

// Check refuses a session the team wrote wrongly for w: an empty or
// over-long title, room or speaker, an end not after the start, a time
// outside the workshop's, a capacity out of range.
func (s *AgendaSession) Check(w *Workshop) error {
	if strings.TrimSpace(s.Title) == "" {
		return Refuse("agenda.err_no_title")
	}
	for _, f := range []struct {
		v   string
		max int
	}{{s.Title, MaxSessionTitle}, {s.Room, MaxSessionRoom}, {s.Speaker, MaxSessionSpeaker}} {
		if n := utf8.RuneCountInString(f.v); n > f.max {
			return Refuse("errors.too_long", "Count", f.max, "Got", n)
		}
	}
	if !s.End.After(s.Start) {
		return Refuse("agenda.err_end_before_start", "Start", When{At: s.Start, Zone: w.Zone})
	}
	if s.Start.Before(w.Start) || s.End.After(w.End) {
		return Refuse("agenda.err_outside", "Start", When{At: w.Start, Zone: w.Zone}, "End", When{At: w.End, Zone: w.Zone})
	}
	if s.Capacity < 0 || s.Capacity > MaxSessionCapacity {
		return Refuse("agenda.err_capacity", "Max", MaxSessionCapacity)
	}
	return nil
}

// Refusals of the agenda store.
var (
	ErrAgendaFull      = errors.New("agenda full")     // MaxSessions reached
	ErrSessionFull     = errors.New("session full")    // no seat left
	ErrPlenarySession  = errors.New("plenary session") // nobody signs up for it
	ErrNotConfirmed    = errors.New("registration not confirmed")
	ErrAlreadySignedUp = errors.New("already signed up")
)

// SessionOverlapError refuses a sign-up for a session overlapping With,
// one the person chose already.
type SessionOverlapError struct{ With string }

func (e *SessionOverlapError) Error() string { return "overlaps session " + e.With }

// SessionCapacityError refuses a capacity below the SignedUp people.
type SessionCapacityError struct{ SignedUp int }

func (e *SessionCapacityError) Error() string {
	return "capacity below the " + strconv.Itoa(e.SignedUp) + " signed up"
}

// Agenda stores workshops' sessions and who signed up for the parallel
// ones. A sign-up holds while its registration is confirmed: one whose
// registration was cancelled (or that ended and was made again) counts for
// nothing, and is dropped by the next sign-up or release that meets it.
type Agenda interface {
	// Sessions lists a workshop's agenda by start time, then title, then
	// id; none for an unknown workshop.
	Sessions(ctx context.Context, code string) ([]AgendaSession, error)
	// SaveSession adds s (a new id) or replaces the session of its id. It
	// refuses ErrNotFound (no workshop), ErrAgendaFull (a new session
	// beyond max), *SessionCapacityError (a capacity > 0 below those signed
	// up). A session made plenary (capacity 0) drops its sign-ups, which
	// are returned; a parallel one saved with times that now overlap
	// another session someone signed up for it chose drops their seat in
	// it (returned, in sign-up order), and the capacity is checked against
	// those who keep theirs.
	SaveSession(ctx context.Context, code string, s AgendaSession, max int) (dropped []int64, err error)
	// DeleteSession removes a session and its sign-ups (ErrNotFound when
	// there is none); those signed up are returned, in sign-up order.
	DeleteSession(ctx context.Context, code, id string) (signedUp []int64, err error)
	// SignUp takes a seat of parallel session id for uid, atomically:
	// ErrNotFound (no such session), ErrPlenarySession, ErrNotConfirmed
	// (uid holds no confirmed registration), ErrAlreadySignedUp,
	// *SessionOverlapError (uid chose an overlapping one), ErrSessionFull.
	SignUp(ctx context.Context, code, id string, uid int64) error
	// LeaveSession gives uid's seat back (ErrNotFound when they hold none).
	LeaveSession(ctx context.Context, code, id string, uid int64) error
	// ReleaseSessions drops every sign-up of uid in workshop code (their
	// registration ended); it returns the session ids they held.
	ReleaseSessions(ctx context.Context, code string, uid int64) ([]string, error)
	// ChosenSessions are the ids of the sessions uid holds a seat in.
	ChosenSessions(ctx context.Context, code string, uid int64) ([]string, error)
	// SignUps are those holding a seat, per session id, in sign-up order.
	SignUps(ctx context.Context, code string) (map[string][]int64, error)
}

// AgendaHooks is what the agenda capability adds to registration's views;
// one module may set them (Registry.OnAgenda).
type AgendaHooks struct {
	// Card is the compact agenda of w for its card (nil: it has none).
	Card func(ctx context.Context, t *Turn, w *Workshop) (*Text, error)
	// Mine is what /mine shows of w's agenda for registration r, and its
	// buttons.
	Mine func(ctx context.Context, t *Turn, w *Workshop, r *Registration) ([]Text, [][]Button, error)
	// Confirmed is what someone whose registration for w was just
	// confirmed is told (an invitation to choose sessions; none when w has
	// no parallel session): for the current chat (chat 0), or, in bulk
	// and in lang, for chat — someone moved up from the waiting list or
	// approved, in another user's turn or a job.
	Confirmed func(ctx context.Context, w *Workshop, chat int64, lang string) ([]Reply, error)
}

// OnAgenda sets the agenda's hooks; one module may.
func (r *Registry) OnAgenda(h *AgendaHooks) {
	if r.e.agenda != nil {
		panic("flows: duplicate agenda")
	}
	r.e.agenda = h
}

// AgendaCard is the compact agenda of w for its card (nil: none, or no
// agenda module).
func (t *Turn) AgendaCard(ctx context.Context, w *Workshop) (*Text, error) {
	if t.e.agenda == nil || t.e.agenda.Card == nil {
		return nil, nil
	}
	return t.e.agenda.Card(ctx, t, w)
}

// AgendaMine is what /mine shows of w's agenda for r.
func (t *Turn) AgendaMine(ctx context.Context, w *Workshop, r *Registration) ([]Text, [][]Button, error) {
	if t.e.agenda == nil || t.e.agenda.Mine == nil {
		return nil, nil, nil
	}
	return t.e.agenda.Mine(ctx, t, w, r)
}

// AgendaConfirmed tells the agenda module that the user's registration
// for w was confirmed in this turn: its invitation goes to this chat.
func (t *Turn) AgendaConfirmed(ctx context.Context, w *Workshop) error {
	replies, err := t.e.agendaConfirmed(ctx, w, 0, "")
	for _, r := range replies {
		t.Send(r)
	}
	return err
}

// AgendaConfirmedFor is what the agenda module tells someone confirmed
// outside their own turn (moved up from the waiting list in another user's
// turn or a job, approved by the team): the replies for chat, in lang. A
// module keeps it from Register for its jobs, which have no Turn.
func (r *Registry) AgendaConfirmedFor() func(ctx context.Context, w *Workshop, chat int64, lang string) ([]Reply, error) {
	return r.e.agendaConfirmed
}

func (e *Engine) agendaConfirmed(ctx context.Context, w *Workshop, chat int64, lang string) ([]Reply, error) {
	if e.agenda == nil || e.agenda.Confirmed == nil {
		return nil, nil
	}
	return e.agenda.Confirmed(ctx, w, chat, lang)
}

// SortSessions orders sessions by start, then title, then id.
func SortSessions(ss []AgendaSession) {
	slices.SortFunc(ss, func(a, b AgendaSession) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Title, b.Title), cmp.Compare(a.ID, b.ID))
	})
}
