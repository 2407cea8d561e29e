package flows

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Broadcast is a message from the secretariat to a segment of members. The
// admin writes it in the chat as usual; it is delivered with copyMessage, so
// formatting and media are kept exactly.
type Broadcast struct {
	ID        string    `json:"id"`
	By        int64     `json:"by"`               // the admin
	FromChat  int64     `json:"from_chat"`        // where the source messages are
	MessageID int       `json:"msg"`              // the message for everyone
	EnglishID int       `json:"msg_en,omitempty"` // optional version for English-speaking members
	Segment   string    `json:"segment"`          // see ParseSegment
	Created   time.Time `json:"created"`
	StartAt   time.Time `json:"start_at"`
	// Chats are the linked groups, topics and channels the message is
	// also posted in (copied, in the deployment's default language).
	Chats []ChatTarget `json:"chats,omitempty"`
}

// ChatTarget is a linked chat and forum topic (0: the whole chat).
type ChatTarget struct {
	Chat   int64 `json:"chat"`
	Thread int   `json:"thread,omitempty"`
}

// BroadcastState is a broadcast's progress, kept by the store.
type BroadcastState struct {
	Status      string // scheduled, running, done, cancelled
	Total       int
	Sent        int
	Blocked     int // 403 or chat not found: the member is marked inactive
	Failed      int // gave up after retries
	Uncertain   int // in flight when a process died: not sent again
	Started     time.Time
	Finished    time.Time
	ProgressMsg int // the admin's progress message
	// The linked chats, counted apart from the members.
	ChatTotal     int
	ChatSent      int
	ChatRemoved   int // 403, removed, topic deleted: the link is now inactive
	ChatFailed    int
	ChatUncertain int
}

// Outcomes of a broadcast's copy into a linked chat (BroadcastState's Chat counters).
const (
	ChatSent      = "chat_sent"
	ChatRemoved   = "chat_removed"
	ChatFailed    = "chat_failed"
	ChatUncertain = "chat_uncertain"
)

// Broadcast statuses.
const (
	BcScheduled = "scheduled"
	BcRunning   = "running"
	BcDone      = "done"
	BcCancelled = "cancelled"
)

// Recipient is one member a broadcast goes to, with the source message of
// their version.
type Recipient struct {
	UserID    int64 // a linked chat's id (negative) for a chat
	MessageID int
	Thread    int // the forum topic of a linked chat
}

// IsChat: the recipient is a linked group, topic or channel, not a member.
func (r Recipient) IsChat() bool { return r.UserID < 0 }

// ErrNotCancellable: the broadcast already finished.
var ErrNotCancellable = errors.New("broadcast already finished")

// Broadcasts stores broadcasts. The delivery itself (freezing recipients,
// claiming them one at a time, recording outcomes) is the transport's,
// through store.Store methods outside this interface.
type Broadcasts interface {
	// CreateBroadcast stores a scheduled broadcast, due at b.StartAt.
	CreateBroadcast(ctx context.Context, b *Broadcast) error
	GetBroadcast(ctx context.Context, id string) (*Broadcast, *BroadcastState, error) // ErrNotFound
	// RecentBroadcasts lists the newest first.
	RecentBroadcasts(ctx context.Context, limit int) ([]*Broadcast, error)
	// CancelBroadcast stops a scheduled or running broadcast
	// (ErrNotCancellable when it has finished).
	CancelBroadcast(ctx context.Context, id string) error
}

// Members lists everyone the bot knows, for segmenting broadcasts.
type Members interface {
	// AllUsers returns every user record.
	AllUsers(ctx context.Context) ([]*User, error)
	// ProfilesOf returns the profiles of the given users that have one.
	ProfilesOf(ctx context.Context, ids []int64) (map[int64]*Profile, error)
}

// BroadcastProgress is the admin's progress message.
func BroadcastProgress(st *BroadcastState, elapsed time.Duration) Text {
	done := st.Sent + st.Blocked + st.Failed + st.Uncertain
	const width = 20
	filled := 0
	if st.Total > 0 {
		filled = done * width / st.Total
	}
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	eta := "—"
	if done > 0 && done < st.Total {
		left := time.Duration(float64(elapsed) / float64(done) * float64(st.Total-done)).Round(time.Second)
		eta = left.String()
	}
	return T("bc.progress", "Done", done, "Total", st.Total, "Bar", bar, "ETA", eta, "Sent", st.Sent, "Blocked", st.Blocked, "Failed", st.Failed)
}

// BroadcastReport is the admin's final report.
func BroadcastReport(st *BroadcastState) Text {
	id := "bc.report"
	if st.Status == BcCancelled {
		id = "bc.report_cancelled"
	}
	members := T(id, "Count", st.Total, "Sent", st.Sent, "Blocked", st.Blocked, "Failed", st.Failed,
		"Uncertain", st.Uncertain, "Duration", st.Finished.Sub(st.Started).Round(time.Second).String())
	if st.ChatTotal == 0 {
		return members
	}
	return T("bc.report_and_chats", "Members", members, "Chats", T("bc.report_chats", "Count", st.ChatTotal,
		"Sent", st.ChatSent, "Removed", st.ChatRemoved, "Failed", st.ChatFailed, "Uncertain", st.ChatUncertain))
}
