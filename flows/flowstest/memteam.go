package flowstest

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"sinergi/flows"
)

// memTeam is a workshop's team in the fake: its owner (0: none) and its
// members in the order they joined, as the Redis store keeps them.
type memTeam struct {
	Owner   int64   `json:"owner"`
	Members []int64 `json:"members"`
}

// bareWorkshop is w without its team, as stored.
func bareWorkshop(w *flows.Workshop) flows.Workshop {
	cp := *w
	cp.Facilitators, cp.Owner = nil, 0
	cp.Series = slices.Clone(w.Series)
	return cp
}

// teamInit makes the fake's team maps.
func (m *Store) teamInit() {
	m.wsInit()
	if m.ws.teams == nil {
		m.ws.teams, m.ws.teamInv = map[string]*memTeam{}, map[string]flows.TeamInvite{}
	}
}

// newTeamLocked is the team of a new workshop: TeamOwner first, then the
// other facilitators.
func (m *Store) newTeamLocked(w *flows.Workshop) {
	m.teamInit()
	tm := &memTeam{Owner: flows.TeamOwner(w)}
	if tm.Owner != 0 {
		tm.Members = append(tm.Members, tm.Owner)
	}
	for _, f := range w.Facilitators {
		if f != 0 && !slices.Contains(tm.Members, f) {
			tm.Members = append(tm.Members, f)
		}
	}
	m.ws.teams[w.Code] = tm
}

// withTeamLocked is w with its team read from the team (the owner first).
func (m *Store) withTeamLocked(w flows.Workshop) flows.Workshop {
	m.teamInit()
	w.Owner, w.Facilitators = 0, nil
	tm := m.ws.teams[w.Code]
	if tm == nil {
		return w
	}
	w.Owner = tm.Owner
	if slices.Contains(tm.Members, tm.Owner) {
		w.Facilitators = append(w.Facilitators, tm.Owner)
	}
	for _, f := range tm.Members {
		if f != tm.Owner {
			w.Facilitators = append(w.Facilitators, f)
		}
	}
	return w
}

func (m *Store) CreateTeamInvite(_ context.Context, inv *flows.TeamInvite) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.teamInit()
	m.ws.teamInv[inv.Workshop+"|"+inv.Token] = *inv
	return nil
}

func (m *Store) JoinTeam(_ context.Context, code, token string, uid int64, now time.Time) (*flows.TeamInvite, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.teamInit()
	key := code + "|" + token
	inv, ok := m.ws.teamInv[key]
	if !ok {
		return nil, flows.ErrNotFound
	}
	if !inv.Expires.After(now) {
		delete(m.ws.teamInv, key)
		return nil, flows.ErrNotFound
	}
	tm := m.ws.teams[code]
	if tm == nil {
		tm = &memTeam{}
		m.ws.teams[code] = tm
	}
	if slices.Contains(tm.Members, uid) {
		return nil, flows.ErrOnTeam
	}
	delete(m.ws.teamInv, key)
	tm.Members = append(tm.Members, uid)
	if tm.Owner == 0 {
		tm.Owner = uid
	}
	// Whole milliseconds, as Redis keeps them.
	inv.Created, inv.Expires = inv.Created.Truncate(time.Millisecond).UTC(), inv.Expires.Truncate(time.Millisecond).UTC()
	return &inv, nil
}

// TeamInvites lists the open invitations of code, oldest first (equal
// times by token), in whole milliseconds as Redis keeps them.
func (m *Store) TeamInvites(_ context.Context, code string, now time.Time) ([]*flows.TeamInvite, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.teamInit()
	var out []*flows.TeamInvite
	for _, inv := range m.ws.teamInv {
		if inv.Workshop == code && inv.Expires.Truncate(time.Millisecond).After(now.Truncate(time.Millisecond)) {
			inv.Created, inv.Expires = inv.Created.Truncate(time.Millisecond).UTC(), inv.Expires.Truncate(time.Millisecond).UTC()
			out = append(out, &inv)
		}
	}
	slices.SortFunc(out, func(a, b *flows.TeamInvite) int {
		return cmp.Or(a.Created.Compare(b.Created), strings.Compare(a.Token, b.Token))
	})
	return out, nil
}

// RevokeTeamInvite deletes an invitation of code; one expired at now is
// deleted too, and reported as not found.
func (m *Store) RevokeTeamInvite(_ context.Context, code, token string, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.teamInit()
	key := code + "|" + token
	inv, ok := m.ws.teamInv[key]
	delete(m.ws.teamInv, key)
	if !ok || inv.Expires.UnixMilli() <= now.UnixMilli() {
		return flows.ErrNotFound
	}
	return nil
}

func (m *Store) RemoveFromTeam(_ context.Context, code string, uid int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, err := m.removeFromTeamLocked(code, uid, false)
	return err
}

// removeFromTeamLocked takes uid off the team; forgetting them may take the
// owner off, and the member who joined first then owns it.
func (m *Store) removeFromTeamLocked(code string, uid int64, forget bool) (int64, error) {
	m.teamInit()
	tm := m.ws.teams[code]
	if tm == nil || !slices.Contains(tm.Members, uid) {
		return 0, flows.ErrNotOnTeam
	}
	if tm.Owner == uid && !forget {
		return 0, flows.ErrTeamOwner
	}
	tm.Members = slices.DeleteFunc(slices.Clone(tm.Members), func(f int64) bool { return f == uid })
	if tm.Owner != uid {
		return 0, nil
	}
	tm.Owner = 0
	if len(tm.Members) > 0 {
		tm.Owner = tm.Members[0]
	}
	return tm.Owner, nil
}

func (m *Store) HandOver(_ context.Context, code string, from, to int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.teamInit()
	tm := m.ws.teams[code]
	if tm == nil || tm.Owner != from || from == 0 {
		return flows.ErrNotOwner
	}
	if !slices.Contains(tm.Members, to) {
		return flows.ErrNotOnTeam
	}
	tm.Owner = to
	return nil
}
