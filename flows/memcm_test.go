package flows

import (
	"context"
	"slices"
)

func (m *memStore) SaveCommitment(_ context.Context, c *Commitment) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cm == nil {
		m.cm = map[string]Commitment{}
	}
	cp := *c
	cp.History = slices.Clone(c.History)
	cp.Escalated = slices.Clone(c.Escalated)
	m.cm[c.Workshop+":"+c.ID] = cp
	return nil
}

func (m *memStore) GetCommitment(_ context.Context, code, id string) (*Commitment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.cm[code+":"+id]
	if !ok {
		return nil, ErrNotFound
	}
	c.History = slices.Clone(c.History)
	c.Escalated = slices.Clone(c.Escalated)
	return &c, nil
}

func (m *memStore) DeleteCommitment(_ context.Context, code, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.cm, code+":"+id)
	return nil
}

func (m *memStore) WorkshopCommitments(_ context.Context, code string) ([]*Commitment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Commitment
	for _, c := range m.cm {
		if c.Workshop == code {
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *Commitment) int { return a.Created.Compare(b.Created) })
	return out, nil
}

func (m *memStore) UserCommitments(_ context.Context, uid int64) ([]*Commitment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Commitment
	for _, c := range m.cm {
		if c.Owner == uid {
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *Commitment) int { return a.Due.Compare(b.Due) })
	return out, nil
}
