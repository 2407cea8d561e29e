package flows

import (
	"context"
	"errors"
	"time"
)

// A workshop's team: the people who manage it (Workshop.Facilitators, the
// owner first, then the others in the order they joined) and its owner
// (Workshop.Owner), who invites, removes and hands over. The store keeps
// the team apart from the workshop's other fields, so an edit of the
// workshop never undoes a change of its team; Workshop.Owner and
// Workshop.Facilitators are read from it, and UpdateWorkshop ignores them.
//
// The rules (invite once, remove, hand over, an owner always among the
// members while there are members) do not depend on what the team runs: a
// chapter's team of admins can keep them with the same scripts over its own
// keys.

// TeamInvite is a one-time link that puts whoever opens it first on a
// workshop's team, until Expires.
type TeamInvite struct {
	Token    string    `json:"token"`
	Workshop string    `json:"ws"`
	By       int64     `json:"by"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
}

// Refusals of the team operations.
var (
	ErrOnTeam    = errors.New("already on the team")
	ErrNotOnTeam = errors.New("not on the team")
	ErrTeamOwner = errors.New("the owner cannot leave the team") // hand it over first
	ErrNotOwner  = errors.New("not the owner of the team")
)

// Teams keeps workshops' teams.
type Teams interface {
	// CreateTeamInvite stores a one-time invitation to inv.Workshop's team,
	// valid until inv.Expires.
	CreateTeamInvite(ctx context.Context, inv *TeamInvite) error
	// JoinTeam takes the invitation token of workshop code, once, and puts
	// uid on the team; a team without an owner (its owner was forgotten)
	// gets uid as its owner. ErrNotFound: no such invitation for that
	// workshop, used, or expired at now. ErrOnTeam: uid is on the team
	// already (the invitation is left for someone else).
	JoinTeam(ctx context.Context, code, token string, uid int64, now time.Time) (*TeamInvite, error)
	// RemoveFromTeam takes uid off the team: ErrNotOnTeam, or ErrTeamOwner
	// for the owner (who hands the workshop over first).
	RemoveFromTeam(ctx context.Context, code string, uid int64) error
	// HandOver makes member to the owner, provided from is the owner still
	// (ErrNotOwner) and to is on the team (ErrNotOnTeam). The old owner
	// stays on the team.
	HandOver(ctx context.Context, code string, from, to int64) error
	// TeamInvites lists workshop code's invitations still open at now,
	// oldest first (equal times by token).
	TeamInvites(ctx context.Context, code string, now time.Time) ([]*TeamInvite, error)
	// RevokeTeamInvite deletes an invitation of workshop code, so that its
	// link no longer works (ErrNotFound when unknown, used, or expired at
	// now).
	RevokeTeamInvite(ctx context.Context, code, token string, now time.Time) error
}

// TeamOwner is who owns a new workshop's team: its creator when they are
// among its facilitators, else the first of them.
func TeamOwner(w *Workshop) int64 {
	if w.Owner != 0 {
		return w.Owner
	}
	for _, f := range w.Facilitators {
		if f == w.CreatedBy {
			return f
		}
	}
	if len(w.Facilitators) > 0 {
		return w.Facilitators[0]
	}
	return w.CreatedBy
}
