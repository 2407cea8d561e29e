package flows

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by stores when a record does not exist.
var ErrNotFound = errors.New("not found")

// Users reads user records other than the one of the current input (which
// the transport loads and saves around each update) and changes their role.
// There is no way to write back a whole record read earlier: the user's own
// update in flight would then undo the write, or the write would undo it.
type Users interface {
	GetUser(ctx context.Context, id int64) (*User, error)
	// SetRole changes only the role of an existing user (ErrNotFound when
	// there is none).
	SetRole(ctx context.Context, id int64, role Role) error
}

// Profiles stores participant profiles.
type Profiles interface {
	GetProfile(ctx context.Context, userID int64) (*Profile, error)
	SaveProfile(ctx context.Context, p *Profile) error
	// RemoveProfile deletes a participant profile (consent withdrawn).
	RemoveProfile(ctx context.Context, userID int64) error
}

// Invites stores one-time role invitations.
type Invites interface {
	CreateInvite(ctx context.Context, inv *Invite, ttl time.Duration) error
	// TakeInvite returns the invite and deletes it atomically, so a token
	// works once; ErrNotFound when unknown, used or expired.
	TakeInvite(ctx context.Context, token string) (*Invite, error)
}

// CoreStore is what the core itself reads and writes: the audit trail it
// records to (Turn.Audit), the profile whose consent the re-consent gate
// renews or removes, and the users and profiles a broadcast's recipients
// are chosen from (Engine.Recipients). Capabilities bring their own stores.
type CoreStore interface {
	Audit(ctx context.Context, e *AuditEntry) error
	GetProfile(ctx context.Context, userID int64) (*Profile, error)
	SaveProfile(ctx context.Context, p *Profile) error
	RemoveProfile(ctx context.Context, userID int64) error
	Audience
}
