package bot_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"sinergi/bot"
	"sinergi/bot/storetest"
	"sinergi/bot/telegramtest"
	"sinergi/flows"
	"sinergi/flows/flowstest"
	"sinergi/flows/transport"
	"sinergi/locales"
)

// memTransport is an in-memory bot.Store for transport tests where Redis is
// not the point. It keeps what the Redis store keeps on the update path,
// with the same meaning: the polling inbox and offset, a lock per chat,
// the dedupe mark and session written by a Commit with the fields of the
// user record the update changed, and the chat's outbox (begun mark,
// pending chats, the last keyboard sent). Users live in the flows fake,
// which the engine reads, as they live in one Redis for both. The contract
// in bot/storetest holds it to the Redis store (TestMemoryStoreContract).
// Simplifications, harmless on that path: nothing expires (no lease, no
// session TTL), one process shares no send budget (no limits), and it is
// never unavailable.
//
// It runs no scheduler and no broadcasts: Jobs and Broadcasts are nil, and
// a call panics.
type memTransport struct {
	bot.Jobs
	bot.Broadcasts
	users *flowstest.Store

	mu       sync.Mutex
	inbox    map[int64][]byte
	offset   int64
	handled  map[[2]int64]bool // chat, update: the dedupe marks
	sessions map[int64][]byte  // chat -> JSON, as Redis keeps it
	outbox   map[int64][][]byte
	begun    map[int64]string
	pending  map[int64]time.Time
	keyboard map[int64]int           // chat -> the last message with buttons sent
	locks    map[int64]chan struct{} // a held lock fills its chat's channel
}

func newMemTransport(users *flowstest.Store) *memTransport {
	return &memTransport{users: users, inbox: map[int64][]byte{}, handled: map[[2]int64]bool{},
		sessions: map[int64][]byte{}, outbox: map[int64][][]byte{}, begun: map[int64]string{},
		pending: map[int64]time.Time{}, keyboard: map[int64]int{}, locks: map[int64]chan struct{}{}}
}

var _ bot.Store = (*memTransport)(nil)

// The contract's UpdatePath is bot.Store's update path, no more, no less.
var (
	_ storetest.UpdatePath = bot.Store(nil)
	_ interface {
		bot.Updates
		bot.Outbox
		bot.Users
	} = storetest.UpdatePath(nil)
)

// The in-memory bot.Store keeps the update-path contract (Redis:
// store/contract_test.go).
func TestMemoryStoreContract(t *testing.T) {
	storetest.RunUpdatePathContract(t, func(*testing.T) storetest.UpdatePath { return newMemTransport(flowstest.NewStore()) })
}

func (m *memTransport) SaveInbox(_ context.Context, items []transport.InboxItem, next int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, it := range items {
		m.inbox[it.ID] = it.Raw
	}
	m.offset = next
	return nil
}

func (m *memTransport) Offset(context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.offset, nil
}

func (m *memTransport) Inbox(context.Context) ([]transport.InboxItem, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var items []transport.InboxItem
	for id, raw := range m.inbox {
		items = append(items, transport.InboxItem{ID: id, Raw: raw})
	}
	slices.SortFunc(items, func(a, b transport.InboxItem) int { return int(a.ID - b.ID) })
	return items, nil
}

func (m *memTransport) AckInbox(_ context.Context, ids ...int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, id := range ids {
		delete(m.inbox, id)
	}
	return nil
}

// memLock is a held chat lock of a memTransport.
type memLock struct {
	ch   chan struct{}
	done atomic.Bool
}

func (l *memLock) release() {
	if l.done.CompareAndSwap(false, true) {
		<-l.ch
	}
}

func (l *memLock) Release(context.Context) error { l.release(); return nil }

// memLocker: the lease is not modelled (a process of a test does not die).
type memLocker struct{ m *memTransport }

func (m *memTransport) NewLocker(time.Duration) transport.Locker { return memLocker{m} }

func (l memLocker) Acquire(ctx context.Context, chat int64, maxWait time.Duration) (transport.Lock, error) {
	l.m.mu.Lock()
	ch, ok := l.m.locks[chat]
	if !ok {
		ch = make(chan struct{}, 1)
		l.m.locks[chat] = ch
	}
	l.m.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return &memLock{ch: ch}, nil
	default:
	}
	t := time.NewTimer(maxWait)
	defer t.Stop()
	select {
	case ch <- struct{}{}:
		return &memLock{ch: ch}, nil
	case <-t.C:
		return nil, fmt.Errorf("lock chat %d: %w", chat, transport.ErrLockBusy)
	case <-ctx.Done():
		return nil, fmt.Errorf("lock chat %d: %w", chat, ctx.Err())
	}
}

