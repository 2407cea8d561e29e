package flowstest

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

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

// cmZoneLocked is the zone the commitments of workshop code are tallied
// in: the workshop's (UTC when there is none, as in Redis).
func (m *Store) cmZoneLocked(code string) *time.Location {
	m.wsInit()
	return flows.LoadZone(m.ws.ws[code].Zone)
}

// CommitmentTallies implements flows.CommitmentTallies, counting the
// commitments kept.
func (m *Store) CommitmentTallies(_ context.Context, codes []string, now time.Time) (map[string]flows.CommitmentTally, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]flows.CommitmentTally{}
	for _, code := range codes {
		out[code] = flows.CommitmentTally{Due: map[string]map[string]int{}, Created: map[string]int{}, Overdue: map[string]int{}}
	}
	for _, c := range m.cm {
		t, ok := out[c.Workshop]
		if !ok {
			continue
		}
		loc := m.cmZoneLocked(c.Workshop)
		due := c.Due.In(loc).Format("2006-01")
		if t.Due[due] == nil {
			t.Due[due] = map[string]int{}
		}
		t.Due[due][c.Status]++
		t.Created[c.Created.In(loc).Format("2006-01")]++
		if cmOverdue(&c, now) {
			t.Overdue[due]++
			t.OverdueTotal++
		}
		out[c.Workshop] = t
	}
	return out, nil
}

// cmOverdue: c is not done and was due before now (to the millisecond, as
// Redis keeps it).
func cmOverdue(c *flows.Commitment, now time.Time) bool {
	return c.Status != flows.CmDone && c.Due.UnixMilli() < now.UnixMilli()
}

// OverdueCommitments implements flows.CommitmentTallies.
func (m *Store) OverdueCommitments(_ context.Context, codes []string, now time.Time, limit int) ([]*flows.Commitment, int, error) {
	return m.firstByDue(codes, limit, func(c *flows.Commitment) bool { return cmOverdue(c, now) })
}

// BlockedCommitments implements flows.CommitmentTallies.
func (m *Store) BlockedCommitments(_ context.Context, codes []string, limit int) ([]*flows.Commitment, int, error) {
	return m.firstByDue(codes, limit, func(c *flows.Commitment) bool { return c.Status == flows.CmBlocked })
}

func (m *Store) firstByDue(codes []string, limit int, keep func(*flows.Commitment) bool) ([]*flows.Commitment, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*flows.Commitment
	for _, c := range m.cm {
		if slices.Contains(codes, c.Workshop) && keep(&c) {
			c.History = slices.Clone(c.History)
			c.Escalated = slices.Clone(c.Escalated)
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *flows.Commitment) int {
		return cmp.Or(cmp.Compare(a.Due.UnixMilli(), b.Due.UnixMilli()), strings.Compare(a.Workshop, b.Workshop), strings.Compare(a.ID, b.ID))
	})
	return out[:min(len(out), max(limit, 0))], len(out), nil
}

// CommitmentsByDue implements flows.CommitmentTallies.
func (m *Store) CommitmentsByDue(_ context.Context, q flows.CommitmentQuery) (flows.CommitmentPage, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ms := func(t time.Time) int64 { return t.UnixMilli() }
	in := func(c *flows.Commitment) bool {
		for _, w := range q.Workshops {
			if w.Code != c.Workshop {
				continue
			}
			return (w.From.IsZero() || ms(c.Due) >= ms(w.From)) && (w.To.IsZero() || ms(c.Due) < ms(w.To))
		}
		return false
	}
	order := func(a, b *flows.Commitment) int {
		return cmp.Or(cmp.Compare(ms(a.Due), ms(b.Due)), strings.Compare(a.Workshop, b.Workshop), strings.Compare(a.ID, b.ID))
	}
	var all []*flows.Commitment
	for _, c := range m.cm {
		switch {
		case !in(&c):
			continue
		case q.Status == "overdue" && !cmOverdue(&c, q.Now):
			continue
		case q.Status != "" && q.Status != "overdue" && c.Status != q.Status:
			continue
		}
		c.History = slices.Clone(c.History)
		c.Escalated = slices.Clone(c.Escalated)
		all = append(all, &c)
	}
	slices.SortFunc(all, order)
	rest := all
	if a := q.After; a != nil {
		at := &flows.Commitment{Due: a.Due, Workshop: a.Workshop, ID: a.ID}
		i, _ := slices.BinarySearchFunc(all, at, order)
		if i < len(all) && order(all[i], at) == 0 {
			i++
		}
		rest = all[i:]
	}
	limit := max(q.Limit, 0)
	return flows.CommitmentPage{Commitments: slices.Clone(rest[:min(len(rest), limit)]), Total: len(all), More: len(rest) > limit}, nil
}

// CommitmentHeads implements flows.CommitmentTallies.
func (m *Store) CommitmentHeads(_ context.Context, codes []string) ([]flows.CommitmentHead, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []flows.CommitmentHead
	for _, c := range m.cm {
		if slices.Contains(codes, c.Workshop) {
			out = append(out, flows.CommitmentHead{Workshop: c.Workshop, ID: c.ID, Owner: c.Owner, Due: time.UnixMilli(c.Due.UnixMilli()), Status: c.Status})
		}
	}
	return out, nil
}

// CommitmentsAt implements flows.CommitmentTallies.
func (m *Store) CommitmentsAt(_ context.Context, heads []flows.CommitmentHead) ([]*flows.Commitment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*flows.Commitment, 0, len(heads))
	for _, h := range heads {
		if c, ok := m.cm[h.Workshop+":"+h.ID]; ok {
			c.History = slices.Clone(c.History)
			c.Escalated = slices.Clone(c.Escalated)
			out = append(out, &c)
		}
	}
	return out, nil
}
