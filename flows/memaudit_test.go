package flows

import "context"

func (m *memStore) Audit(_ context.Context, e *AuditEntry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp := *e
	m.audit = append(m.audit, &cp)
	return nil
}

func (m *memStore) AuditLog(_ context.Context, limit int) ([]*AuditEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*AuditEntry
	for i := len(m.audit) - 1; i >= 0 && len(out) < limit; i-- {
		cp := *m.audit[i]
		out = append(out, &cp)
	}
	return out, nil
}
