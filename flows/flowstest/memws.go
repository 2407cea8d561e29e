package flowstest

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"sinergi/flows"
)

// memWorkshops is the in-memory Workshops and Jobs for engine tests.
type memWorkshops struct {
	ws       map[string]flows.Workshop
	regs     map[string][]*flows.Registration // confirmed then waiting, in order
	checkins map[string]map[int64]time.Time
	feedback map[string]map[int64]flows.Feedback
	tokens   map[string]string // token -> code
	jobs     map[string]time.Time
	teams    map[string]*memTeam         // code -> team (memteam.go)
	teamInv  map[string]flows.TeamInvite // "<code>|<token>" -> invitation
}

func (m *Store) wsInit() {
	if m.ws.ws == nil {
		m.ws = memWorkshops{ws: map[string]flows.Workshop{}, regs: map[string][]*flows.Registration{},
			checkins: map[string]map[int64]time.Time{}, feedback: map[string]map[int64]flows.Feedback{},
			tokens: map[string]string{}, jobs: map[string]time.Time{}}
	}
}

func (m *Store) CreateWorkshop(_ context.Context, w *flows.Workshop) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	if _, ok := m.ws.ws[w.Code]; ok {
		return flows.ErrCodeTaken
	}
	m.newTeamLocked(w)
	m.ws.ws[w.Code] = bareWorkshop(w)
	return nil
}

func (m *Store) UpdateWorkshop(_ context.Context, w *flows.Workshop) ([]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	if _, ok := m.ws.ws[w.Code]; !ok {
		return nil, flows.ErrNotFound
	}
	m.ws.ws[w.Code] = bareWorkshop(w) // the team is kept apart (memteam.go)
	return m.promoteModesLocked(w.Code, time.Time{}), nil
}

func (m *Store) UpdateWorkshopAt(_ context.Context, w *flows.Workshop, now time.Time) ([]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	if _, ok := m.ws.ws[w.Code]; !ok {
		return nil, flows.ErrNotFound
	}
	m.ws.ws[w.Code] = bareWorkshop(w) // the team is kept apart (memteam.go)
	return m.promoteModesLocked(w.Code, time.UnixMilli(now.UnixMilli())), nil
}

// promoteLocked moves waiting people into free seats as Redis's
// ws_promote.lua does, at most limit (< 0: no limit): nobody while the
// workshop is cancelled or from its start on (a zero now: no start check,
// and a workshop that offers moves nobody); offered until OfferExpiry in a
// workshop that offers, else (or within OfferCutoff of the start)
// confirmed, taking the last registration number (the end of the list).
func (m *Store) promoteLocked(code, mode string, now time.Time, limit int) []int64 {
	w := m.ws.ws[code]
	if w.Cancelled {
		return nil
	}
	offer := w.Offers
	if !now.IsZero() {
		if now.UnixMilli() >= w.Start.UnixMilli() {
			return nil
		}
		if offer && now.UnixMilli() >= w.Start.Add(-flows.OfferCutoff).UnixMilli() {
			offer = false
		}
	} else if offer {
		return nil
	}
	var out []int64
	for limit < 0 || len(out) < limit {
		taken := 0
		first := -1
		regs := m.ws.regs[code]
		for i, r := range regs {
			if r.Mode != mode {
				continue // the other mode's list (memhybrid.go)
			}
			if holdsSeat(r) {
				taken++
			} else if first < 0 && r.Status == flows.RegWaiting {
				first = i
			}
		}
		if capacity := w.ModeCapacity(mode); first < 0 || (capacity > 0 && taken >= capacity) {
			return out
		}
		r := regs[first]
		if offer {
			r.Status = flows.RegOffered
			r.OfferExpires = time.UnixMilli(w.OfferExpiry(time.UnixMilli(now.UnixMilli())).UnixMilli()).UTC()
		} else {
			r.Status = flows.RegConfirmed
			m.ws.regs[code] = append(slices.Delete(regs, first, first+1), r)
		}
		out = append(out, r.UserID)
	}
	return out
}

func (m *Store) GetWorkshop(_ context.Context, code string) (*flows.Workshop, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	w, ok := m.ws.ws[code]
	if !ok {
		return nil, flows.ErrNotFound
	}
	w = m.withTeamLocked(w)
	return &w, nil
}

