package flowstest

import (
	"context"
	"time"

	"sinergi/flows"
)

func (m *Store) Audit(_ context.Context, e *flows.AuditEntry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp := *e
	cp.At = e.At.Truncate(time.Millisecond) // Redis keeps milliseconds
	m.audit = append(m.audit, &cp)
	return nil
}

func (m *Store) AuditLog(_ context.Context, limit int) ([]*flows.AuditEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*flows.AuditEntry
	for i := len(m.audit) - 1; i >= 0 && len(out) < limit; i-- {
		cp := *m.audit[i]
		out = append(out, &cp)
	}
	return out, nil
}
