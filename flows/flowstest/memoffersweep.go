package flowstest

import "context"

// JobsScheduled reports which of ids are scheduled (the fake has no
// claims: a job is scheduled until done or unscheduled).
func (m *Store) JobsScheduled(_ context.Context, ids ...string) ([]bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	out := make([]bool, len(ids))
	for i, id := range ids {
		_, out[i] = m.ws.jobs[id]
	}
	return out, nil
}