func (m *Store) Upcoming(_ context.Context, from time.Time, offset, limit int) ([]*flows.Workshop, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	var all []*flows.Workshop
	for _, w := range m.ws.ws {
		if !w.Cancelled && !w.Hidden() && w.Start.UnixMilli() > from.UnixMilli() { // Redis: scores in ms, from exclusive
			w = m.withTeamLocked(w)
			all = append(all, &w)
		}
	}
	// Redis: a sorted set by start (ms), equal starts by code.
	slices.SortFunc(all, func(a, b *flows.Workshop) int {
		return cmp.Or(cmp.Compare(a.Start.UnixMilli(), b.Start.UnixMilli()), cmp.Compare(a.Code, b.Code))
	})
	offset = min(max(offset, 0), len(all))
	end := len(all) // limit <= 0: no limit
	if limit > 0 {
		end = min(offset+limit, len(all))
	}
	return all[offset:end], len(all), nil
}

func (m *Store) Facilitated(_ context.Context, uid int64) ([]*flows.Workshop, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	var all []*flows.Workshop
	for _, w := range m.ws.ws {
		if w = m.withTeamLocked(w); uid == 0 || slices.Contains(w.Facilitators, uid) {
			all = append(all, &w)
		}
	}
	slices.SortFunc(all, func(a, b *flows.Workshop) int {
		return cmp.Or(b.Start.Compare(a.Start), cmp.Compare(a.Code, b.Code))
	})
	return all, nil
}

func (m *Store) regLocked(code string, uid int64) *flows.Registration {
	mode := ""
	for _, r := range m.ws.regs[code] {
		if r.UserID == uid {
			mode = r.Mode
		}
	}
	pos := 0
	for _, r := range m.ws.regs[code] {
		if r.Status == flows.RegWaiting && r.Mode == mode { // each mode its list (memhybrid.go)
			pos++
		}
		if r.UserID == uid {
			cp := *r
			if cp.Status == flows.RegWaiting {
				cp.Position = pos
			}
			cp.CheckedInAt = m.ws.checkins[code][uid]
			return &cp
		}
	}
	return nil
}

func (m *Store) Register(_ context.Context, r *flows.Registration, now time.Time) (*flows.Registration, error) {
	return m.register(r, now, false)
}

// register is Register, through an invitation (RegisterInvited) or not: an
// invite-only workshop refuses ErrNoInvite to a registration not through
// one, as ws_register.lua does.
func (m *Store) register(r *flows.Registration, now time.Time, invited bool) (*flows.Registration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	w, ok := m.ws.ws[r.Workshop]
	switch {
	case !ok:
		return nil, flows.ErrNotFound
	case w.Cancelled:
		return nil, flows.ErrWorkshopCancelled
	case w.InviteOnly && !invited:
		return nil, flows.ErrNoInvite
	case w.Closed || (!w.Deadline.IsZero() && !now.Before(w.Deadline)): // zero: no deadline
		return nil, flows.ErrRegistrationShut
	case r.Mode == flows.ModeOnline && !w.Hybrid(): // Redis: no online lists
		return nil, flows.ErrNotFound
	case m.regLocked(r.Workshop, r.UserID) != nil:
		return nil, flows.ErrAlreadyRegistered
	}
	cp := *r
	cp.OfferExpires = time.Time{}
	if cp.Mode != flows.ModeOnline {
		cp.Mode = ""
	}
	cp.Status = m.placeLocked(w, cp.Mode)
	if w.Approval {
		cp.Status = flows.RegPending
	}
	m.ws.regs[r.Workshop] = append(m.ws.regs[r.Workshop], &cp)
	m.ws.tokens[r.Token] = r.Workshop
	return m.regLocked(r.Workshop, r.UserID), nil
}

func (m *Store) CancelRegistration(_ context.Context, code string, uid int64, now time.Time) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	regs := m.ws.regs[code]
	i := slices.IndexFunc(regs, func(r *flows.Registration) bool { return r.UserID == uid })
	if i < 0 {
		return 0, flows.ErrNotFound
	}
	delete(m.ws.tokens, regs[i].Token)
	heldSeat, mode := holdsSeat(regs[i]), regs[i].Mode
	m.ws.regs[code] = slices.Delete(regs, i, i+1)
	delete(m.ws.checkins[code], uid)
	if !heldSeat {
		return 0, nil // a waiting place frees no seat
	}
	if p := m.promoteLocked(code, mode, now, 1); len(p) > 0 {
		return p[0], nil
	}
	return 0, nil
}

