package flows

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"sinergi/locales"
)

// memStore is an in-memory Store for engine tests.
type memStore struct {
	mu       sync.Mutex
	users    map[int64]User
	profiles map[int64]Profile
	invites  map[string]Invite
	ws       memWorkshops
	mm       memPartners
	bc       map[string]*Broadcast
	cm       map[string]Commitment
	audit    []*AuditEntry
}

func newMemStore() *memStore {
	return &memStore{users: map[int64]User{}, profiles: map[int64]Profile{}, invites: map[string]Invite{}}
}

func (m *memStore) GetUser(_ context.Context, id int64) (*User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[id]
	if !ok {
		return nil, ErrNotFound
	}
	return &u, nil
}

func (m *memStore) SaveUser(_ context.Context, u *User) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.users[u.ID] = *u
	return nil
}

func (m *memStore) SetRole(_ context.Context, id int64, role Role) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[id]
	if !ok {
		return ErrNotFound
	}
	u.Role = role
	m.users[id] = u
	return nil
}

func (m *memStore) GetProfile(_ context.Context, id int64) (*Profile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.profiles[id]
	if !ok {
		return nil, ErrNotFound
	}
	return &p, nil
}

func (m *memStore) SaveProfile(_ context.Context, p *Profile) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.profiles[p.UserID] = *p
	return nil
}

func (m *memStore) RemoveProfile(_ context.Context, id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.profiles, id)
	return nil
}

func (m *memStore) CreateInvite(_ context.Context, inv *Invite, _ time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.invites[inv.Token] = *inv
	return nil
}

func (m *memStore) TakeInvite(_ context.Context, token string) (*Invite, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	inv, ok := m.invites[token]
	if !ok {
		return nil, ErrNotFound
	}
	delete(m.invites, token)
	return &inv, nil
}

// harness drives an engine the way the transport does: it keeps each user's
// record and each chat's session between inputs.
type harness struct {
	t     *testing.T
	e     *Engine
	store *memStore
	texts *locales.Catalog
	sess  map[int64]*Session
	upd   int64
	now   time.Time
}

const adminID = 900

func newHarness(t *testing.T) *harness {
	t.Helper()
	texts, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	st := newMemStore()
	e := New(Config{BotUsername: "sinergi_test_bot", Admins: []int64{adminID}, DefaultLang: "id"}, st, texts, allModules()...)
	return &harness{t: t, e: e, store: st, texts: texts, sess: map[int64]*Session{},
		now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
}

// send runs one input from user id in their private chat.
func (h *harness) send(id int64, in Input) *Result {
	h.t.Helper()
	h.upd++
	in.UpdateID, in.UserID, in.Now = h.upd, id, h.now
	if in.ChatID == 0 {
		in.ChatID = id
	}
	in.Private = in.ChatID == id
	if in.FirstName == "" {
		in.FirstName = "User"
	}
	var u *User
	if got, err := h.store.GetUser(context.Background(), id); err == nil {
		u = got
	}
	res, err := h.e.Handle(context.Background(), in, u, h.sess[id])
	if err != nil {
		h.t.Fatalf("handle %+v: %v", in, err)
	}
	if res.UserChanged { // as the transport's commit
		_ = h.store.SaveUser(context.Background(), res.User)
	}
	if in.Private {
		h.sess[id] = res.Session
	}
	h.check(res)
	return res
}

func (h *harness) text(id int64, s string) *Result {
	h.t.Helper()
	in := Input{Kind: KindText, Text: s}
	if strings.HasPrefix(s, "/") {
		cmd, args, _ := strings.Cut(s[1:], " ")
		in = Input{Kind: KindCommand, Text: s, Command: cmd, Args: args}
	}
	return h.send(id, in)
}

func (h *harness) press(id int64, data string) *Result {
	h.t.Helper()
	return h.send(id, Input{Kind: KindCallback, Callback: data, MessageID: 42})
}

// check renders every reply, nested messages included, through the real
// catalog (so a missing message id or plural count fails) and validates
// button data.
func (h *harness) check(res *Result) {
	h.t.Helper()
	render := func(lang string, t Text) { h.render(lang, t) }
	for _, r := range res.Replies {
		if r.Text.ID != "" {
			render(res.User.Lang, r.Text)
		}
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Literal == "" {
					render(res.User.Lang, b.Label)
				}
				if b.URL == "" && (len(b.Data) == 0 || len(b.Data) > 64 || !callbackData.MatchString(b.Data)) {
					h.t.Errorf("button %q has invalid data %q", b.Label.ID, b.Data)
				}
			}
		}
	}
	if res.Answer != nil {
		render(res.User.Lang, res.Answer.Text)
	}
}

// ids lists the message ids of the replies.
func ids(res *Result) []string {
	var out []string
	for _, r := range res.Replies {
		if r.Text.ID != "" {
			out = append(out, r.Text.ID)
		} else if r.ClearButtons {
			out = append(out, "(clear buttons)")
		}
	}
	return out
}

// button finds the data of the button whose label id or literal is label.
func button(t *testing.T, res *Result, label string) string {
	t.Helper()
	for _, r := range res.Replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Label.ID == label || b.Literal == label {
					return b.Data
				}
			}
		}
	}
	t.Fatalf("no button %q in %v", label, ids(res))
	return ""
}
