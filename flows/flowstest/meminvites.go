package flowstest

import (
	"context"
	"slices"
	"time"

	"sinergi/flows"
)

// memInvites is the in-memory flows.WorkshopInvites, as store/invites.go:
// a use counts while its registration stands.
type memInvites struct {
	invs map[string][]*flows.WorkshopInvite // code -> invitations, oldest first (Used: every use, live or not)
	held map[string]map[int64]string        // code -> uid -> token
}

func (m *Store) invLocked(code, token string) *flows.WorkshopInvite {
	for _, inv := range m.winv.invs[code] {
		if inv.Token == token {
			return inv
		}
	}
	return nil
}

// liveLocked drops the uses whose registration is gone, and says how many
// stand and whether uid's does.
func (m *Store) liveLocked(inv *flows.WorkshopInvite, uid int64) (int, bool) {
	inv.Used = slices.DeleteFunc(inv.Used, func(id int64) bool { return m.regLocked(inv.Workshop, id) == nil })
	return len(inv.Used), slices.Contains(inv.Used, uid)
}

func (m *Store) CreateWorkshopInvite(_ context.Context, inv *flows.WorkshopInvite) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	if _, ok := m.ws.ws[inv.Workshop]; !ok {
		return flows.ErrNotFound
	}
	if m.winv.invs == nil {
		m.winv.invs = map[string][]*flows.WorkshopInvite{}
	}
	if len(m.winv.invs[inv.Workshop]) >= flows.MaxInvites {
		return flows.ErrTooManyInvites
	}
	cp := *inv
	cp.Quota = max(cp.Quota, 1)
	cp.Created = time.UnixMilli(cp.Created.UnixMilli()).UTC()
	cp.Used = nil
	m.winv.invs[inv.Workshop] = append(m.winv.invs[inv.Workshop], &cp)
	return nil
}

func (m *Store) WorkshopInvites(_ context.Context, code string) ([]*flows.WorkshopInvite, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	var out []*flows.WorkshopInvite
	for _, inv := range m.winv.invs[code] {
		cp := *inv
		cp.Used = slices.DeleteFunc(slices.Clone(inv.Used), func(id int64) bool { return m.regLocked(code, id) == nil })
		if len(cp.Used) == 0 {
			cp.Used = nil
		}
		out = append(out, &cp)
	}
	return out, nil
}

func (m *Store) RevokeWorkshopInvite(_ context.Context, code, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := slices.IndexFunc(m.winv.invs[code], func(inv *flows.WorkshopInvite) bool { return inv.Token == token })
	if i < 0 {
		return flows.ErrNotFound
	}
	m.winv.invs[code] = slices.Delete(m.winv.invs[code], i, i+1)
	return nil
}

func (m *Store) HoldWorkshopInvite(_ context.Context, code, token string, uid int64) (*flows.WorkshopInvite, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	inv := m.invLocked(code, token)
	if inv == nil {
		return nil, flows.ErrInviteGone
	}
	if n, mine := m.liveLocked(inv, uid); !mine && n >= inv.Quota {
		return nil, flows.ErrInviteUsed
	}
	if m.winv.held == nil {
		m.winv.held = map[string]map[int64]string{}
	}
	if m.winv.held[code] == nil {
		m.winv.held[code] = map[int64]string{}
	}
	m.winv.held[code][uid] = token
	cp := *inv
	cp.Used = nil
	return &cp, nil
}

func (m *Store) HeldWorkshopInvite(_ context.Context, code string, uid int64) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	tok := m.winv.held[code][uid]
	if tok == "" || m.invLocked(code, tok) == nil {
		return "", nil
	}
	return tok, nil
}

func (m *Store) RegisterInvited(ctx context.Context, r *flows.Registration, now time.Time) (*flows.Registration, error) {
	m.invMu.Lock()
	defer m.invMu.Unlock()
	m.mu.Lock()
	m.wsInit()
	tok := m.winv.held[r.Workshop][r.UserID]
	inv := m.invLocked(r.Workshop, tok)
	var refusal error
	switch {
	case tok == "":
		refusal = flows.ErrNoInvite
	case inv == nil:
		refusal = flows.ErrInviteGone
	default:
		if n, mine := m.liveLocked(inv, r.UserID); !mine && n >= inv.Quota {
			refusal = flows.ErrInviteUsed
		}
	}
	m.mu.Unlock()
	if refusal != nil {
		return nil, refusal
	}
	got, err := m.register(r, now, true)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if inv := m.invLocked(r.Workshop, tok); inv != nil && !slices.Contains(inv.Used, r.UserID) {
		inv.Used = append(inv.Used, r.UserID)
	}
	return got, nil
}

// forgetWorkshopInvitesLocked takes uid out of every invitation: whom they
// held and which they used.
func (m *Store) forgetWorkshopInvitesLocked(uid int64) {
	for code, held := range m.winv.held {
		delete(held, uid)
		for _, inv := range m.winv.invs[code] {
			inv.Used = slices.DeleteFunc(inv.Used, func(id int64) bool { return id == uid })
		}
	}
}
