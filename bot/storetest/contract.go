// Package storetest holds the contract of the transport's storage on the
// update path: the cases every implementation of those parts of bot.Store
// must pass — the in-memory one of the transport's tests
// (bot/memstore_test.go) and the Redis store (store/contract_test.go), a
// real redis-server, which is the reference.
//
// It lives under bot/ because bot.Store is bot's, and it imports neither
// bot nor store: the store's tests can run it without depending on the
// transport, and the transport's (non-test) code never imports it. Its
// UpdatePath is bot.Updates, bot.Outbox and bot.Users spelled out; the
// transport's tests check that the two stay the same method set.
package storetest

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/transport"
)

// UpdatePath is what the contract reads and writes: the polling inbox and
// offset, the chat lock taken with the state, the commit, the outbox, and
// the user records the transport reads and marks.
type UpdatePath interface {
	SaveInbox(ctx context.Context, items []transport.InboxItem, nextOffset int64) error
	Offset(ctx context.Context) (int64, error)
	Inbox(ctx context.Context) ([]transport.InboxItem, error)
	AckInbox(ctx context.Context, ids ...int64) error
	NewLocker(lease time.Duration) transport.Locker
	Commit(ctx context.Context, c transport.Commit) error

	OutboxBegin(ctx context.Context, chat int64, id string, pop bool) error
	OutboxPop(ctx context.Context, chat int64) error
	OutboxDone(ctx context.Context, chat int64, lock transport.Lock, release bool, keyboard int) error
	ReadOutbox(ctx context.Context, chat int64) (entries [][]byte, begun string, err error)
	PendingOutboxes(ctx context.Context, olderThan time.Time, n int) ([]int64, error)

	GetUser(ctx context.Context, id int64) (*flows.User, error)
	MarkInactive(ctx context.Context, id int64) error
}

// busyWait is how long a case waits for a lock it expects to stay held.
const busyWait = 30 * time.Millisecond

var clock = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

type check struct {
	ctx context.Context
	s   UpdatePath
	l   transport.Locker
}

// load takes chat's lock with its state for update upd of user; the lock
// is released when the case ends (after a commit that carried it, that
// does nothing).
func (c *check) load(t *testing.T, chat, user, upd int64) (transport.Lock, *transport.State) {
	t.Helper()
	lk, st, err := c.l.LockAndLoad(c.ctx, chat, user, upd, time.Second)
	if err != nil {
		t.Fatalf("LockAndLoad chat %d update %d: %v", chat, upd, err)
	}
	t.Cleanup(func() { _ = lk.Release(context.Background()) })
	return lk, st
}

