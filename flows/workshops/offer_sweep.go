package workshops

import (
	"context"
	"time"

	"sinergi/flows"
)

// guardOffers plans workshop code's offer sweep (flows/offer_sweep.go)
// before a step that may offer its seats, so an offer whose jobs a stopped
// process never scheduled is found.
func (e *module) guardOffers(ctx context.Context, code string, now time.Time) error {
	if err := e.store.Schedule(ctx, flows.OfferSweepJob(code, now)); err != nil {
		return flows.InternalError("schedule offer sweep", err)
	}
	return nil
}
