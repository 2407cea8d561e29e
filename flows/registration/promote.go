package registration

import (
	"context"
	"errors"
	"time"

	"sinergi/flows"
)

// tellPromoted tells someone moved up from the waiting list: a seat
// offered (with Accept and Decline, its end and reminder scheduled), or
// confirmed (with the calendar file, QR code, reminders and the agenda's
// invitation to choose sessions).
func (e *module) tellPromoted(ctx context.Context, t *flows.Turn, w *flows.Workshop, uid int64) error {
	replies, err := e.movedUp(ctx, w, uid, t.In.Now)
	for _, r := range replies {
		t.Send(r)
	}
	return err
}

// movedUp plans and words what someone moved up from the waiting list of w
// at now is told; nothing when they are gone again.
func (e *module) movedUp(ctx context.Context, w *flows.Workshop, uid int64, now time.Time) ([]flows.Reply, error) {
	r, err := e.store.GetRegistration(ctx, w.Code, uid)
	if errors.Is(err, flows.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, flows.InternalError("promoted registration", err)
	}
	lang := r.Lang
	if u, err := e.store.GetUser(ctx, uid); err == nil {
		lang = u.Lang
	}
	switch r.Status {
	case flows.RegOffered:
		if err := e.store.Schedule(ctx, flows.OfferJobs(w.Code, uid, now, r.OfferExpires)...); err != nil {
			return nil, flows.InternalError("schedule offer", err)
		}
		return []flows.Reply{offerReply(w, r, uid, lang)}, nil
	case flows.RegConfirmed:
		if err := flows.PlanReminders(ctx, e.store, w, uid, now); err != nil {
			return nil, err
		}
		out := e.confirmation(w, r, uid, lang, now, "")
		invite, err := e.agendaConfirmed(ctx, w, uid, lang)
		return append(out, invite...), err
	}
	return nil, nil
}

// movedUpAll is movedUp for each of uids, in order.
func (e *module) movedUpAll(ctx context.Context, w *flows.Workshop, uids []int64, now time.Time) ([]flows.Reply, error) {
	var out []flows.Reply
	for _, uid := range uids {
		replies, err := e.movedUp(ctx, w, uid, now)
		out = append(out, replies...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
