package flows

import (
	"context"
	"time"
)

// Per-session attendance: who was at each session of a workshop's agenda.
//
// It is recorded three ways: the team's toggles on a session's list
// (attendance.session, with a search like the door's), the participant's
// QR check-in link opened by the team, and an online participant's "I'm
// here" button. The last two mark, besides the workshop's check-in, the
// sessions whose window holds the moment (SessionOpen: from
// Config.OnlineOpens before the session's start until Config.OnlineCloses
// after its end, the online button's settings) that the person attends:
// the plenary ones, and the parallel ones they signed up for. A person who
// walks into a parallel session they did not choose is marked by the team
// from its list.
//
// What counts as attended (SessionAttended, the team's view, its CSV and
// the certificate alike): a session the person was marked present at; and
// a plenary session when the person was present at the workshop (checked
// in), since everyone attends a plenary session. A parallel session counts
// only when marked.

// SessionAttendance stores per-session attendance, beside the workshop
// under its hash tag. Marks of a session deleted later are kept but never
// shown (no session of that id).
type SessionAttendance interface {
	// MarkSession records uid present at session sid of workshop code
	// (the first time kept), or not (present false), atomically:
	// ErrNotFound (no such session), ErrNotConfirmed (uid holds no
	// confirmed registration). It says whether the mark changed anything.
	MarkSession(ctx context.Context, code, sid string, uid int64, present bool, now time.Time) (changed bool, err error)
	// SessionMarks are the marks of workshop code: per session id, who was
	// marked present and when.
	SessionMarks(ctx context.Context, code string) (map[string]map[int64]time.Time, error)
}

// SessionOpen says whether session s takes check-ins at now: from opens
// before its start until closes after its end.
func SessionOpen(s *AgendaSession, now time.Time, opens, closes time.Duration) bool {
	return !now.Before(s.Start.Add(-opens)) && now.Before(s.End.Add(closes))
}

// SessionAttended says whether uid attended session s: marked present, or
// a plenary session and present at the workshop.
func SessionAttended(s *AgendaSession, marks map[string]map[int64]time.Time, uid int64, present bool) bool {
	if _, ok := marks[s.ID][uid]; ok {
		return true
	}
	return !s.Parallel() && present
}

// CheckedInFunc runs after uid was checked in at w in this turn (byTeam:
// the QR link opened by the team; else the online button), to mark the
// sessions open at the moment.
type CheckedInFunc func(ctx context.Context, t *Turn, w *Workshop, uid int64, byTeam bool) error

// OnCheckedIn sets what runs after a check-in; one module may.
func (r *Registry) OnCheckedIn(f CheckedInFunc) {
	if r.e.checkedIn != nil {
		panic("flows: duplicate check-in hook")
	}
	r.e.checkedIn = f
}

// CheckedIn tells the module that set OnCheckedIn that uid was checked in
// at w in this turn (none set: nothing happens).
func (t *Turn) CheckedIn(ctx context.Context, w *Workshop, uid int64, byTeam bool) error {
	if t.e.checkedIn == nil {
		return nil
	}
	return t.e.checkedIn(ctx, t, w, uid, byTeam)
}
