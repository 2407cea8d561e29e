package flowstest

import (
	"context"
	"slices"
	"time"

	"sinergi/flows"
)

// memPartners is the in-memory Partners for engine tests: it ranks by brute
// force with Rank, which the Redis store must agree with.
type memPartners struct {
	profiles map[int64]flows.PartnerProfile
	skip     map[int64]map[int64]bool
	intros   map[string]flows.Introduction
	pair     map[[2]int64]string
}

func (m *Store) mmInit() {
	if m.mm.profiles == nil {
		m.mm = memPartners{profiles: map[int64]flows.PartnerProfile{}, skip: map[int64]map[int64]bool{},
			intros: map[string]flows.Introduction{}, pair: map[[2]int64]string{}}
	}
}

func PairOf(a, b int64) [2]int64 {
	if a > b {
		a, b = b, a
	}
	return [2]int64{a, b}
}

func (m *Store) GetPartner(_ context.Context, uid int64) (*flows.PartnerProfile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	p, ok := m.mm.profiles[uid]
	if !ok {
		return nil, flows.ErrNotFound
	}
	p.Themes, p.Provinces, p.Offers, p.Needs = slices.Clone(p.Themes), slices.Clone(p.Provinces), slices.Clone(p.Offers), slices.Clone(p.Needs)
	return &p, nil
}

func (m *Store) SavePartner(_ context.Context, p *flows.PartnerProfile) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	m.mm.profiles[p.UserID] = *p
	return nil
}

func (m *Store) DeletePartner(_ context.Context, uid int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	if _, ok := m.mm.profiles[uid]; !ok {
		return flows.ErrNotFound
	}
	delete(m.mm.profiles, uid)
	delete(m.mm.skip, uid)
	return nil
}

func (m *Store) SuggestPartners(_ context.Context, q flows.MatchQuery) ([]*flows.PartnerProfile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	var all []*flows.PartnerProfile
	for uid, p := range m.mm.profiles {
		if !p.Visible || m.mm.skip[q.Me.UserID][uid] || m.users[uid].Inactive || m.users[uid].Consent == "" {
			continue
		}
		all = append(all, &p)
	}
	var out []*flows.PartnerProfile
	for _, r := range flows.Rank(q.Me, all, q.Filter) {
		if len(out) == q.Limit {
			break
		}
		out = append(out, r.Profile)
	}
	return out, nil
}

func (m *Store) NotInterested(_ context.Context, uid, other int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	if m.mm.skip[uid] == nil {
		m.mm.skip[uid] = map[int64]bool{}
	}
	m.mm.skip[uid][other] = true
	return nil
}

func (m *Store) pendingLocked(uid int64) int {
	n := 0
	for _, in := range m.mm.intros {
		if in.From == uid && in.Status == flows.IntroPending {
			n++
		}
	}
	return n
}

func (m *Store) RequestIntro(_ context.Context, in *flows.Introduction, cooldown time.Duration, max int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	if id, ok := m.mm.pair[PairOf(in.From, in.To)]; ok {
		switch cur := m.mm.intros[id]; {
		case cur.Status == flows.IntroPending:
			return flows.ErrIntroPending
		case cur.Status == flows.IntroAccepted:
			return flows.ErrIntroConnected
		case cur.Status == flows.IntroDeclined && in.Created.Before(cur.Decided.Add(cooldown)):
			return flows.ErrIntroCooldown
		}
	}
	if m.pendingLocked(in.From) >= max {
		return flows.ErrTooManyIntros
	}
	m.mm.intros[in.ID] = *in
	m.mm.pair[PairOf(in.From, in.To)] = in.ID
	return nil
}

func (m *Store) GetIntro(_ context.Context, id string) (*flows.Introduction, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	in, ok := m.mm.intros[id]
	if !ok {
		return nil, flows.ErrNotFound
	}
	return &in, nil
}

func (m *Store) PendingSent(_ context.Context, uid int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	return m.pendingLocked(uid), nil
}

func (m *Store) PairIntro(_ context.Context, a, b int64) (*flows.Introduction, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	id, ok := m.mm.pair[PairOf(a, b)]
	if !ok {
		return nil, flows.ErrNotFound
	}
	in := m.mm.intros[id]
	return &in, nil
}

func (m *Store) DecideIntro(_ context.Context, id string, actor int64, status flows.IntroStatus, now time.Time) (*flows.Introduction, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mmInit()
	in, ok := m.mm.intros[id]
	if !ok {
		return nil, flows.ErrNotFound
	}
	party := in.To
	if status == flows.IntroWithdrawn {
		party = in.From
	}
	if party != actor {
		return nil, flows.ErrIntroForbidden
	}
	if in.Status != flows.IntroPending {
		return nil, flows.ErrIntroDecided
	}
	in.Status, in.Decided = status, now
	m.mm.intros[id] = in
	return &in, nil
}

func (m *Store) UserIntros(_ context.Context, uid int64, limit int) (sent, received []*flows.Introduction, err error) {
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
	newest := func(a, b *flows.Introduction) int { return b.Created.Compare(a.Created) }
	slices.SortFunc(sent, newest)
	slices.SortFunc(received, newest)
	return sent[:min(limit, len(sent))], received[:min(limit, len(received))], nil
}