// offerLocked is Redis's ws_offer.lua: action on uid's offer, then every
// free seat offered.
func (m *Store) offerLocked(action, code string, uid int64, now time.Time) ([]int64, error) {
	m.wsInit()
	expired, mode := false, ""
	if action == "fill" {
		cut := m.ws.ws[code].Start.Add(-flows.OfferCutoff)
		for _, r := range m.ws.regs[code] {
			if r.Status == flows.RegOffered && r.OfferExpires.UnixMilli() > cut.UnixMilli() {
				r.OfferExpires = time.UnixMilli(cut.UnixMilli()).UTC()
			}
		}
	} else {
		regs := m.ws.regs[code]
		i := slices.IndexFunc(regs, func(r *flows.Registration) bool { return r.UserID == uid })
		if i < 0 || regs[i].Status != flows.RegOffered {
			if action == "accept" && i >= 0 && regs[i].Status == flows.RegConfirmed {
				return nil, flows.ErrAlreadyRegistered
			}
			return nil, flows.ErrNoOffer
		}
		r, w := regs[i], m.ws.ws[code]
		mode = r.Mode
		over := now.UnixMilli() >= r.OfferExpires.UnixMilli() || now.UnixMilli() >= w.Start.UnixMilli()
		switch {
		case action == "accept" && !over:
			r.Status, r.OfferExpires = flows.RegConfirmed, time.Time{}
			m.ws.regs[code] = append(slices.Delete(regs, i, i+1), r)
			return nil, nil
		case action == "expire" && !over:
			return nil, flows.ErrNoOffer
		}
		delete(m.ws.tokens, r.Token)
		delete(m.ws.checkins[code], uid)
		m.ws.regs[code] = slices.Delete(regs, i, i+1)
		expired = action == "accept"
	}
	var next []int64
	if action == "fill" {
		next = m.promoteModesLocked(code, now)
	} else {
		next = m.promoteLocked(code, mode, now, -1)
	}
	if expired {
		return next, flows.ErrOfferExpired
	}
	return next, nil
}

// holdsSeat: confirmed, or offered a seat.
func holdsSeat(r *flows.Registration) bool {
	return r.Status == flows.RegConfirmed || r.Status == flows.RegOffered
}

// placeLocked is where a registration of w goes now, as Redis's
// ws_register.lua decides: confirmed while seats are left (offered ones are
// taken) and nobody waits, else waiting.
func (m *Store) placeLocked(w flows.Workshop, mode string) flows.RegStatus {
	taken, waiting := 0, 0
	for _, x := range m.ws.regs[w.Code] {
		switch {
		case x.Mode != mode: // the other mode's list (memhybrid.go)
		case holdsSeat(x):
			taken++
		case x.Status == flows.RegWaiting:
			waiting++
		}
	}
	if capacity := w.ModeCapacity(mode); capacity > 0 && (taken >= capacity || waiting > 0) {
		return flows.RegWaiting
	}
	return flows.RegConfirmed
}

func (m *Store) DecideRegistration(_ context.Context, code string, uid int64, approve bool) (*flows.Registration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	regs := m.ws.regs[code]
	i := slices.IndexFunc(regs, func(r *flows.Registration) bool { return r.UserID == uid })
	if i < 0 || regs[i].Status != flows.RegPending {
		return nil, flows.ErrAlreadyDecided
	}
	w := m.ws.ws[code]
	if w.Cancelled {
		return nil, flows.ErrWorkshopCancelled
	}
	r := regs[i]
	m.ws.regs[code] = slices.Delete(regs, i, i+1)
	if !approve {
		delete(m.ws.tokens, r.Token)
		return nil, nil
	}
	r.Status = m.placeLocked(w, r.Mode) // a new registration number: the end of the list
	m.ws.regs[code] = append(m.ws.regs[code], r)
	return m.regLocked(code, uid), nil
}

func (m *Store) OfferSeats(_ context.Context, code string, now time.Time) ([]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.offerLocked("fill", code, 0, now)
}

func (m *Store) AcceptOffer(_ context.Context, code string, uid int64, now time.Time) ([]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.offerLocked("accept", code, uid, now)
}

func (m *Store) DeclineOffer(_ context.Context, code string, uid int64, now time.Time) ([]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.offerLocked("decline", code, uid, now)
}

