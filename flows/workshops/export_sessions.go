package workshops

import (
	"context"
	"slices"
	"strconv"

	"sinergi/flows"
)

// The registrants' export's columns of the agenda (exportCSV): one per
// parallel session, marking who holds a seat there.

// parallelSessions are w's sessions people sign up for, by start, and who
// holds a seat in each.
func (e *module) parallelSessions(ctx context.Context, w *flows.Workshop) ([]flows.AgendaSession, map[string]map[int64]bool, error) {
	ss, err := e.store.Sessions(ctx, w.Code)
	if err != nil {
		return nil, nil, flows.InternalError("sessions", err)
	}
	ss = slices.DeleteFunc(ss, func(s flows.AgendaSession) bool { return !s.Parallel() })
	if len(ss) == 0 {
		return nil, nil, nil
	}
	held, err := e.store.SignUps(ctx, w.Code)
	if err != nil {
		return nil, nil, flows.InternalError("sign-ups", err)
	}
	signed := map[string]map[int64]bool{}
	for id, uids := range held {
		signed[id] = map[int64]bool{}
		for _, uid := range uids {
			signed[id][uid] = true
		}
	}
	return ss, signed, nil
}

// sessionHeader heads a parallel session's column: its title, its start
// in the workshop's zone and its seats ("FGD Air (10/12 10:30, 20)").
func sessionHeader(w *flows.Workshop, s *flows.AgendaSession) string {
	return s.Title + " (" + s.Start.In(flows.LoadZone(w.Zone)).Format("02/01 15:04") + ", " + strconv.Itoa(s.Capacity) + ")"
}
