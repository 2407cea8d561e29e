package registration

import (
	"context"
	"errors"
	"time"

	"sinergi/flows"
)

// Invite-only workshops, the invitee's side (flows/invite_types.go): the
// link inv_<code><token> records that the person holds the invitation and
// shows the workshop; without one an invite-only workshop is not shown nor
// registered for ("this workshop is by invitation"); the registration uses
// the invitation in the same atomic step (Store.RegisterInvited).

// invitesStore is what the invitee's side needs of the store.
type invitesStore interface {
	HoldWorkshopInvite(ctx context.Context, code, token string, uid int64) (*flows.WorkshopInvite, error)
	HeldWorkshopInvite(ctx context.Context, code string, uid int64) (string, error)
	RegisterInvited(ctx context.Context, r *flows.Registration, now time.Time) (*flows.Registration, error)
}

func (e *module) registerInvites(r *flows.Registry) {
	r.Link(&flows.DeepLink{Prefix: "inv", Run: e.openInvite})
}

// openInvite: someone opened an invitation's link.
func (e *module) openInvite(ctx context.Context, t *flows.Turn, payload string) error {
	code, token, ok := flows.ParseInvitePayload(payload)
	if !ok {
		t.Say(flows.T("inv.gone"))
		return nil
	}
	w, err := flows.FindWorkshop(ctx, t, e.store, code)
	if w == nil {
		return err
	}
	if _, err := e.store.GetRegistration(ctx, w.Code, t.User.ID); err == nil {
		return e.showWorkshop(ctx, t, w.Code) // registered already: their card
	} else if !errors.Is(err, flows.ErrNotFound) {
		return flows.InternalError("get registration", err)
	}
	inv, err := e.store.HoldWorkshopInvite(ctx, w.Code, token, t.User.ID)
	switch {
	case errors.Is(err, flows.ErrInviteGone):
		t.Say(flows.T("inv.gone"))
		return nil
	case errors.Is(err, flows.ErrInviteUsed):
		t.Say(flows.T("inv.used", "Title", w.Title))
		return nil
	case err != nil:
		return flows.InternalError("hold invitation", err)
	}
	if inv.Org != "" {
		t.Say(flows.T("inv.welcome_org", "Title", w.Title, "Org", inv.Org))
	} else {
		t.Say(flows.T("inv.welcome", "Title", w.Title))
	}
	return e.showWorkshop(ctx, t, w.Code)
}

// notInvited says "this workshop is by invitation" and is true when w is
// invite-only and the user may not see it: they neither manage it, nor are
// registered, nor hold an invitation.
func (e *module) notInvited(ctx context.Context, t *flows.Turn, w *flows.Workshop) (bool, error) {
	if !w.InviteOnly || t.CanManage(w) {
		return false, nil
	}
	if _, err := e.store.GetRegistration(ctx, w.Code, t.User.ID); err == nil {
		return false, nil
	} else if !errors.Is(err, flows.ErrNotFound) {
		return false, flows.InternalError("get registration", err)
	}
	tok, err := e.store.HeldWorkshopInvite(ctx, w.Code, t.User.ID)
	if err != nil {
		return false, flows.InternalError("held invitation", err)
	}
	if tok != "" {
		return false, nil
	}
	t.Say(flows.T("inv.by_invitation"))
	return true, nil
}

// registerPlace registers r: through the invitation its person holds when w is
// invite-only.
func (e *module) registerPlace(ctx context.Context, w *flows.Workshop, r *flows.Registration, now time.Time) (*flows.Registration, error) {
	if w.InviteOnly {
		return e.store.RegisterInvited(ctx, r, now)
	}
	return e.store.Register(ctx, r, now)
}

// inviteRefusal words a registration refused for its invitation; nil for
// any other outcome.
func inviteRefusal(w *flows.Workshop, err error) *flows.Text {
	var t flows.Text
	switch {
	case errors.Is(err, flows.ErrNoInvite):
		t = flows.T("inv.by_invitation")
	case errors.Is(err, flows.ErrInviteGone):
		t = flows.T("inv.gone")
	case errors.Is(err, flows.ErrInviteUsed):
		t = flows.T("inv.used", "Title", w.Title)
	default:
		return nil
	}
	return &t
}