func (l memLocker) LockAndLoad(ctx context.Context, chat, user, upd int64, maxWait time.Duration) (transport.Lock, *transport.State, error) {
	lk, err := l.Acquire(ctx, chat, maxWait)
	if err != nil {
		return nil, nil, err
	}
	st, err := l.m.load(ctx, chat, user, upd)
	if err != nil {
		_ = lk.Release(ctx)
		return nil, nil, err
	}
	return lk, st, nil
}

func (m *memTransport) load(ctx context.Context, chat, user, upd int64) (*transport.State, error) {
	u, err := m.users.GetUser(ctx, user)
	switch {
	case errors.Is(err, flows.ErrNotFound):
		u = nil
	case err != nil:
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st := &transport.State{Dup: m.handled[[2]int64{chat, upd}], Outbox: int64(len(m.outbox[chat])), Keyboard: m.keyboard[chat], User: u}
	if b, ok := m.sessions[chat]; ok {
		st.Session = new(flows.Session)
		if err := json.Unmarshal(b, st.Session); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func (m *memTransport) Commit(ctx context.Context, c transport.Commit) error {
	var lock *memLock
	if c.Lock != nil {
		var ok bool
		if lock, ok = c.Lock.(*memLock); !ok {
			return fmt.Errorf("%T is not a lock of this store", c.Lock)
		}
	}
	var sess []byte
	if c.Session.Active() {
		var err error
		if sess, err = json.Marshal(c.Session); err != nil {
			return err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case c.Forget:
		// The flow forgot the user (flows.Privacy.ForgetUser); the commit
		// deletes their record and the session and sets no dedupe mark,
		// as Redis does. The flows fake deletes a record only with the
		// rest of the user's data, which is gone already: forgetting
		// again changes nothing else.
		if _, err := m.users.ForgetUser(ctx, c.ChatID, time.Now()); err != nil {
			return err
		}
		delete(m.sessions, c.ChatID)
	default:
		if c.User != nil {
			if err := m.writeUserLocked(ctx, c.UserBefore, c.User); err != nil {
				return err
			}
		}
		switch {
		case sess != nil:
			m.sessions[c.ChatID] = sess
		case c.Session != nil:
			delete(m.sessions, c.ChatID)
		}
		m.handled[[2]int64{c.ChatID, c.UpdateID}] = true
	}
	if c.FromInbox {
		delete(m.inbox, c.UpdateID)
	}
	if len(c.Outbox) > 0 {
		m.outbox[c.ChatID] = append(m.outbox[c.ChatID], c.Outbox...)
		m.pending[c.ChatID] = time.Now()
		if c.OutboxBegun != "" {
			m.begun[c.ChatID] = c.OutboxBegun
		}
	} else if lock != nil {
		lock.release()
	}
	return nil
}

func (m *memTransport) OutboxBegin(_ context.Context, chat int64, id string, pop bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if pop && len(m.outbox[chat]) > 0 {
		m.outbox[chat] = m.outbox[chat][1:]
	}
	m.begun[chat] = id
	return nil
}

func (m *memTransport) OutboxPop(_ context.Context, chat int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.outbox[chat]) > 0 {
		m.outbox[chat] = m.outbox[chat][1:]
	}
	return nil
}

func (m *memTransport) OutboxDone(_ context.Context, chat int64, held transport.Lock, release bool, keyboard int) error {
	lock, ok := held.(*memLock)
	if held != nil && !ok {
		return fmt.Errorf("%T is not a lock of this store", held)
	}
	m.mu.Lock()
	delete(m.outbox, chat)
	delete(m.begun, chat)
	delete(m.pending, chat)
	if keyboard != 0 {
		m.keyboard[chat] = keyboard
	}
	m.mu.Unlock()
	if release && lock != nil {
		lock.release()
	}
	return nil
}

func (m *memTransport) ReadOutbox(_ context.Context, chat int64) ([][]byte, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.outbox[chat]), m.begun[chat], nil
}

func (m *memTransport) PendingOutboxes(_ context.Context, olderThan time.Time, n int) ([]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []int64
	for chat, at := range m.pending {
		if at.UnixMilli() <= olderThan.UnixMilli() {
			out = append(out, chat)
		}
	}
	// As Redis's sorted set: by commit time (ms), equal times by the chat
	// id as a string.
	slices.SortFunc(out, func(a, b int64) int {
		return cmp.Or(cmp.Compare(m.pending[a].UnixMilli(), m.pending[b].UnixMilli()),
			strings.Compare(strconv.FormatInt(a, 10), strconv.FormatInt(b, 10)))
	})
	if n > 0 { // Redis: no LIMIT for n <= 0
		out = out[:min(n, len(out))]
	}
	return out, nil
}

func (m *memTransport) GetUser(ctx context.Context, id int64) (*flows.User, error) {
	return m.users.GetUser(ctx, id)
}

// writeUserLocked writes the fields of the user record that differ between
// before and after (every set field of after when before is nil) and
// leaves the others as they are, as the Redis commit does: a write another
// chat made meanwhile (an inactive mark) stays.
func (m *memTransport) writeUserLocked(ctx context.Context, before, after *flows.User) error {
	cur, err := m.users.GetUser(ctx, after.ID)
	switch {
	case errors.Is(err, flows.ErrNotFound):
		cur = &flows.User{}
	case err != nil:
		return err
	}
	was, now, out := reflect.ValueOf(before), reflect.ValueOf(after).Elem(), reflect.ValueOf(cur).Elem()
	for i := range now.NumField() {
		f := now.Field(i)
		if (before == nil && !f.IsZero()) || (before != nil && !reflect.DeepEqual(was.Elem().Field(i).Interface(), f.Interface())) {
			out.Field(i).Set(f)
		}
	}
	return m.users.SaveUser(ctx, cur)
}

// MarkInactive flags an existing user; a missing one is not an error.
func (m *memTransport) MarkInactive(ctx context.Context, id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, err := m.users.GetUser(ctx, id)
	if errors.Is(err, flows.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	u.Inactive = true
	return m.users.SaveUser(ctx, u)
}

// The send budget: one process, no shared limits (the zero Bucket is none).
func (m *memTransport) GlobalBucket(float64, int) transport.Bucket { return transport.Bucket{} }
func (m *memTransport) ChatBucket(int64, time.Duration, int) transport.Bucket {
	return transport.Bucket{}
}
func (m *memTransport) Reserve(context.Context, time.Duration, ...transport.Bucket) (time.Duration, bool, error) {
	return 0, true, nil
}
func (m *memTransport) Pause(context.Context, time.Duration, ...transport.Bucket) error { return nil }
func (m *memTransport) Heartbeat(context.Context, string, time.Duration) (int, error) {
	return 1, nil
}

func (m *memTransport) Unavailable(error) bool { return false }

// The transport without Redis: /start is answered through the inbox, the
// chat lock, the commit and the outbox of an in-memory bot.Store, and the
// same update delivered again is recognised by its dedupe mark and not
// answered twice.
func TestTransportOnMemoryStore(t *testing.T) {
	fake := telegramtest.New()
	t.Cleanup(fake.Close)
	texts, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	users := flowstest.NewStore()
	mem := newMemTransport(users)
	lim := bot.DefaultLimits()
	lim.Global, lim.PerChat, lim.PerGroup = 0, 0, 0
	reg := prometheus.NewRegistry()
	ctx, cancel := context.WithCancel(context.Background())
	b, err := bot.New(ctx, bot.Config{Token: telegramtest.Token, APIURL: fake.URL(), PollTimeout: time.Second, Limits: lim, DefaultLang: "id"},
		bot.Deps{Store: mem, Texts: texts, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: bot.NewMetrics(reg),
			Engine: func(username string) *flows.Engine {
				return flows.New(flows.Config{BotUsername: username, DefaultLang: "id"}, users, texts)
			}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Polling(ctx, 5*time.Second) }()
	var once sync.Once
	stop := func() { // as SIGTERM: the updates in flight finish first
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("polling: %v", err)
			}
			b.Close()
		})
	}
	t.Cleanup(stop)

	u := telegramtest.User{ID: 1201, FirstName: "Ayu", LanguageCode: "id"}
	start := fake.SendText(u, "/start")
	msgs, err := fake.WaitBotMessages(u.ID, 1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msgs[0].Plain, "Halo Ayu") {
		t.Fatalf("welcome %q", msgs[0].Plain)
	}
	if got, err := users.GetUser(ctx, u.ID); err != nil || got.Lang != "id" {
		t.Fatalf("the commit did not save the user: %+v %v", got, err)
	}

	fake.Redeliver(start)
	fake.SendText(u, "/help") // handled after the redelivered update: the chat's updates run in order
	msgs, err = fake.WaitBotMessages(u.ID, 2, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msgs[1].Plain, "Sinergi — bantuan") {
		t.Fatalf("second reply %q, want the help (the welcome was sent again?)", msgs[1].Plain)
	}
	if n := updatesCounted(t, reg, "duplicate"); n != 1 {
		t.Fatalf("%v updates counted duplicate, want 1 (the redelivered /start)", n)
	}
	stop()
	mem.mu.Lock()
	defer mem.mu.Unlock()
	if len(mem.inbox) != 0 || len(mem.outbox) != 0 || len(mem.pending) != 0 {
		t.Fatalf("left behind: inbox %d, outboxes %d, pending %d", len(mem.inbox), len(mem.outbox), len(mem.pending))
	}
}

// updatesCounted reads sinergi_updates_handled_total for result, summed
// over kinds.
func updatesCounted(t *testing.T, reg *prometheus.Registry, result string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n float64
	for _, mf := range mfs {
		if mf.GetName() != "sinergi_updates_handled_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "result" && l.GetValue() == result {
					n += m.GetCounter().GetValue()
				}
			}
		}
	}
	return n
}
