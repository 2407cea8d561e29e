package flows

import (
	"context"
	"errors"
	"time"
)

// Invite-only workshops: only people holding an invitation find and
// register for one. An invitation is a link, inv_<code><token>: personal
// (one seat) or for an organisation (Quota seats, each person once). Opening
// the link records that the person holds it (HoldWorkshopInvite); their
// registration then uses it (RegisterInvited), atomically with taking the
// seat or the place on the waiting list, and is refused when its seats are
// used up. A seat of an invitation is a registration made through it that
// still stands: when its holder cancels (or is declined, or forgotten) the
// seat comes back to the link — a personal link can then be used again, by
// its invitee who changed their mind or by whoever holds the link, until the
// team revokes it.

// WorkshopInvite is one invitation to an invite-only workshop.
type WorkshopInvite struct {
	Token    string    `json:"token"` // ≥ 128 random bits (NewToken)
	Workshop string    `json:"ws"`
	Org      string    `json:"org,omitempty"` // "" a personal invitation
	Quota    int       `json:"quota"`         // seats: 1 for a personal one
	By       int64     `json:"by"`
	Created  time.Time `json:"created"`
	// Used are the people whose registration through it stands, first
	// used first (filled when listed).
	Used []int64 `json:"-"`
}

// Invitation limits.
const (
	MaxInviteQuota    = 1000 // seats of one organisation's invitation
	MaxInvitesAtOnce  = 100  // personal invitations made in one go
	MaxInvites        = 2000 // invitations of one workshop
	MaxInviteOrgLen   = 120
	InviteLinkPrefix  = "inv_"
	inviteTokenLength = 22 // NewToken
)

// Refusals of an invitation.
var (
	ErrInviteGone     = errors.New("invitation not valid") // unknown or revoked
	ErrInviteUsed     = errors.New("invitation used up")   // all its seats taken
	ErrNoInvite       = errors.New("no invitation")        // registering for an invite-only workshop without holding one
	ErrTooManyInvites = errors.New("too many invitations")
)

// Hidden: never listed in /workshops or a group's cards, only its link (or
// an invitation) finds it.
func (w *Workshop) Hidden() bool { return w.Unlisted || w.InviteOnly }

// InvitePayload is the deep link payload of an invitation (after inv_).
func InvitePayload(code, token string) string { return code + token }

// ParseInvitePayload splits an invitation's deep link payload; ok is false
// for one that cannot be an invitation.
func ParseInvitePayload(p string) (code, token string, ok bool) {
	if len(p) != 6+inviteTokenLength {
		return "", "", false
	}
	code, token = p[:6], p[6:]
	for _, c := range code {
		if !containsRune(CodeAlphabet, c) {
			return "", "", false
		}
	}
	for _, c := range token {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return "", "", false
		}
	}
	return code, token, true
}

func containsRune(s string, r rune) bool {
	for _, c := range s {
		if c == r {
			return true
		}
	}
	return false
}

// WorkshopInvites stores a workshop's invitations and their use.
type WorkshopInvites interface {
	// CreateWorkshopInvite stores a new invitation (ErrNotFound: no workshop;
	// ErrTooManyInvites: the workshop has MaxInvites).
	CreateWorkshopInvite(ctx context.Context, inv *WorkshopInvite) error
	// WorkshopInvites lists the workshop's invitations, oldest first, each with
	// the people whose registration through it stands.
	WorkshopInvites(ctx context.Context, code string) ([]*WorkshopInvite, error)
	// RevokeWorkshopInvite deletes one (ErrNotFound when there is none); the
	// registrations made through it stay.
	RevokeWorkshopInvite(ctx context.Context, code, token string) error
	// HoldWorkshopInvite records that uid opened invitation token: their
	// registration will use it. ErrInviteGone when there is no such
	// invitation, ErrInviteUsed when its seats are taken by others.
	HoldWorkshopInvite(ctx context.Context, code, token string, uid int64) (*WorkshopInvite, error)
	// HeldWorkshopInvite is the invitation uid holds for the workshop ("" none).
	HeldWorkshopInvite(ctx context.Context, code string, uid int64) (string, error)
	// RegisterInvited is Workshops.Register through the invitation uid
	// holds, in one atomic step: ErrNoInvite when they hold none,
	// ErrInviteGone when it was revoked, ErrInviteUsed when its seats were
	// taken meanwhile — nothing registered then.
	RegisterInvited(ctx context.Context, r *Registration, now time.Time) (*Registration, error)
}
