package flows

import (
	"context"
	"slices"
	"time"
)

// memPartners is the in-memory Partners for engine tests: it ranks by brute
// force with Rank, which the Redis store must agree with.
type memPartners struct {
	profiles map[int64]PartnerProfile
	skip     map[int64]map[int64]bool
	intros   map[string]Introduction
	pair     map[[2]int64]string
}

func (m *memStore) mmInit() {
	if m.mm.profiles == nil {
		m.mm = memPartners{profiles: map[int64]PartnerProfile{}, skip: map[int64]map[int64]bool{},
			intros: map[string]Introduction{}, pair: map[[2]int64]string{}}
	}
}

func pairOf(a, b int64) [2]int64 {
	if a > b {
		a, b = b, a
	}
	return [2]int64{a, b}
}

func (m *memStore) GetPartner(_ context.Context, uid int64) (*PartnerProfile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	p, ok := m.mm.profiles[uid]
	if !ok {
		return nil, ErrNotFound
	}
	p.Themes, p.Provinces, p.Offers, p.Needs = slices.Clone(p.Themes), slices.Clone(p.Provinces), slices.Clone(p.Offers), slices.Clone(p.Needs)
	return &p, nil
}

func (m *memStore) SavePartner(_ context.Context, p *PartnerProfile) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	m.mm.profiles[p.UserID] = *p
	return nil
}

func (m *memStore) DeletePartner(_ context.Context, uid int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	if _, ok := m.mm.profiles[uid]; !ok {
		return ErrNotFound
	}
	delete(m.mm.profiles, uid)
	delete(m.mm.skip, uid)
	return nil
}

func (m *memStore) SuggestPartners(_ context.Context, q MatchQuery) ([]*PartnerProfile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	var all []*PartnerProfile
	for uid, p := range m.mm.profiles {
		if !p.Visible || m.mm.skip[q.Me.UserID][uid] || m.users[uid].Inactive || m.users[uid].Consent == "" {
			continue
		}
		all = append(all, &p)
	}
	var out []*PartnerProfile
	for _, r := range Rank(q.Me, all, q.Filter) {
		if len(out) == q.Limit {
			break
		}
		out = append(out, r.Profile)
	}
	return out, nil
}

func (m *memStore) NotInterested(_ context.Context, uid, other int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	if m.mm.skip[uid] == nil {
		m.mm.skip[uid] = map[int64]bool{}
	}
	m.mm.skip[uid][other] = true
	return nil
}

func (m *memStore) pendingLocked(uid int64) int {
	n := 0
	for _, in := range m.mm.intros {
		if in.From == uid && in.Status == IntroPending {
			n++
		}
	}
	return n
}

func (m *memStore) RequestIntro(_ context.Context, in *Introduction, cooldown time.Duration, max int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	if id, ok := m.mm.pair[pairOf(in.From, in.To)]; ok {
		switch cur := m.mm.intros[id]; {
		case cur.Status == IntroPending:
			return ErrIntroPending
		case cur.Status == IntroAccepted:
			return ErrIntroConnected
		case cur.Status == IntroDeclined && in.Created.Before(cur.Decided.Add(cooldown)):
			return ErrIntroCooldown
		}
	}
	if m.pendingLocked(in.From) >= max {
		return ErrTooManyIntros
	}
	m.mm.intros[in.ID] = *in
	m.mm.pair[pairOf(in.From, in.To)] = in.ID
	return nil
}

func (m *memStore) GetIntro(_ context.Context, id string) (*Introduction, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	in, ok := m.mm.intros[id]
	if !ok {
		return nil, ErrNotFound
	}
	return &in, nil
}

func (m *memStore) PendingSent(_ context.Context, uid int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	return m.pendingLocked(uid), nil
}

func (m *memStore) PairIntro(_ context.Context, a, b int64) (*Introduction, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	id, ok := m.mm.pair[pairOf(a, b)]
	if !ok {
		return nil, ErrNotFound
	}
	in := m.mm.intros[id]
	return &in, nil
}

func (m *memStore) DecideIntro(_ context.Context, id string, actor int64, status IntroStatus, now time.Time) (*Introduction, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	in, ok := m.mm.intros[id]
	if !ok {
		return nil, ErrNotFound
	}
	party := in.To
	if status == IntroWithdrawn {
		party = in.From
	}
	if party != actor {
		return nil, ErrIntroForbidden
	}
	if in.Status != IntroPending {
		return nil, ErrIntroDecided
	}
	in.Status, in.Decided = status, now
	m.mm.intros[id] = in
	return &in, nil
}

func (m *memStore) UserIntros(_ context.Context, uid int64, limit int) (sent, received []*Introduction, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	for _, in := range m.mm.intros {
		if in.From == uid {
			sent = append(sent, &in)
		}
		if in.To == uid {
			received = append(received, &in)
		}
	}
	newest := func(a, b *Introduction) int { return b.Created.Compare(a.Created) }
	slices.SortFunc(sent, newest)
	slices.SortFunc(received, newest)
	return sent[:min(limit, len(sent))], received[:min(limit, len(received))], nil
}
