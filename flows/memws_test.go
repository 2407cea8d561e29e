package flows

import (
	"context"
	"slices"
	"time"
)

// memWorkshops is the in-memory Workshops and Jobs for engine tests.
type memWorkshops struct {
	ws       map[string]Workshop
	regs     map[string][]*Registration // confirmed then waiting, in order
	checkins map[string]map[int64]time.Time
	feedback map[string]map[int64]Feedback
	tokens   map[string]string // token -> code
	jobs     map[string]time.Time
}

func (m *memStore) wsInit() {
	if m.ws.ws == nil {
		m.ws = memWorkshops{ws: map[string]Workshop{}, regs: map[string][]*Registration{},
			checkins: map[string]map[int64]time.Time{}, feedback: map[string]map[int64]Feedback{},
			tokens: map[string]string{}, jobs: map[string]time.Time{}}
	}
}

func (m *memStore) CreateWorkshop(_ context.Context, w *Workshop) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	if _, ok := m.ws.ws[w.Code]; ok {
		return ErrCodeTaken
	}
	m.ws.ws[w.Code] = *w
	return nil
}

func (m *memStore) UpdateWorkshop(_ context.Context, w *Workshop) ([]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	m.ws.ws[w.Code] = *w
	return m.promoteLocked(w.Code), nil
}

// promoteLocked confirms waiting people while seats are free.
func (m *memStore) promoteLocked(code string) []int64 {
	w := m.ws.ws[code]
	var out []int64
	for {
		confirmed := 0
		var first *Registration
		for _, r := range m.ws.regs[code] {
			if r.Status == RegConfirmed {
				confirmed++
			} else if first == nil {
				first = r
			}
		}
		if first == nil || (w.Capacity > 0 && confirmed >= w.Capacity) {
			return out
		}
		first.Status = RegConfirmed
		out = append(out, first.UserID)
	}
}

func (m *memStore) GetWorkshop(_ context.Context, code string) (*Workshop, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	w, ok := m.ws.ws[code]
	if !ok {
		return nil, ErrNotFound
	}
	return &w, nil
}

func (m *memStore) Upcoming(_ context.Context, from time.Time, offset, limit int) ([]*Workshop, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	var all []*Workshop
	for _, w := range m.ws.ws {
		if !w.Cancelled && w.Start.After(from) {
			all = append(all, &w)
		}
	}
	slices.SortFunc(all, func(a, b *Workshop) int { return a.Start.Compare(b.Start) })
	return all[min(offset, len(all)):min(offset+limit, len(all))], len(all), nil
}

func (m *memStore) Facilitated(_ context.Context, uid int64) ([]*Workshop, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	var all []*Workshop
	for _, w := range m.ws.ws {
		if uid == 0 || slices.Contains(w.Facilitators, uid) {
			all = append(all, &w)
		}
	}
	slices.SortFunc(all, func(a, b *Workshop) int { return b.Start.Compare(a.Start) })
	return all, nil
}

func (m *memStore) regLocked(code string, uid int64) *Registration {
	pos := 0
	for _, r := range m.ws.regs[code] {
		if r.Status == RegWaiting {
			pos++
		}
		if r.UserID == uid {
			cp := *r
			if cp.Status == RegWaiting {
				cp.Position = pos
			}
			cp.CheckedInAt = m.ws.checkins[code][uid]
			return &cp
		}
	}
	return nil
}

func (m *memStore) Register(_ context.Context, r *Registration, now time.Time) (*Registration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	w, ok := m.ws.ws[r.Workshop]
	switch {
	case !ok:
		return nil, ErrNotFound
	case w.Cancelled:
		return nil, ErrWorkshopCancelled
	case w.Closed || !now.Before(w.Deadline):
		return nil, ErrRegistrationShut
	case m.regLocked(r.Workshop, r.UserID) != nil:
		return nil, ErrAlreadyRegistered
	}
	confirmed := 0
	for _, x := range m.ws.regs[r.Workshop] {
		if x.Status == RegConfirmed {
			confirmed++
		}
	}
	cp := *r
	cp.Status = RegConfirmed
	if w.Capacity > 0 && confirmed >= w.Capacity {
		cp.Status = RegWaiting
	}
	m.ws.regs[r.Workshop] = append(m.ws.regs[r.Workshop], &cp)
	m.ws.tokens[r.Token] = r.Workshop
	return m.regLocked(r.Workshop, r.UserID), nil
}