// state loads and releases: the state of update upd as the next handler
// would find it.
func (c *check) state(t *testing.T, chat, user, upd int64) *transport.State {
	t.Helper()
	lk, st := c.load(t, chat, user, upd)
	if err := lk.Release(c.ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

// busy checks that chat's lock is held by someone else.
func (c *check) busy(t *testing.T, chat int64) {
	t.Helper()
	lk, err := c.l.Acquire(c.ctx, chat, busyWait)
	if err == nil {
		_ = lk.Release(c.ctx)
		t.Fatalf("chat %d: lock taken while it should be held", chat)
	}
	if !errors.Is(err, transport.ErrLockBusy) {
		t.Fatalf("chat %d: Acquire while held: %v, want ErrLockBusy", chat, err)
	}
}

// free checks that chat's lock can be taken (and gives it back).
func (c *check) free(t *testing.T, chat int64) {
	t.Helper()
	lk, err := c.l.Acquire(c.ctx, chat, busyWait)
	if err != nil {
		t.Fatalf("chat %d: lock not free: %v", chat, err)
	}
	if err := lk.Release(c.ctx); err != nil {
		t.Fatal(err)
	}
}

func (c *check) commit(t *testing.T, cm transport.Commit) {
	t.Helper()
	if err := c.s.Commit(c.ctx, cm); err != nil {
		t.Fatalf("Commit chat %d update %d: %v", cm.ChatID, cm.UpdateID, err)
	}
}

func (c *check) inbox(t *testing.T, want ...int64) {
	t.Helper()
	items, err := c.s.Inbox(c.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, it := range items {
		if string(it.Raw) != `{"update_id":`+itoa(it.ID)+`}` {
			t.Fatalf("inbox item %d holds %q", it.ID, it.Raw)
		}
		got = append(got, it.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Inbox = %v, want %v", got, want)
	}
}

func (c *check) outbox(t *testing.T, chat int64, wantBegun string, want ...string) {
	t.Helper()
	es, begun, err := c.s.ReadOutbox(c.ctx, chat)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, string(e))
	}
	if !slices.Equal(got, want) || begun != wantBegun {
		t.Fatalf("ReadOutbox %d = %q begun %q, want %q begun %q", chat, got, begun, want, wantBegun)
	}
}

func (c *check) pending(t *testing.T, olderThan time.Time, n int, want ...int64) {
	t.Helper()
	got, err := c.s.PendingOutboxes(c.ctx, olderThan, n)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("PendingOutboxes(%d) = %v, want %v", n, got, want)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func items(ids ...int64) []transport.InboxItem {
	var out []transport.InboxItem
	for _, id := range ids {
		out = append(out, transport.InboxItem{ID: id, Raw: []byte(`{"update_id":` + itoa(id) + `}`)})
	}
	return out
}

func user(id int64) *flows.User {
	return &flows.User{ID: id, Lang: "id", FirstName: "Sari", Username: "sari_w", Consent: flows.ConsentVersion,
		Created: clock, Seen: clock}
}

var cases = []struct {
	name string
	run  func(t *testing.T, c *check)
}{
	{"the inbox keeps updates in id order until handled, and the offset", func(t *testing.T, c *check) {
		if off, err := c.s.Offset(c.ctx); err != nil || off != 0 {
			t.Fatalf("Offset of nothing = %d, %v", off, err)
		}
		c.inbox(t)
		if err := c.s.SaveInbox(c.ctx, items(12, 10), 13); err != nil {
			t.Fatal(err)
		}
		if err := c.s.SaveInbox(c.ctx, items(11, 12), 14); err != nil { // 12 again: stored once
			t.Fatal(err)
		}
		if off, err := c.s.Offset(c.ctx); err != nil || off != 14 {
			t.Fatalf("Offset = %d, %v; want 14", off, err)
		}
		c.inbox(t, 10, 11, 12)
		if err := c.s.AckInbox(c.ctx, 10, 99); err != nil {
			t.Fatal(err)
		}
		c.inbox(t, 11, 12)
		c.commit(t, transport.Commit{ChatID: 1, UpdateID: 12, FromInbox: true})
		c.commit(t, transport.Commit{ChatID: 1, UpdateID: 11}) // not from the inbox: it stays
		c.inbox(t, 11)
		if err := c.s.SaveInbox(c.ctx, nil, 15); err != nil {
			t.Fatal(err)
		}
		if off, err := c.s.Offset(c.ctx); err != nil || off != 15 {
			t.Fatalf("Offset = %d, %v; want 15", off, err)
		}
	}},
	{"a new chat loads empty", func(t *testing.T, c *check) {
		if st := c.state(t, 1, 1, 100); *st != (transport.State{}) {
			t.Fatalf("state of a new chat = %+v", st)
		}
	}},
	{"a commit writes the user, the session and the dedupe mark", func(t *testing.T, c *check) {
		lk, _ := c.load(t, 1, 1, 100)
		u := user(1)
		sess := &flows.Session{Version: flows.SessionVersion, Flow: "profile", Step: "org", Nonce: "ab1",
			Data: map[string]string{"name": "<b>Tom & Jerry</b>"}, Started: clock}
		c.commit(t, transport.Commit{ChatID: 1, UpdateID: 100, User: u, Session: sess, Lock: lk})
		st := c.state(t, 1, 1, 100)
		if !st.Dup || st.User == nil || *st.User != *u || st.Session == nil || st.Session.Step != "org" ||
			st.Session.Data["name"] != "<b>Tom & Jerry</b>" || !st.Session.Started.Equal(clock) {
			t.Fatalf("state after the commit = %+v (user %+v, session %+v)", st, st.User, st.Session)
		}
		if st := c.state(t, 1, 1, 101); st.Dup || st.Session == nil {
			t.Fatalf("the next update's state = %+v", st)
		}
		if got, err := c.s.GetUser(c.ctx, 1); err != nil || *got != *u {
			t.Fatalf("GetUser = %+v, %v; want %+v", got, err, u)
		}
		// A commit without a session leaves it; an ended one deletes it.
		c.commit(t, transport.Commit{ChatID: 1, UpdateID: 101})
		if st := c.state(t, 1, 1, 102); st.Session == nil {
			t.Fatal("a commit without a session deleted it")
		}
		c.commit(t, transport.Commit{ChatID: 1, UpdateID: 102, Session: &flows.Session{Version: flows.SessionVersion}})
		if st := c.state(t, 1, 1, 103); st.Session != nil {
			t.Fatalf("an ended session stayed: %+v", st.Session)
		}
	}},
	{"a commit writes only the fields its update changed", func(t *testing.T, c *check) {
		before := user(1)
		c.commit(t, transport.Commit{ChatID: 1, UpdateID: 100, User: before})
		// Another chat's write meanwhile: the bot was blocked.
		if err := c.s.MarkInactive(c.ctx, 1); err != nil {
			t.Fatal(err)
		}
		after := *before
		after.Lang, after.LangSet, after.Username = "en", true, ""
		c.commit(t, transport.Commit{ChatID: 1, UpdateID: 101, User: &after, UserBefore: before})
		want := after
		want.Inactive = true
		if got, err := c.s.GetUser(c.ctx, 1); err != nil || *got != want {
			t.Fatalf("GetUser = %+v, %v; want %+v", got, err, want)
		}
	}},
	{"in a group the user record is the user's, the session the chat's", func(t *testing.T, c *check) {
		lk, _ := c.load(t, -100, 5, 7)
		c.commit(t, transport.Commit{ChatID: -100, UpdateID: 7, User: user(5), Lock: lk,
			Session: &flows.Session{Version: flows.SessionVersion, Flow: "report", Step: "pick", Started: clock}})
		if st := c.state(t, -100, 5, 8); st.User == nil || st.User.ID != 5 || st.Session == nil || st.Session.Flow != "report" {
			t.Fatalf("the group's state = %+v", st)
		}
		if st := c.state(t, 5, 5, 7); st.Dup || st.User == nil || st.Session != nil {
			t.Fatalf("the user's private chat = %+v", st)
		}
	}},
	{"the chat lock: one holder at a time, freed by a commit without replies", func(t *testing.T, c *check) {
		lk, _ := c.load(t, 1, 1, 100)
		c.busy(t, 1)
		c.free(t, 2) // per chat
		c.commit(t, transport.Commit{ChatID: 1, UpdateID: 100, Lock: lk})
		c.free(t, 1)
		if err := lk.Release(c.ctx); err != nil { // after the commit: nothing to do
			t.Fatal(err)
		}
		held, err := c.l.Acquire(c.ctx, 1, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.busy(t, 1)
		if err := held.Release(c.ctx); err != nil {
			t.Fatal(err)
		}
		c.free(t, 1)
	}},
	{"a commit with replies keeps the lock until its outbox is done", func(t *testing.T, c *check) {
		lk, _ := c.load(t, 1, 1, 100)
		c.commit(t, transport.Commit{ChatID: 1, UpdateID: 100, Lock: lk, Outbox: [][]byte{[]byte("a"), []byte("b"), []byte("c")}, OutboxBegun: "a"})
		c.busy(t, 1)
		c.outbox(t, 1, "a", "a", "b", "c")
		if err := c.s.OutboxBegin(c.ctx, 1, "b", true); err != nil { // a sent, b begins
			t.Fatal(err)
		}
		c.outbox(t, 1, "b", "b", "c")
		if err := c.s.OutboxPop(c.ctx, 1); err != nil { // b sent
			t.Fatal(err)
		}
		if err := c.s.OutboxBegin(c.ctx, 1, "c", false); err != nil {
			t.Fatal(err)
		}
		c.outbox(t, 1, "c", "c")
		if err := c.s.OutboxDone(c.ctx, 1, lk, false, 0); err != nil { // the lock is kept
			t.Fatal(err)
		}
		c.outbox(t, 1, "")
		c.busy(t, 1)
		if err := c.s.OutboxDone(c.ctx, 1, lk, true, 4242); err != nil {
			t.Fatal(err)
		}
		if st := c.state(t, 1, 1, 101); st.Outbox != 0 || st.Keyboard != 4242 || st.Dup {
			t.Fatalf("state after the outbox = %+v, want no outbox and keyboard 4242", st)
		}
		c.free(t, 1)
		if err := c.s.OutboxPop(c.ctx, 1); err != nil { // an empty outbox: nothing to pop
			t.Fatal(err)
		}
	}},
	{"an outbox left behind is pending and counted in the next state", func(t *testing.T, c *check) {
		before := time.Now().Add(-time.Minute)
		c.commit(t, transport.Commit{ChatID: 1, UpdateID: 100, Outbox: [][]byte{[]byte("a"), []byte("b")}, OutboxBegun: "a"})
		c.commit(t, transport.Commit{ChatID: 2, UpdateID: 100, Outbox: [][]byte{[]byte("x")}})
		c.commit(t, transport.Commit{ChatID: 3, UpdateID: 100})
		later := time.Now().Add(time.Minute)
		c.pending(t, later, 10, 1, 2)
		c.pending(t, before, 10)
		if got, err := c.s.PendingOutboxes(c.ctx, later, 1); err != nil || len(got) != 1 {
			t.Fatalf("PendingOutboxes(1) = %v, %v", got, err)
		}
		if st := c.state(t, 1, 1, 101); st.Outbox != 2 {
			t.Fatalf("state with an outbox of 2 = %+v", st)
		}
		c.outbox(t, 2, "", "x")
		if err := c.s.OutboxDone(c.ctx, 1, nil, false, 0); err != nil {
			t.Fatal(err)
		}
		c.pending(t, later, 10, 2)
	}},
	{"a forget commit deletes the record and the session, marks nothing, and frees the chat once the outbox is sent", func(t *testing.T, c *check) {
		for chat := int64(1); chat <= 2; chat++ {
			c.commit(t, transport.Commit{ChatID: chat, UpdateID: 100, User: user(chat),
				Session: &flows.Session{Version: flows.SessionVersion, Flow: "privacy", Step: "confirm", Started: clock}})
		}
		if err := c.s.SaveInbox(c.ctx, items(101), 102); err != nil {
			t.Fatal(err)
		}
		lk, _ := c.load(t, 1, 1, 101)
		c.commit(t, transport.Commit{ChatID: 1, UpdateID: 101, Forget: true, FromInbox: true, Lock: lk,
			Session: &flows.Session{Version: flows.SessionVersion}, Outbox: [][]byte{[]byte("gone")}, OutboxBegun: "gone"})
		if _, err := c.s.GetUser(c.ctx, 1); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("GetUser of the forgotten: %v", err)
		}
		c.inbox(t)
		c.busy(t, 1) // until the reply is sent
		c.outbox(t, 1, "gone", "gone")
		if err := c.s.OutboxDone(c.ctx, 1, lk, true, 0); err != nil {
			t.Fatal(err)
		}
		if st := c.state(t, 1, 1, 101); st.Dup || st.User != nil || st.Session != nil || st.Outbox != 0 {
			t.Fatalf("the forgotten chat's state = %+v", st)
		}
		lk2, _ := c.load(t, 2, 2, 101)
		c.commit(t, transport.Commit{ChatID: 2, UpdateID: 101, Forget: true, Lock: lk2})
		c.free(t, 2)
		if u, err := c.s.GetUser(c.ctx, 2); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("GetUser of the second forgotten: %+v, %v", u, err)
		}
	}},
	{"pending outboxes: the oldest commit first, up to n", func(t *testing.T, c *check) {
		for _, chat := range []int64{3, 1, 2} {
			c.commit(t, transport.Commit{ChatID: chat, UpdateID: 100, Outbox: [][]byte{[]byte("a")}})
			nextMillisecond()
		}
		got, err := c.s.PendingOutboxes(c.ctx, time.Now().Add(time.Minute), 2)
		if err != nil || !slices.Equal(got, []int64{3, 1}) {
			t.Fatalf("PendingOutboxes(2) = %v, %v; want [3 1]", got, err)
		}
	}},
	{"a lock the store did not hand out is refused", func(t *testing.T, c *check) {
		if err := c.s.Commit(c.ctx, transport.Commit{ChatID: 1, UpdateID: 100, Lock: foreignLock{}}); err == nil {
			t.Fatal("a commit with a foreign lock was accepted")
		}
		if st := c.state(t, 1, 1, 100); st.Dup {
			t.Fatal("the refused commit wrote its dedupe mark")
		}
		if err := c.s.OutboxDone(c.ctx, 1, foreignLock{}, true, 0); err == nil {
			t.Fatal("OutboxDone with a foreign lock was accepted")
		}
	}},
	{"marking a user inactive changes that alone, and makes nobody", func(t *testing.T, c *check) {
		c.commit(t, transport.Commit{ChatID: 1, UpdateID: 100, User: user(1)})
		if err := c.s.MarkInactive(c.ctx, 1); err != nil {
			t.Fatal(err)
		}
		want := *user(1)
		want.Inactive = true
		if got, err := c.s.GetUser(c.ctx, 1); err != nil || *got != want {
			t.Fatalf("GetUser = %+v, %v; want %+v", got, err, want)
		}
		if err := c.s.MarkInactive(c.ctx, 2); err != nil {
			t.Fatal(err)
		}
		if _, err := c.s.GetUser(c.ctx, 2); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("GetUser after marking nobody inactive: %v", err)
		}
	}},
	{"a lock waited for is given up when the context ends", func(t *testing.T, c *check) {
		c.load(t, 1, 1, 100)
		ctx, cancel := context.WithCancel(c.ctx)
		cancel()
		if _, err := c.l.Acquire(ctx, 1, time.Minute); !errors.Is(err, context.Canceled) {
			t.Fatalf("Acquire with an ended context: %v", err)
		}
	}},
}

// nextMillisecond returns once the clock has moved to the next millisecond
// (what the stores keep of a commit's time).
func nextMillisecond() {
	for ms := time.Now().UnixMilli(); time.Now().UnixMilli() == ms; {
		runtime.Gosched()
	}
}

// foreignLock is a transport.Lock no store handed out.
type foreignLock struct{}

func (foreignLock) Release(context.Context) error { return nil }

// RunUpdatePathContract runs the contract against stores open makes, a
// fresh one per case.
func RunUpdatePathContract(t *testing.T, open func(t *testing.T) UpdatePath) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			tc.run(t, &check{ctx: context.Background(), s: s, l: s.NewLocker(10 * time.Second)})
		})
	}
}
