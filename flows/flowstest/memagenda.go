package flowstest

import (
	"context"
	"slices"

	"sinergi/flows"
)

// The fake's flows.Agenda (Redis: store/agenda.go). A sign-up keeps the
// registration it was made under; it stands while that very registration
// is confirmed, as Redis compares the registration's number.

type memAgenda struct {
	sessions map[string]flows.AgendaSession
	seats    map[string][]memSeat // session id -> holders in sign-up order
	seq      int                  // sign-ups so far (Redis: {w:<code>}:agseq)
}

type memSeat struct {
	uid int64
	reg *flows.Registration
	n   int // its place among the workshop's sign-ups
}

func (m *Store) agendaOf(code string) *memAgenda {
	if m.agenda == nil {
		m.agenda = map[string]*memAgenda{}
	}
	a := m.agenda[code]
	if a == nil {
		a = &memAgenda{sessions: map[string]flows.AgendaSession{}, seats: map[string][]memSeat{}}
		m.agenda[code] = a
	}
	return a
}

// confirmedRegLocked is uid's stored registration in code while confirmed.
func (m *Store) confirmedRegLocked(code string, uid int64) *flows.Registration {
	for _, r := range m.ws.regs[code] {
		if r.UserID == uid && r.Status == flows.RegConfirmed {
			return r
		}
	}
	return nil
}

// standingLocked drops the stale holders of session id and returns the rest.
func (m *Store) standingLocked(code, id string) []memSeat {
	a := m.agendaOf(code)
	a.seats[id] = slices.DeleteFunc(a.seats[id], func(s memSeat) bool { return m.confirmedRegLocked(code, s.uid) != s.reg })
	return a.seats[id]
}

func (m *Store) Sessions(_ context.Context, code string) ([]flows.AgendaSession, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []flows.AgendaSession
	for _, s := range m.agendaOf(code).sessions {
		out = append(out, s)
	}
	flows.SortSessions(out)
	if out == nil {
		out = []flows.AgendaSession{}
	}
	return out, nil
}

func (m *Store) SaveSession(_ context.Context, code string, s flows.AgendaSession, max int) ([]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	if _, ok := m.ws.ws[code]; !ok {
		return nil, flows.ErrNotFound
	}
	a := m.agendaOf(code)
	_, exists := a.sessions[s.ID]
	if !exists && len(a.sessions) >= max {
		return nil, flows.ErrAgendaFull
	}
	var dropped []int64
	if s.Capacity > 0 {
		standing := m.standingLocked(code, s.ID)
		for _, h := range standing { // its new times overlap another session they chose
			if slices.ContainsFunc(m.chosenLocked(code, h.uid), func(o string) bool {
				other := a.sessions[o]
				return o != s.ID && s.Overlaps(&other)
			}) {
				dropped = append(dropped, h.uid)
			}
		}
		if n := len(standing) - len(dropped); n > s.Capacity {
			return nil, &flows.SessionCapacityError{SignedUp: n}
		}
		a.seats[s.ID] = slices.DeleteFunc(standing, func(h memSeat) bool { return slices.Contains(dropped, h.uid) })
	} else {
		for _, h := range m.standingLocked(code, s.ID) {
			dropped = append(dropped, h.uid)
		}
		delete(a.seats, s.ID)
	}
	s.Start, s.End = s.Start.UTC(), s.End.UTC()
	a.sessions[s.ID] = s
	return dropped, nil
}

func (m *Store) DeleteSession(_ context.Context, code, id string) ([]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	a := m.agendaOf(code)
	if _, ok := a.sessions[id]; !ok {
		return nil, flows.ErrNotFound
	}
	var held []int64
	for _, h := range m.standingLocked(code, id) {
		held = append(held, h.uid)
	}
	delete(a.seats, id)
	delete(a.sessions, id)
	return held, nil
}

func (m *Store) SignUp(_ context.Context, code, id string, uid int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	a := m.agendaOf(code)
	s, ok := a.sessions[id]
	switch {
	case !ok:
		return flows.ErrNotFound
	case !s.Parallel():
		return flows.ErrPlenarySession
	}
	reg := m.confirmedRegLocked(code, uid)
	if reg == nil {
		return flows.ErrNotConfirmed
	}
	for _, other := range m.chosenLocked(code, uid) {
		if other == id {
			return flows.ErrAlreadySignedUp
		}
		if o := a.sessions[other]; s.Overlaps(&o) {
			return &flows.SessionOverlapError{With: other}
		}
	}
	if len(m.standingLocked(code, id)) >= s.Capacity {
		return flows.ErrSessionFull
	}
	a.seq++
	a.seats[id] = append(a.seats[id], memSeat{uid: uid, reg: reg, n: a.seq})
	return nil
}

// chosenLocked are the sessions uid holds a seat in, in the order chosen.
func (m *Store) chosenLocked(code string, uid int64) []string {
	a := m.agendaOf(code)
	reg := m.confirmedRegLocked(code, uid)
	type pick struct {
		id  string
		pos int
	}
	var picks []pick
	for id, hs := range a.seats {
		for _, h := range hs {
			if h.uid == uid && reg != nil && h.reg == reg {
				picks = append(picks, pick{id, h.n})
			}
		}
	}
	slices.SortFunc(picks, func(x, y pick) int { return x.pos - y.pos })
	out := make([]string, len(picks))
	for i, p := range picks {
		out[i] = p.id
	}
	return out
}

func (m *Store) LeaveSession(_ context.Context, code, id string, uid int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	a := m.agendaOf(code)
	held := m.standingLocked(code, id)
	i := slices.IndexFunc(held, func(h memSeat) bool { return h.uid == uid })
	if i < 0 {
		return flows.ErrNotFound
	}
	a.seats[id] = slices.Delete(held, i, i+1)
	return nil
}

func (m *Store) ReleaseSessions(_ context.Context, code string, uid int64) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	return m.releaseLocked(code, uid), nil
}

// releaseLocked takes uid out of every session of code, stale seats too.
func (m *Store) releaseLocked(code string, uid int64) []string {
	a := m.agendaOf(code)
	var out []string
	for id, hs := range a.seats {
		if i := slices.IndexFunc(hs, func(h memSeat) bool { return h.uid == uid }); i >= 0 {
			a.seats[id] = slices.Delete(hs, i, i+1)
			out = append(out, id)
		}
	}
	return out
}

func (m *Store) ChosenSessions(_ context.Context, code string, uid int64) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	out := m.chosenLocked(code, uid)
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func (m *Store) SignUps(_ context.Context, code string) (map[string][]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	out := map[string][]int64{}
	for id := range m.agendaOf(code).seats {
		for _, h := range m.standingLocked(code, id) {
			out[id] = append(out[id], h.uid)
		}
	}
	return out, nil
}

// forgetSessionsLocked takes uid out of every workshop's sessions.
func (m *Store) forgetSessionsLocked(uid int64) {
	for code := range m.agenda {
		m.releaseLocked(code, uid)
	}
}
