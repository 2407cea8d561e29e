package flowstest

import (
	"context"
	"slices"
	"time"

	"sinergi/flows"
)

// The fake's hybrid workshops (flows.HybridSeats): a registration's Mode
// ("" on site, flows.ModeOnline) says which mode's list it is on, and
// promoteLocked and placeLocked count one mode's list against its capacity,
// as Redis's :on: lists do (store/hybrid.go).

// promoteModesLocked promotes in each mode, on site first, as
// store/hy_update.lua and OfferSeats do.
func (m *Store) promoteModesLocked(code string, now time.Time) []int64 {
	out := m.promoteLocked(code, "", now, -1)
	if w := m.ws.ws[code]; w.Hybrid() {
		out = append(out, m.promoteLocked(code, flows.ModeOnline, now, -1)...)
	}
	return out
}

// SwitchMode implements flows.HybridSeats as store/hy_switch.lua does.
func (m *Store) SwitchMode(_ context.Context, code string, uid int64, to string, giveUp bool, now time.Time) (*flows.Registration, []int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	w, ok := m.ws.ws[code]
	regs := m.ws.regs[code]
	i := slices.IndexFunc(regs, func(r *flows.Registration) bool { return r.UserID == uid })
	switch {
	case !ok || !w.Hybrid():
		return nil, nil, flows.ErrNotFound
	case i < 0:
		return nil, nil, flows.ErrNotFound
	}
	r := regs[i]
	toMode := to
	if to == flows.ModeOnsite {
		toMode = ""
	}
	switch {
	case r.Mode == toMode:
		return nil, nil, flows.ErrSameMode
	case r.Status == flows.RegOffered:
		return nil, nil, flows.ErrSwitchOffered
	case w.Cancelled:
		return nil, nil, flows.ErrWorkshopCancelled
	case now.UnixMilli() >= w.Start.UnixMilli():
		return nil, nil, flows.ErrSwitchStarted
	}
	from := r.Mode
	// Moved, it takes a new registration number: the end of the list. A new
	// record, as Redis's new number: sign-ups made under the old one lapse.
	cp := *r
	r = &cp
	m.ws.regs[code] = slices.Delete(regs, i, i+1)
	if r.Status == flows.RegPending {
		r.Mode = toMode
		m.ws.regs[code] = append(m.ws.regs[code], r)
		return m.regLocked(code, uid), nil, nil
	}
	place := m.placeLocked(w, toMode)
	if place != flows.RegConfirmed && !giveUp {
		m.ws.regs[code] = slices.Insert(m.ws.regs[code], i, r)
		return nil, nil, flows.ErrModeFull
	}
	held := r.Status == flows.RegConfirmed
	r.Mode, r.Status = toMode, place
	m.ws.regs[code] = append(m.ws.regs[code], r)
	var promoted []int64
	if held {
		promoted = m.promoteLocked(code, from, now, 1)
	}
	return m.regLocked(code, uid), promoted, nil
}

// ModeCounts implements flows.HybridSeats.
func (m *Store) ModeCounts(_ context.Context, code string) (flows.Counts, flows.Counts, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	var c [2]flows.Counts
	for _, r := range m.ws.regs[code] {
		k := 0
		if r.Mode == flows.ModeOnline {
			k = 1
		}
		switch r.Status {
		case flows.RegConfirmed:
			c[k].Confirmed++
		case flows.RegOffered:
			c[k].Offered++
		case flows.RegPending:
			c[k].Pending++
		default:
			c[k].Waiting++
		}
	}
	return c[0], c[1], nil
}
