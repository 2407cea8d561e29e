package flowstest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"sinergi/locales"

	"sinergi/flows"
)

// memStore is an in-memory Store for engine tests.
type Store struct {
	mu       sync.Mutex
	users    map[int64]flows.User
	profiles map[int64]flows.Profile
	invites  map[string]flows.Invite
	ws       memWorkshops
	mm       memPartners
	ch       memChapters
	bc       map[string]*flows.Broadcast
	bcStatus map[string]string // broadcast id -> flows.BcScheduled, BcCancelled
	cm       map[string]flows.Commitment
	audit    []*flows.AuditEntry
	anon     int64                      // the last stand-in for a forgotten user (mempriv.go)
	links    map[linkKey]flows.ChatLink // linked chats (memgroups.go)
	cards    map[string]map[linkKey]flows.Card
	forms    map[string][]flows.FormQuestion // workshop code -> its form (memforms.go)
	notices  map[string]int64                // workshop code -> last approval notice, unix ms (memnotice.go)
	agenda   map[string]*memAgenda           // workshop code -> its agenda (memagenda.go)
	winv     memInvites                      // invitations to invite-only workshops (meminvites.go)
	invMu    sync.Mutex                      // one registration by invitation at a time, as its script
	cert     memCerts                        // attendance corrections and certificates (memcert.go)
	meet     memMeetings                     // partner meetings (memmeet.go)
	sv       memSurveys                      // post-event surveys (memsurvey.go)

	// per-session attendance (memsatt.go): code -> uid -> session id -> marked
	satt map[string]map[int64]map[string]time.Time
}

func NewStore() *Store {
	m := &Store{users: map[int64]flows.User{}, profiles: map[int64]flows.Profile{}, invites: map[string]flows.Invite{}}
	m.chInit()
	return m
}

func (m *Store) GetUser(_ context.Context, id int64) (*flows.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[id]
	if !ok {
		return nil, flows.ErrNotFound
	}
	return &u, nil
}

func (m *Store) SaveUser(_ context.Context, u *flows.User) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.users[u.ID] = *u
	return nil
}

func (m *Store) SetRole(_ context.Context, id int64, role flows.Role) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[id]
	if !ok {
		return flows.ErrNotFound
	}
	u.Role = role
	m.users[id] = u
	return nil
}

func (m *Store) GetProfile(_ context.Context, id int64) (*flows.Profile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.profiles[id]
	if !ok {
		return nil, flows.ErrNotFound
	}
	return &p, nil
}

func (m *Store) SaveProfile(_ context.Context, p *flows.Profile) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.profiles[p.UserID] = *p
	return nil
}

func (m *Store) RemoveProfile(_ context.Context, id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.profiles, id)
	return nil
}

func (m *Store) CreateInvite(_ context.Context, inv *flows.Invite, _ time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.invites[inv.Token] = *inv
	return nil
}

func (m *Store) TakeInvite(_ context.Context, token string) (*flows.Invite, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	inv, ok := m.invites[token]
	if !ok {
		return nil, flows.ErrNotFound
	}
	delete(m.invites, token)
	return &inv, nil
}

// harness drives an engine the way the transport does: it keeps each user's
// record and each chat's session between inputs.
type Harness struct {
	T     *testing.T
	E     *flows.Engine
	Store *Store
	Texts *locales.Catalog
	Sess  map[int64]*flows.Session
	Upd   int64
	Now   time.Time
}

const AdminID = 900

func New(t *testing.T, modules func(*Store) []flows.Module) *Harness {
	t.Helper()
	return NewWith(t, func(*flows.Config) {}, modules)
}

// NewWith is New with the engine's configuration changed by configure.
func NewWith(t *testing.T, configure func(*flows.Config), modules func(*Store) []flows.Module) *Harness {
	t.Helper()
	texts, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	st := NewStore()
	cfg := flows.Config{BotUsername: "sinergi_test_bot", Admins: []int64{AdminID}, DefaultLang: "id"}
	configure(&cfg)
	e := flows.New(cfg, st, texts, modules(st)...)
	return &Harness{T: t, E: e, Store: st, Texts: texts, Sess: map[int64]*flows.Session{},
		Now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
}

// send runs one input from user id in their private chat.
func (h *Harness) Send(id int64, in flows.Input) *flows.Result {
	h.T.Helper()
	h.Upd++
	in.UpdateID, in.UserID, in.Now = h.Upd, id, h.Now
	if in.ChatID == 0 {
		in.ChatID = id
	}
	in.Private = in.ChatID == id
	if in.FirstName == "" {
		in.FirstName = "User"
	}
	var u *flows.User
	if got, err := h.Store.GetUser(context.Background(), id); err == nil {
		u = got
	}
	res, err := h.E.Handle(context.Background(), in, u, h.Sess[id])
	if err != nil {
		h.T.Fatalf("handle %+v: %v", in, err)
	}
	if res.UserChanged { // as the transport's commit
		_ = h.Store.SaveUser(context.Background(), res.User)
	}
	if in.Private {
		h.Sess[id] = res.Session
	}
	h.Check(res)
	return res
}

func (h *Harness) Text(id int64, s string) *flows.Result {
	h.T.Helper()
	in := flows.Input{Kind: flows.KindText, Text: s}
	if strings.HasPrefix(s, "/") {
		cmd, args, _ := strings.Cut(s[1:], " ")
		in = flows.Input{Kind: flows.KindCommand, Text: s, Command: cmd, Args: args}
	}
	return h.Send(id, in)
}

func (h *Harness) Press(id int64, data string) *flows.Result {
	h.T.Helper()
	return h.Send(id, flows.Input{Kind: flows.KindCallback, Callback: data, MessageID: 42})
}

// check renders every reply, nested messages included, through the real
// catalog (so a missing message id or plural count fails) and validates
// button data: each is for a route of the engine, by its name.
func (h *Harness) Check(res *flows.Result) {
	h.T.Helper()
	render := func(lang string, t flows.Text) { h.Render(lang, t) }
	for _, r := range res.Replies {
		if r.Text.ID != "" {
			render(res.User.Lang, r.Text)
		}
		if r.MenuApp != nil && r.MenuApp.URL != "" {
			render(res.User.Lang, r.MenuApp.Label)
		}
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Literal == "" {
					render(res.User.Lang, b.Label)
				}
				if b.URL == "" && b.WebApp == "" {
					if err := h.E.CheckButtonData(b.Data); err != nil {
						h.T.Errorf("button %q: %v", b.Label.ID, err)
					}
				}
			}
		}
	}
	if res.Answer != nil {
		render(res.User.Lang, res.Answer.Text)
	}
}

// ids lists the message ids of the replies.
func IDs(res *flows.Result) []string {
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
func ButtonData(t *testing.T, res *flows.Result, label string) string {
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
	t.Fatalf("no button %q in %v", label, IDs(res))
	return ""
}
