package flows

import "context"

// Hooks: where one capability needs another, it goes through the core. The
// capability that can do a thing sets the hook while registering; another
// calls it through the Turn, and nothing happens when no module set it.

// PromotedFunc tells user uid that a seat of w was freed for them.
type PromotedFunc func(ctx context.Context, t *Turn, w *Workshop, uid int64) error

// OnPromoted sets who tells someone promoted from a waiting list when a
// seat is freed outside registration (a user forgotten); one module may.
func (r *Registry) OnPromoted(f PromotedFunc) {
	if r.e.promoted != nil {
		panic("flows: duplicate promotion handler")
	}
	r.e.promoted = f
}

// OnProfileSaved sets what runs after the profile flow saved a profile in
// its flow, to carry on with what asked for the profile (a registration);
// one module may.
func (r *Registry) OnProfileSaved(f func(ctx context.Context, t *Turn) error) {
	if r.e.profileSaved != nil {
		panic("flows: duplicate profile continuation")
	}
	r.e.profileSaved = f
}

// OnManageCard sets who shows a workshop's management card, which other
// capabilities return to after changing a setting; one module may.
func (r *Registry) OnManageCard(f func(ctx context.Context, t *Turn, w *Workshop) error) {
	if r.e.showManageCard != nil {
		panic("flows: duplicate management card")
	}
	r.e.showManageCard = f
}

// TellPromoted tells uid that a seat of w was freed for them, through the
// module that set OnPromoted (none: nothing is said).
func (t *Turn) TellPromoted(ctx context.Context, w *Workshop, uid int64) error {
	if t.e.promoted == nil {
		return nil
	}
	return t.e.promoted(ctx, t, w, uid)
}

// ProfileSaved carries on, after the profile flow saved a profile, with
// what asked for it, through the module that set OnProfileSaved (none:
// nothing more happens).
func (t *Turn) ProfileSaved(ctx context.Context) error {
	if t.e.profileSaved == nil {
		return nil
	}
	return t.e.profileSaved(ctx, t)
}

// ShowManageCard shows w's management card through the module that set
// OnManageCard (none: nothing is shown).
func (t *Turn) ShowManageCard(ctx context.Context, w *Workshop) error {
	if t.e.showManageCard == nil {
		return nil
	}
	return t.e.showManageCard(ctx, t, w)
}
