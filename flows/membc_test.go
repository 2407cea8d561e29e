package flows

import (
	"context"
	"slices"
)

func (m *memStore) CreateBroadcast(_ context.Context, b *Broadcast) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.bc == nil {
		m.bc = map[string]*Broadcast{}
	}
	cp := *b
	m.bc[b.ID] = &cp
	return nil
}

func (m *memStore) GetBroadcast(_ context.Context, id string) (*Broadcast, *BroadcastState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.bc[id]
	if !ok {
		return nil, nil, ErrNotFound
	}
	return b, &BroadcastState{Status: BcScheduled}, nil
}

func (m *memStore) RecentBroadcasts(_ context.Context, limit int) ([]*Broadcast, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Broadcast
	for _, b := range m.bc {
		out = append(out, b)
	}
	return out[:min(limit, len(out))], nil
}

func (m *memStore) CancelBroadcast(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.bc[id]; !ok {
		return ErrNotFound
	}
	delete(m.bc, id)
	return nil
}

func (m *memStore) AllUsers(_ context.Context) ([]*User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*User
	for _, u := range m.users {
		out = append(out, &u)
	}
	slices.SortFunc(out, func(a, b *User) int { return int(a.ID - b.ID) })
	return out, nil
}

func (m *memStore) ProfilesOf(_ context.Context, ids []int64) (map[int64]*Profile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[int64]*Profile{}
	for _, id := range ids {
		if p, ok := m.profiles[id]; ok {
			out[id] = &p
		}
	}
	return out, nil
}
