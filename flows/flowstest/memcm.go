package flowstest

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"sinergi/flows"
)

func (m *Store) SaveCommitment(_ context.Context, c *flows.Commitment) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cm == nil {
		m.cm = map[string]flows.Commitment{}
	}
	cp := *c
	cp.History = slices.Clone(c.History)
	cp.Escalated = slices.Clone(c.Escalated)
	m.cm[c.Workshop+":"+c.ID] = cp
	return nil
}

func (m *Store) GetCommitment(_ context.Context, code, id string) (*flows.Commitment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.cm[code+":"+id]
	if !ok {
		return nil, flows.ErrNotFound
	}
	c.History = slices.Clone(c.History)
	c.Escalated = slices.Clone(c.Escalated)
	return &c, nil
}

func (m *Store) DeleteCommitment(_ context.Context, code, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.cm[code+":"+id]; !ok {
		return flows.ErrNotFound
	}
	delete(m.cm, code+":"+id)
	return nil
}

func (m *Store) WorkshopCommitments(_ context.Context, code string) ([]*flows.Commitment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*flows.Commitment
	for _, c := range m.cm {
		if c.Workshop == code {
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *flows.Commitment) int {
		return cmp.Or(a.Created.Compare(b.Created), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

func (m *Store) UserCommitments(_ context.Context, uid int64) ([]*flows.Commitment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*flows.Commitment
	for _, c := range m.cm {
		if c.Owner == uid {
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *flows.Commitment) int { return a.Due.Compare(b.Due) })
	return out, nil
}
