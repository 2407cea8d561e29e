package flowstest

import (
	"context"
	"time"

	"sinergi/flows"
)

// The fake's flows.SessionAttendance (Redis: store/session_attendance.go,
// satt_mark.lua).

func (m *Store) MarkSession(_ context.Context, code, sid string, uid int64, present bool, now time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	if _, ok := m.agendaOf(code).sessions[sid]; !ok {
		return false, flows.ErrNotFound
	}
	if m.confirmedRegLocked(code, uid) == nil {
		return false, flows.ErrNotConfirmed
	}
	if m.satt == nil {
		m.satt = map[string]map[int64]map[string]time.Time{}
	}
	if m.satt[code] == nil {
		m.satt[code] = map[int64]map[string]time.Time{}
	}
	marks := m.satt[code][uid]
	_, had := marks[sid]
	if had == present {
		return false, nil
	}
	if present {
		if marks == nil {
			marks = map[string]time.Time{}
			m.satt[code][uid] = marks
		}
		marks[sid] = now.Truncate(time.Millisecond).UTC()
		return true, nil
	}
	delete(marks, sid)
	if len(marks) == 0 {
		delete(m.satt[code], uid)
	}
	return true, nil
}

func (m *Store) SessionMarks(_ context.Context, code string) (map[string]map[int64]time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]map[int64]time.Time{}
	for uid, marks := range m.satt[code] {
		for sid, at := range marks {
			if out[sid] == nil {
				out[sid] = map[int64]time.Time{}
			}
			out[sid][uid] = at
		}
	}
	return out, nil
}
