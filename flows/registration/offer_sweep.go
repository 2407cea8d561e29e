package registration

import (
	"context"
	"errors"
	"time"

	"sinergi/flows"
)

// The offer sweep (flows/offer_sweep.go): planned before each step that
// may make offers, it finds offers whose jobs a stopped process never
// scheduled.

// guardOffers plans w's offer sweep before uid's step that may offer a
// seat: when w offers its freed seats, uid holds one (confirmed, or offered
// it) and someone waits for it. Nothing is written otherwise (a refused
// step changes nothing, and most cancellations offer nothing).
func (e *module) guardOffers(ctx context.Context, w *flows.Workshop, uid int64, now time.Time) error {
	if !w.Offers {
		return nil
	}
	r, err := e.store.GetRegistration(ctx, w.Code, uid)
	if errors.Is(err, flows.ErrNotFound) {
		return nil
	}
	if err != nil {
		return flows.InternalError("get registration", err)
	}
	if r.Status != flows.RegConfirmed && r.Status != flows.RegOffered {
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

// offerSweepJob ("<code>") schedules the jobs of every offer of the
// workshop whose end is not scheduled, and tells the person offered the
// seat (the step that made the offer stopped before telling them).
func (e *module) offerSweepJob(ctx context.Context, now time.Time, code string) ([]flows.Reply, error) {
	w, err := e.store.GetWorkshop(ctx, code)
	if errors.Is(err, flows.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, flows.InternalError("sweep workshop", err)
	}
	regs, err := e.store.Registrations(ctx, code)
	if err != nil {
		return nil, flows.InternalError("sweep registrations", err)
	}
	var out []flows.Reply
	for _, r := range regs {
		if r.Status != flows.RegOffered {
			continue
		}
		ends := flows.OfferJobIDs(code, r.UserID)[0]
		scheduled, err := e.store.JobsScheduled(ctx, ends)
		if err != nil {
			return out, flows.InternalError("sweep offer jobs", err)
		}
		if scheduled[0] {
			continue
		}
		if err := e.store.Schedule(ctx, flows.OfferJobs(code, r.UserID, now, r.OfferExpires)...); err != nil {
			return out, flows.InternalError("sweep schedule offer", err)
		}
		if w.Cancelled || !now.Before(r.OfferExpires) {
			continue // its end, due, gives the seat on
		}
		lang := r.Lang
		if u, err := e.store.GetUser(ctx, r.UserID); err == nil {
			if u.Inactive {
				continue
			}
			lang = u.Lang
		}
		out = append(out, offerReply(w, r, r.UserID, lang))
	}
	return out, nil
}