func (m *Store) ExpireOffer(_ context.Context, code string, uid int64, now time.Time) ([]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.offerLocked("expire", code, uid, now)
}

func (m *Store) GetRegistration(_ context.Context, code string, uid int64) (*flows.Registration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	if r := m.regLocked(code, uid); r != nil {
		return r, nil
	}
	return nil, flows.ErrNotFound
}

func (m *Store) Registrations(_ context.Context, code string) ([]*flows.Registration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	var conf, offered, wait, pending []*flows.Registration
	for _, r := range m.ws.regs[code] {
		if r.UserID < 0 {
			continue // a forgotten user: counted, not listed
		}
		switch x := m.regLocked(code, r.UserID); x.Status {
		case flows.RegConfirmed:
			conf = append(conf, x)
		case flows.RegOffered:
			offered = append(offered, x)
		case flows.RegPending:
			pending = append(pending, x)
		default:
			wait = append(wait, x)
		}
	}
	// Redis: the offers are a sorted set by expiry, equal ones by member.
	slices.SortFunc(offered, func(a, b *flows.Registration) int {
		return cmp.Or(a.OfferExpires.Compare(b.OfferExpires), cmp.Compare(strconv.FormatInt(a.UserID, 10), strconv.FormatInt(b.UserID, 10)))
	})
	// Redis: a hybrid workshop's on-site lists, then its online ones.
	var out []*flows.Registration
	for _, mode := range []string{"", flows.ModeOnline} {
		for _, list := range [][]*flows.Registration{conf, offered, wait, pending} {
			for _, r := range list {
				if r.Mode == mode {
					out = append(out, r)
				}
			}
		}
	}
	return out, nil
}

func (m *Store) UserRegistrations(_ context.Context, uid int64) ([]*flows.Registration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	var out []*flows.Registration
	for code := range m.ws.regs {
		if r := m.regLocked(code, uid); r != nil {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *flows.Registration) int {
		return cmp.Or(a.RegisteredAt.Compare(b.RegisteredAt), cmp.Compare(a.Workshop, b.Workshop))
	})
	return out, nil
}

// CountsOf is Counts of each of codes, as the Redis store's.
func (m *Store) CountsOf(ctx context.Context, codes []string) ([]flows.Counts, error) {
	out := make([]flows.Counts, len(codes))
	for i, code := range codes {
		c, err := m.Counts(ctx, code)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

func (m *Store) Counts(_ context.Context, code string) (flows.Counts, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	var c flows.Counts
	for _, r := range m.ws.regs[code] {
		switch r.Status {
		case flows.RegConfirmed:
			c.Confirmed++
		case flows.RegOffered:
			c.Offered++
		case flows.RegPending:
			c.Pending++
		default:
			c.Waiting++
		}
	}
	c.CheckedIn = len(m.ws.checkins[code])
	return c, nil
}

func (m *Store) CheckinToken(_ context.Context, token string) (string, int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	code, ok := m.ws.tokens[token]
	if !ok {
		return "", 0, flows.ErrNotFound
	}
	for _, r := range m.ws.regs[code] {
		if r.Token == token {
			return code, r.UserID, nil
		}
	}
	return "", 0, flows.ErrNotFound
}

func (m *Store) CheckIn(_ context.Context, code string, uid int64, now time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	r := m.regLocked(code, uid)
	if r == nil || r.Status != flows.RegConfirmed {
		return false, flows.ErrNotFound
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

func (m *Store) SaveFeedback(_ context.Context, code string, f *flows.Feedback) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	if m.ws.feedback[code] == nil {
		m.ws.feedback[code] = map[int64]flows.Feedback{}
	}
	m.ws.feedback[code][f.UserID] = *f
	return nil
}

func (m *Store) Feedback(_ context.Context, code string) ([]*flows.Feedback, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	var out []*flows.Feedback
	for _, f := range m.ws.feedback[code] {
		out = append(out, &f)
	}
	slices.SortFunc(out, func(a, b *flows.Feedback) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.UserID, b.UserID))
	})
	return out, nil
}

func (m *Store) Schedule(_ context.Context, jobs ...flows.Job) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	for _, j := range jobs {
		m.ws.jobs[j.ID] = j.Due.Truncate(time.Millisecond) // Redis keeps milliseconds
	}
	return nil
}

func (m *Store) Unschedule(_ context.Context, ids ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	for _, id := range ids {
		delete(m.ws.jobs, id)
	}
	return nil
}
