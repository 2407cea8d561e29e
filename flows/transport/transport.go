// Package transport holds the types the Telegram transport (package bot)
// and its storage (package store) exchange: the state loaded before an
// update, the commit that ends it, the chat lock, inbox items, broadcast
// claims, send-budget buckets and the errors the storage reports. It is
// plain Go — it imports flows and nothing of Telegram or Redis — so that
// bot can declare the storage it needs as its own interfaces (bot.Store)
// without importing the Redis package, and store can implement them.
package transport

import (
	"context"
	"errors"
	"time"

	"sinergi/flows"
)

// State is what the transport loads before handling an update.
type State struct {
	Dup    bool  // the update was handled before
	Outbox int64 // entries left in the chat's outbox by a process that stopped (see store/outbox.go)
	// Keyboard is the id of the bot's last message with buttons in the
	// chat (0: none known), so a question answered by typing can take its
	// buttons away.
	Keyboard int
	User     *flows.User    // nil when the user is new
	Session  *flows.Session // nil when the chat has no session
}

// Commit is the outcome of handling one update.
type Commit struct {
	ChatID   int64
	UpdateID int64
	// User, when not nil, is the user record after the update; UserBefore
	// the record the update started from (nil: a new user). Only the
	// fields that differ are written, so writes other chats made to the
	// record meanwhile (a role change, an inactive mark) stay.
	User       *flows.User
	UserBefore *flows.User
	Session    *flows.Session // saved with TTL when active, deleted when inactive, untouched when nil
	FromInbox  bool           // also remove the update from the polling inbox
	// Forget (flows.Result.Forget): the user of the private chat ChatID was
	// forgotten. The commit deletes their record and the session instead of
	// writing them, and sets no dedupe mark (a redelivered update would
	// only run the idempotent deletion again).
	Forget bool
	// Outbox holds the update's replies, encoded, to be committed with the
	// state and sent afterwards (see store/outbox.go); OutboxBegun is the
	// id of the first, whose send begins right after the commit.
	Outbox      [][]byte
	OutboxBegun string
	// Lock (from Locker.LockAndLoad) is released in the same transaction
	// as the state is written — unless the commit has an outbox: then the
	// lock is kept until the outbox is sent (OutboxDone).
	Lock Lock
}

// Locker hands out per-chat locks with a lease.
type Locker interface {
	// Acquire takes chat's lock, waiting while another holder has it —
	// up to maxWait (ErrLockBusy after that) or until ctx ends.
	Acquire(ctx context.Context, chat int64, maxWait time.Duration) (Lock, error)
	// LockAndLoad takes chat's lock and loads its State in one round
	// trip, waiting as Acquire does. Pass the lock in the Commit that
	// ends the update: it is released in the same transaction; on any
	// other path call Release.
	LockAndLoad(ctx context.Context, chat, user, upd int64, maxWait time.Duration) (Lock, *State, error)
}

// Lock is a held per-chat lock. It is opaque: only the Locker that handed
// it out can take it in a Commit or OutboxDone.
type Lock interface {
	// Release gives the lock up if it is still held; after a Commit that
	// carried the lock it does nothing.
	Release(ctx context.Context) error
}

// ErrLockBusy: the chat stayed locked by another holder for longer than the
// caller was willing to wait.
var ErrLockBusy = errors.New("chat is busy in another process")

// InboxItem is a received update kept until it is handled.
type InboxItem struct {
	ID  int64
	Raw []byte
}

// Claim is a replica's hold on one broadcast recipient.
type Claim struct {
	flows.Recipient
}

// Outcomes of beginning a claimed broadcast send.
var (
	// ErrClaimLost: the claim's lease ran out and another replica may have
	// taken it over; do not send.
	ErrClaimLost = errors.New("broadcast claim lost")
	// ErrBroadcastStopped: the broadcast is no longer running (cancelled).
	ErrBroadcastStopped = errors.New("broadcast no longer running")
)

// ErrJobLost: the job's lease ran out and another claimer may have it; do
// not run it.
var ErrJobLost = errors.New("job lease lost")

// Bucket is one shared send rate: Interval between sends on average, with
// a burst of up to Burst sends at once after idling. Key names it in the
// storage that made it (opaque to the transport). The zero Bucket is no
// limit.
type Bucket struct {
	Key      string
	Interval time.Duration
	Burst    int
}
