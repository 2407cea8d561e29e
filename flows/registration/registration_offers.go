package registration

import (
	"context"
	"errors"

	"sinergi/flows"
)

// Registration: seats offered from the waiting list — the offer, Accept and
// Decline; its end and reminder are jobs (registration_jobs.go).

// offerButtons are Accept and Decline of a seat of w offered.
func offerButtons(w *flows.Workshop) []flows.Button {
	return []flows.Button{{Label: flows.T("ws.btn_offer_accept"), Data: flows.MustData(routeAcceptOffer, w.Code)},
		{Label: flows.T("ws.btn_offer_decline"), Data: flows.MustData(routeDeclineOffer, w.Code)}}
}

// offerReply is the offer of a seat of w to r's registrant, for the
// current chat (chat 0) or theirs (in bulk).
func offerReply(w *flows.Workshop, r *flows.Registration, chat int64, lang string) flows.Reply {
	return flows.Reply{ChatID: chat, Lang: lang, Bulk: chat != 0,
		Text: flows.T("ws.offer", "Title", w.Title, "Start", flows.When{At: w.Start, Zone: w.Zone},
			"Until", flows.When{At: r.OfferExpires, Zone: w.Zone}),
		Buttons: [][]flows.Button{offerButtons(w)}}
}

// acceptOffer confirms the seat offered to the user, while the offer
// stands; too late (it expired, or the workshop began), the seat has gone
// on and they are told so politely.
func (e *module) acceptOffer(ctx context.Context, t *flows.Turn, code string) error {
	w, err := flows.FindWorkshop(ctx, t, e.store, code)
	if w == nil {
		return err
	}
	uid := t.User.ID
	if err := e.guardOffers(ctx, w, t.User.ID, t.In.Now); err != nil {
		return err
	}
	next, err := e.store.AcceptOffer(ctx, w.Code, uid, t.In.Now)
	switch {
	case errors.Is(err, flows.ErrAlreadyRegistered):
		r, gerr := e.store.GetRegistration(ctx, w.Code, uid)
		if gerr != nil {
			return flows.InternalError("get registration", gerr)
		}
		return e.alreadyRegistered(ctx, t, w, r)
	case errors.Is(err, flows.ErrNoOffer):
		t.Answer(flows.T("ws.offer_gone"), true)
		return nil
	case errors.Is(err, flows.ErrOfferExpired):
		if err := e.store.Unschedule(ctx, flows.OfferJobIDs(w.Code, uid)...); err != nil {
			return flows.InternalError("unschedule offer", err)
		}
		e.clearButtons(t)
		t.Say(flows.T("ws.offer_too_late", "Title", w.Title))
		return e.tellAll(ctx, t, w, next)
	case err != nil:
		return flows.InternalError("accept offer", err)
	}
	if err := e.store.Unschedule(ctx, flows.OfferJobIDs(w.Code, uid)...); err != nil {
		return flows.InternalError("unschedule offer", err)
	}
	r, err := e.store.GetRegistration(ctx, w.Code, uid)
	if err != nil {
		return flows.InternalError("accepted registration", err)
	}
	if err := flows.PlanReminders(ctx, e.store, w, uid, t.In.Now); err != nil {
		return err
	}
	e.clearButtons(t)
	if err := e.sendConfirmation(t, w, r, 0, ""); err != nil {
		return err
	}
	return t.AgendaConfirmed(ctx, w)
}

// declineOffer gives the seat offered to the user to the next person
// waiting; their registration ends.
func (e *module) declineOffer(ctx context.Context, t *flows.Turn, code string) error {
	w, err := flows.FindWorkshop(ctx, t, e.store, code)
	if w == nil {
		return err
	}
	if err := e.guardOffers(ctx, w, t.User.ID, t.In.Now); err != nil {
		return err
	}
	next, err := e.store.DeclineOffer(ctx, w.Code, t.User.ID, t.In.Now)
	if errors.Is(err, flows.ErrNoOffer) {
		t.Answer(flows.T("ws.offer_gone"), true)
		return nil
	}
	if err != nil {
		return flows.InternalError("decline offer", err)
	}
	if err := e.store.Unschedule(ctx, flows.OfferJobIDs(w.Code, t.User.ID)...); err != nil {
		return flows.InternalError("unschedule offer", err)
	}
	e.clearButtons(t)
	t.Say(flows.T("ws.offer_declined", "Title", w.Title))
	return e.tellAll(ctx, t, w, next)
}

func (e *module) clearButtons(t *flows.Turn) {
	if t.In.MessageID != 0 {
		t.Send(flows.Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	}
}

// tellAll tells each of uids they moved up.
func (e *module) tellAll(ctx context.Context, t *flows.Turn, w *flows.Workshop, uids []int64) error {
	replies, err := e.movedUpAll(ctx, w, uids, t.In.Now)
	for _, r := range replies {
		t.Send(r)
	}
	return err
}