func (m *memStore) CancelRegistration(_ context.Context, code string, uid int64) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	regs := m.ws.regs[code]
	i := slices.IndexFunc(regs, func(r *Registration) bool { return r.UserID == uid })
	if i < 0 {
		return 0, ErrNotFound
	}
	delete(m.ws.tokens, regs[i].Token)
	wasConfirmed := regs[i].Status == RegConfirmed
	m.ws.regs[code] = slices.Delete(regs, i, i+1)
	delete(m.ws.checkins[code], uid)
	if p := m.promoteLocked(code); wasConfirmed && len(p) > 0 {
		return p[0], nil
	}
	return 0, nil
}

func (m *memStore) GetRegistration(_ context.Context, code string, uid int64) (*Registration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	if r := m.regLocked(code, uid); r != nil {
		return r, nil
	}
	return nil, ErrNotFound
}

func (m *memStore) Registrations(_ context.Context, code string) ([]*Registration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	var conf, wait []*Registration
	for _, r := range m.ws.regs[code] {
		if x := m.regLocked(code, r.UserID); x.Status == RegConfirmed {
			conf = append(conf, x)
		} else {
			wait = append(wait, x)
		}
	}
	return append(conf, wait...), nil
}

func (m *memStore) UserRegistrations(_ context.Context, uid int64) ([]*Registration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	var out []*Registration
	for code := range m.ws.regs {
		if r := m.regLocked(code, uid); r != nil {
			out = append(out, r)
		}
	}
	return out, nil
}

func (m *memStore) Counts(_ context.Context, code string) (Counts, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	var c Counts
	for _, r := range m.ws.regs[code] {
		if r.Status == RegConfirmed {
			c.Confirmed++
		} else {
			c.Waiting++
		}
	}
	c.CheckedIn = len(m.ws.checkins[code])
	return c, nil
}

func (m *memStore) CheckinToken(_ context.Context, token string) (string, int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	code, ok := m.ws.tokens[token]
	if !ok {
		return "", 0, ErrNotFound
	}
	for _, r := range m.ws.regs[code] {
		if r.Token == token {
			return code, r.UserID, nil
		}
	}
	return "", 0, ErrNotFound
}

func (m *memStore) CheckIn(_ context.Context, code string, uid int64, now time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	r := m.regLocked(code, uid)
	if r == nil || r.Status != RegConfirmed {
		return false, ErrNotFound
	}
	if m.ws.checkins[code] == nil {
		m.ws.checkins[code] = map[int64]time.Time{}
	}
	if _, ok := m.ws.checkins[code][uid]; ok {
		return false, nil
	}
	m.ws.checkins[code][uid] = now
	return true, nil
}

func (m *memStore) SaveFeedback(_ context.Context, code string, f *Feedback) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	if m.ws.feedback[code] == nil {
		m.ws.feedback[code] = map[int64]Feedback{}
	}
	m.ws.feedback[code][f.UserID] = *f
	return nil
}

func (m *memStore) Feedback(_ context.Context, code string) ([]*Feedback, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	var out []*Feedback
	for _, f := range m.ws.feedback[code] {
		out = append(out, &f)
	}
	return out, nil
}

func (m *memStore) Schedule(_ context.Context, jobs ...Job) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	for _, j := range jobs {
		m.ws.jobs[j.ID] = j.Due
	}
	return nil
}

func (m *memStore) Unschedule(_ context.Context, ids ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	for _, id := range ids {
		delete(m.ws.jobs, id)
	}
	return nil
}
