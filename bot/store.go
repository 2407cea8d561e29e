package bot

import (
	"context"
	"time"

	"sinergi/flows"
	"sinergi/flows/transport"
)

// Store is the storage the transport runs on, declared here by what the
// transport calls (the Redis *store.Store implements it). The types it
// speaks — State, Commit, Lock, InboxItem, Claim, Bucket and the errors —
// live in flows/transport, which both packages import.
type Store interface {
	Updates
	Outbox
	Jobs
	Broadcasts
	Users
	SharedBudget
	// Unavailable reports whether err (from this store, or from a flow
	// that called it) means the storage is away for now rather than a
	// bug or bad data: the update is handed back to run again.
	Unavailable(err error) bool
}

// Updates keeps the received updates and their outcomes: the polling inbox
// and offset, the chat lock taken with the state, and the commit.
type Updates interface {
	SaveInbox(ctx context.Context, items []transport.InboxItem, nextOffset int64) error
	Offset(ctx context.Context) (int64, error)
	Inbox(ctx context.Context) ([]transport.InboxItem, error)
	AckInbox(ctx context.Context, ids ...int64) error
	// NewLocker hands out chat locks that expire after lease unless
	// renewed; LockAndLoad loads the State with the lock.
	NewLocker(lease time.Duration) transport.Locker
	Commit(ctx context.Context, c transport.Commit) error
}

// Outbox keeps an update's committed replies until they are sent (see
// outbox.go).
type Outbox interface {
	OutboxBegin(ctx context.Context, chat int64, id string, pop bool) error
	OutboxPop(ctx context.Context, chat int64) error
	OutboxDone(ctx context.Context, chat int64, lock transport.Lock, release bool, keyboard int) error
	ReadOutbox(ctx context.Context, chat int64) (entries [][]byte, begun string, err error)
	PendingOutboxes(ctx context.Context, olderThan time.Time, n int) ([]int64, error)
}

// Jobs is the scheduler's queue: due jobs claimed with a lease.
type Jobs interface {
	ClaimDue(ctx context.Context, owner string, now time.Time, max int, lease time.Duration) (jobs []flows.Job, dropped []string, err error)
	BeginJob(ctx context.Context, owner, id string, now time.Time, lease time.Duration) error
	AbortJob(ctx context.Context, id string) error
	JobDone(ctx context.Context, id string) error
	ParkJob(ctx context.Context, j flows.Job) error
	UnparkJobs(ctx context.Context, known func(id string) bool) (int, error)
}

// Broadcasts is what the broadcast runner needs: due broadcasts, their
// recipients claimed per replica, and their progress.
type Broadcasts interface {
	DueBroadcasts(ctx context.Context, now time.Time) ([]string, error)
	GetBroadcast(ctx context.Context, id string) (*flows.Broadcast, *flows.BroadcastState, error)
	// FrozenAfter and FreezeRecipients freeze a scheduled broadcast's
	// member recipients page by page in ascending id, each page once,
	// resumable from the cursor (store/bc_freeze.lua); StartBroadcast adds
	// the linked chats and starts it.
	FrozenAfter(ctx context.Context, id string) (int64, error)
	FreezeRecipients(ctx context.Context, id string, after int64, rs []flows.Recipient) (cursor int64, status string, err error)
	StartBroadcast(ctx context.Context, id string, rs []flows.Recipient, now time.Time) (string, error)
	ClaimRecipients(ctx context.Context, id, owner string, n int, lease time.Duration) ([]transport.Claim, error)
	BeginSend(ctx context.Context, id, owner string, c transport.Claim, lease time.Duration) error
	Delivered(ctx context.Context, id string, c transport.Claim, outcome string) (bool, error)
	ReleaseClaims(ctx context.Context, id, owner string, cs []transport.Claim) (int, error)
	FinishBroadcast(ctx context.Context, id string, now time.Time) (finished bool, st *flows.BroadcastState, err error)
	TakeProgress(ctx context.Context, id, owner string, interval time.Duration) (bool, error)
	SetProgressMessage(ctx context.Context, id string, msg int) error
}

// Users: the language to write to someone in, and who blocked the bot.
type Users interface {
	GetUser(ctx context.Context, id int64) (*flows.User, error)
	MarkInactive(ctx context.Context, id int64) error
}
