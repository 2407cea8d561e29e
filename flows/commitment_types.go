package flows

import (
	"context"
	"time"
)

// Commitment is a promise made at a workshop: who does what by when, with
// which success indicator and partners.
type Commitment struct {
	ID        string        `json:"id"`
	Workshop  string        `json:"ws"`
	What      string        `json:"what"`
	Owner     int64         `json:"owner"`
	By        int64         `json:"by"`  // who wrote it down (the owner, another registrant or a facilitator)
	Due       time.Time     `json:"due"` // the due day, 09:00 in the workshop's zone
	Indicator string        `json:"indicator,omitempty"`
	Partners  string        `json:"partners,omitempty"`
	Status    string        `json:"status"` // see the Cm* statuses
	Created   time.Time     `json:"created"`
	History   []StatusEntry `json:"history,omitempty"`
	Nudges    int           `json:"nudges,omitempty"`    // overdue nudges sent
	Escalated []string      `json:"escalated,omitempty"` // states already escalated to facilitators
}

// StatusEntry is one answer about a commitment's progress.
type StatusEntry struct {
	At     time.Time `json:"at"`
	Status string    `json:"status"`
	Note   string    `json:"note,omitempty"`
	By     int64     `json:"by"`
}

// Commitment statuses.
const (
	CmProposed = "proposed" // written by someone else; the owner has not confirmed
	CmOpen     = "open"     // confirmed, no progress answer yet
	CmOnTrack  = "ontrack"
	CmBlocked  = "blocked"
	CmDone     = "done"
)

// Commitments stores commitments.
type Commitments interface {
	SaveCommitment(ctx context.Context, c *Commitment) error
	GetCommitment(ctx context.Context, code, id string) (*Commitment, error) // ErrNotFound
	DeleteCommitment(ctx context.Context, code, id string) error
	// WorkshopCommitments lists a workshop's commitments, oldest first.
	WorkshopCommitments(ctx context.Context, code string) ([]*Commitment, error)
	// UserCommitments lists the commitments uid owns or was proposed.
	UserCommitments(ctx context.Context, uid int64) ([]*Commitment, error)
}

// CommitmentTally is what a workshop's commitments add up to
// (CommitmentTallies.CommitmentTallies). Months are "2006-01" in the
// workshop's zone.
type CommitmentTally struct {
	// Due counts the commitments by due month, then by status.
	Due map[string]map[string]int
	// Created counts them by the month they were written down in.
	Created map[string]int
	// Overdue counts those not done whose due date has passed, by due
	// month; OverdueTotal is their sum.
	Overdue      map[string]int
	OverdueTotal int
}

// CommitmentTallies reads the commitments of many workshops at once from
// counts the writes keep, without reading every commitment.
type CommitmentTallies interface {
	// CommitmentTallies tallies each of the workshops codes (every code
	// has an entry) as of now.
	CommitmentTallies(ctx context.Context, codes []string, now time.Time) (map[string]CommitmentTally, error)
	// OverdueCommitments lists the first limit commitments of the
	// workshops codes that are overdue at now (not done, due before now),
	// the longest overdue first (then by workshop code and id), with how
	// many there are in all.
	OverdueCommitments(ctx context.Context, codes []string, now time.Time, limit int) ([]*Commitment, int, error)
	// BlockedCommitments lists the first limit blocked commitments of the
	// workshops codes, by due date as OverdueCommitments, with how many
	// there are in all.
	BlockedCommitments(ctx context.Context, codes []string, limit int) ([]*Commitment, int, error)
	// CommitmentsByDue lists the first q.Limit of the commitments q
	// selects that come after q.After, by due date (to the millisecond),
	// then workshop code, then id; with how many q selects in all (q.After
	// aside) and whether more follow those listed.
	CommitmentsByDue(ctx context.Context, q CommitmentQuery) (CommitmentPage, error)
	// CommitmentHeads lists what every commitment of the workshops codes
	// is sorted and filtered by (in no particular order), read in one
	// batch without reading the commitments.
	CommitmentHeads(ctx context.Context, codes []string) ([]CommitmentHead, error)
	// CommitmentsAt reads the commitments heads name, in their order, in
	// one batch (those deleted meanwhile left out).
	CommitmentsAt(ctx context.Context, heads []CommitmentHead) ([]*Commitment, error)
}

// CommitmentHead is what a commitment is sorted and filtered by.
type CommitmentHead struct {
	Workshop, ID string
	Owner        int64
	Due          time.Time
	Status       string
}

// CommitmentQuery selects commitments for CommitmentTallies.CommitmentsByDue.
type CommitmentQuery struct {
	// Workshops are the workshops searched, each with the due dates
	// wanted: From (inclusive) to To (exclusive); a zero time is no bound.
	Workshops []DueWindow
	// Status is "" (any), a status (CmOpen, …), or "overdue": not done and
	// due before Now.
	Status string
	Now    time.Time
	// After is the last commitment of the page before (nil: the first).
	After *CommitmentCursor
	Limit int
}

// DueWindow is a workshop of a CommitmentQuery and the due dates wanted
// there.
type DueWindow struct {
	Code     string
	From, To time.Time
}

// CommitmentCursor is a place in the order of CommitmentsByDue.
type CommitmentCursor struct {
	Due          time.Time
	Workshop, ID string
}

// CommitmentPage is a page of CommitmentsByDue.
type CommitmentPage struct {
	Commitments []*Commitment
	Total       int
	More        bool
}
