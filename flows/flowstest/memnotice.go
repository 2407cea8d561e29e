package flowstest

import (
	"context"
	"time"
)

// ClaimApprovalNotice implements flows.ApprovalNotices in memory, in whole
// milliseconds as Redis keeps them.
func (m *Store) ClaimApprovalNotice(_ context.Context, code string, now time.Time, every time.Duration) (bool, time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.notices == nil {
		m.notices = map[string]int64{}
	}
	every = max(every.Truncate(time.Millisecond), time.Millisecond)
	if last, ok := m.notices[code]; ok && now.UnixMilli() < last+every.Milliseconds() {
		return false, time.UnixMilli(last + every.Milliseconds()).UTC(), nil
	}
	m.notices[code] = now.UnixMilli()
	return true, time.Time{}, nil
}
