package workshops

import (
	"context"
	"time"

	"sinergi/flows"
)

// capacityTakenMeanwhile refuses (and says so) a capacity lowered below
// the seats taken now: the capacity question checked the seats taken when
// it was answered, and people may have registered before the save.
func (e *module) capacityTakenMeanwhile(ctx context.Context, t *flows.Turn, w *flows.Workshop, capacity int) (bool, error) {
	if capacity <= 0 || (w.Capacity > 0 && capacity >= w.Capacity) {
		return false, nil
	}
	c, err := e.store.Counts(ctx, w.Code)
	if w.Hybrid() { // Capacity is then the on-site seats
		c, _, err = e.store.ModeCounts(ctx, w.Code)
	}
	if err != nil {
		return false, flows.InternalError("counts", err)
	}
	if taken := c.Confirmed + c.Offered; capacity < taken {
		t.Say(flows.T("ws.capacity_taken_meanwhile", "Count", taken, "Capacity", capacity))
		return true, nil
	}
	return false, nil
}

// guardOffers plans w's offer sweep (flows/offer_sweep.go) before a step
// that may offer its seats — when it offers them and someone waits — so an
// offer whose jobs a stopped process never scheduled is found.
func (e *module) guardOffers(ctx context.Context, w *flows.Workshop, now time.Time) error {
	if !w.Offers {
		return nil
	}
	if c, err := e.store.Counts(ctx, w.Code); err != nil {
		return flows.InternalError("counts", err)
	} else if c.Waiting == 0 {
		return nil
	}
	if err := e.store.Schedule(ctx, flows.OfferSweepJob(w.Code, now)); err != nil {
		return flows.InternalError("schedule offer sweep", err)
	}
	return nil
}
