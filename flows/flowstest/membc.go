package flowstest

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"sinergi/flows"
)

// CreateBroadcast stores a scheduled broadcast; an id is taken once, as in
// Redis.
func (m *Store) CreateBroadcast(_ context.Context, b *flows.Broadcast) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.bc == nil {
		m.bc, m.bcStatus = map[string]*flows.Broadcast{}, map[string]string{}
	}
	if _, ok := m.bc[b.ID]; ok {
		return flows.ErrCodeTaken
	}
	cp := *b
	m.bc[b.ID] = &cp
	m.bcStatus[b.ID] = flows.BcScheduled
	return nil
}

// GetBroadcast returns the broadcast and its status (the fake runs no
// delivery: the counts stay zero).
func (m *Store) GetBroadcast(_ context.Context, id string) (*flows.Broadcast, *flows.BroadcastState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.bc[id]
	if !ok {
		return nil, nil, flows.ErrNotFound
	}
	cp := *b
	return &cp, &flows.BroadcastState{Status: m.bcStatus[id]}, nil
}

// RecentBroadcasts lists the newest created first, equal times (to the
// millisecond) by the greater id first (Redis: ZREVRANGE of bc:all),
// cancelled ones included.
func (m *Store) RecentBroadcasts(_ context.Context, limit int) ([]*flows.Broadcast, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.recentLocked()
	return out[:min(max(limit, 0), len(out))], nil
}

// recentLocked lists copies of every broadcast in RecentBroadcasts' order.
func (m *Store) recentLocked() []*flows.Broadcast {
	var out []*flows.Broadcast
	for _, b := range m.bc {
		cp := *b
		out = append(out, &cp)
	}
	slices.SortFunc(out, func(a, b *flows.Broadcast) int {
		return cmp.Or(cmp.Compare(b.Created.UnixMilli(), a.Created.UnixMilli()), strings.Compare(b.ID, a.ID))
	})
	return out
}

// CancelBroadcast marks a scheduled broadcast cancelled; it stays listed.
func (m *Store) CancelBroadcast(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.bc[id]; !ok {
		return flows.ErrNotFound
	}
	if st := m.bcStatus[id]; st != flows.BcScheduled && st != flows.BcRunning {
		return flows.ErrNotCancellable
	}
	m.bcStatus[id] = flows.BcCancelled
	return nil
}

func (m *Store) AllUsers(_ context.Context) ([]*flows.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*flows.User
	for _, u := range m.users {
		out = append(out, &u)
	}
	slices.SortFunc(out, func(a, b *flows.User) int { return int(a.ID - b.ID) })
	return out, nil
}

// Receivers reads every user here; Redis reads an index.
func (m *Store) Receivers(_ context.Context, lang string, after int64, n int) ([]flows.Receiver, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []flows.Receiver
	for id, u := range m.users {
		if id > after && flows.Receives(&u) && (lang == "" || u.Lang == lang) {
			out = append(out, flows.Receiver{ID: id, Lang: u.Lang})
		}
	}
	slices.SortFunc(out, func(a, b flows.Receiver) int { return cmp.Compare(a.ID, b.ID) })
	return out[:min(n, len(out))], nil
}

func (m *Store) UsersOf(_ context.Context, ids []int64) ([]*flows.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*flows.User
	for _, id := range ids {
		if u, ok := m.users[id]; ok {
			out = append(out, &u)
		}
	}
	return out, nil
}

func (m *Store) ProfilesOf(_ context.Context, ids []int64) (map[int64]*flows.Profile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[int64]*flows.Profile{}
	for _, id := range ids {
		if p, ok := m.profiles[id]; ok {
			out[id] = &p
		}
	}
	return out, nil
}

// ProfileMembers reads every profile here; Redis reads an index.
func (m *Store) ProfileMembers(_ context.Context, kind flows.SegmentKind, value string) ([]*flows.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*flows.User
	if kind == flows.SegTheme {
		for id, p := range m.mm.profiles {
			if u, ok := m.users[id]; ok && slices.Contains(p.Themes, value) {
				out = append(out, &u)
			}
		}
	}
	for id, p := range m.profiles {
		u, ok := m.users[id]
		if ok && ((kind == flows.SegSector && p.Sector == value) || (kind == flows.SegProvince && p.Province == value)) {
			out = append(out, &u)
		}
	}
	slices.SortFunc(out, func(a, b *flows.User) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// ProfileReceivers reads every profile and record here; Redis intersects
// its indexes.
func (m *Store) ProfileReceivers(_ context.Context, kind flows.SegmentKind, values ...string) ([]flows.Receiver, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []flows.Receiver
	for id, p := range m.profiles {
		v := p.Sector
		if kind == flows.SegProvince {
			v = p.Province
		}
		if u, ok := m.users[id]; ok && v != "" && slices.Contains(values, v) && flows.Receives(&u) {
			out = append(out, flows.Receiver{ID: id, Lang: u.Lang})
		}
	}
	slices.SortFunc(out, func(a, b flows.Receiver) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// CountMembers counts every user here who has a profile; Redis counts its
// indexes.
func (m *Store) CountMembers(_ context.Context) (flows.MemberCounts, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := flows.MemberCounts{BySector: map[string]int{}, ByProvince: map[string]int{}}
	for id, p := range m.profiles {
		if _, ok := m.users[id]; ok {
			out.Add(&p)
		}
	}
	return out, nil
}
