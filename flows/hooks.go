package flows

import (
	"context"
	"time"
)

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

// ChatEvents is what the groups capability does about group chats and
// channels; one module may set it (Registry.OnChats).
type ChatEvents struct {
	// Event handles the bot's membership change in a group or channel
	// (KindMembership) and a group's upgrade to a supergroup
	// (KindMigrated), as inputs of that chat.
	Event func(ctx context.Context, t *Turn) error
	// Forwarded handles a channel post forwarded in a private chat
	// (Input.Forwarded, with Input.Member about that channel).
	Forwarded func(ctx context.Context, t *Turn) error
	// Gone: Telegram refused a send to chat for good (the bot was removed
	// or may no longer write); the replies tell whom it concerns.
	Gone func(ctx context.Context, chat int64, now time.Time) ([]Reply, error)
	// TopicGone: Telegram answered a send into topic thread of chat that
	// the topic does not exist (deleted).
	TopicGone func(ctx context.Context, chat int64, thread int, now time.Time) ([]Reply, error)
	// Moved: Telegram answered a send to chat from with the supergroup it
	// became (migrate_to_chat_id).
	Moved func(ctx context.Context, from, to int64, now time.Time) error
	// Posted: a reply with Posted set was sent as message msgID of chat
	// (topic thread).
	Posted func(ctx context.Context, tag string, chat int64, thread, msgID int) error
	// Linked lists the active links of a workshop for a purpose
	// (PurposeReports: its facilitators' chats).
	Linked func(ctx context.Context, code, purpose string) ([]*ChatLink, error)
}

// LinkedChats is how a capability finds the chats linked to a workshop for
// a purpose (through the module that set OnChats; none: no chats).
func (r *Registry) LinkedChats() func(ctx context.Context, code, purpose string) ([]*ChatLink, error) {
	e := r.e
	return func(ctx context.Context, code, purpose string) ([]*ChatLink, error) {
		if e.chats == nil || e.chats.Linked == nil {
			return nil, nil
		}
		return e.chats.Linked(ctx, code, purpose)
	}
}

// OnChats sets what happens about group chats and channels; one module may.
func (r *Registry) OnChats(c *ChatEvents) {
	if r.e.chats != nil {
		panic("flows: duplicate chat events")
	}
	r.e.chats = c
}

// ChatGone tells the capability that set OnChats that chat refused a send
// for good, and returns what to tell whom (nothing without one).
func (e *Engine) ChatGone(ctx context.Context, chat int64, now time.Time) ([]Reply, error) {
	if e.chats == nil || e.chats.Gone == nil {
		return nil, nil
	}
	return e.chats.Gone(ctx, chat, now)
}

// TopicGone tells the capability that set OnChats that a forum topic is
// gone, and returns what to tell whom.
func (e *Engine) TopicGone(ctx context.Context, chat int64, thread int, now time.Time) ([]Reply, error) {
	if e.chats == nil || e.chats.TopicGone == nil {
		return nil, nil
	}
	return e.chats.TopicGone(ctx, chat, thread, now)
}

// ChatMoved tells the capability that set OnChats that the group from is
// now the supergroup to.
func (e *Engine) ChatMoved(ctx context.Context, from, to int64, now time.Time) error {
	if e.chats == nil || e.chats.Moved == nil {
		return nil
	}
	return e.chats.Moved(ctx, from, to, now)
}

// Posted hands the id of a sent reply that asked for it (Reply.Posted) to
// the capability that set OnChats.
func (e *Engine) Posted(ctx context.Context, tag string, chat int64, thread, msgID int) error {
	if e.chats == nil || e.chats.Posted == nil {
		return nil
	}
	return e.chats.Posted(ctx, tag, chat, thread, msgID)
}

// OnRegistrationEnded adds what runs when uid's registration for workshop
// code ended (they cancelled it): partner meetings there are called off.
func (r *Registry) OnRegistrationEnded(f func(ctx context.Context, t *Turn, code string, uid int64) error) {
	r.e.regEnded = append(r.e.regEnded, f)
}

// RegistrationEnded runs what the modules set with OnRegistrationEnded.
func (t *Turn) RegistrationEnded(ctx context.Context, code string, uid int64) error {
	for _, f := range t.e.regEnded {
		if err := f(ctx, t, code, uid); err != nil {
			return err
		}
	}
	return nil
}

// OnWorkshopCancelled adds what runs when the team cancelled workshop w
// (already stored cancelled): partner meetings there are called off.
func (r *Registry) OnWorkshopCancelled(f func(ctx context.Context, t *Turn, w *Workshop) error) {
	r.e.wsEnded = append(r.e.wsEnded, f)
}

// WorkshopCancelled runs what the modules set with OnWorkshopCancelled.
func (t *Turn) WorkshopCancelled(ctx context.Context, w *Workshop) error {
	for _, f := range t.e.wsEnded {
		if err := f(ctx, t, w); err != nil {
			return err
		}
	}
	return nil
}

// OnWorkshopMoved adds what runs when the team changed workshop w's start,
// end or zone (w as saved): partner meetings outside its new time are
// called off.
func (r *Registry) OnWorkshopMoved(f func(ctx context.Context, t *Turn, w *Workshop) error) {
	r.e.wsMoved = append(r.e.wsMoved, f)
}

// WorkshopMoved runs what the modules set with OnWorkshopMoved.
func (t *Turn) WorkshopMoved(ctx context.Context, w *Workshop) error {
	for _, f := range t.e.wsMoved {
		if err := f(ctx, t, w); err != nil {
			return err
		}
	}
	return nil
}

// OnForgetting adds what runs just before uid is forgotten, to tell others
// what the deletion ends for them (a partner meeting).
func (r *Registry) OnForgetting(f func(ctx context.Context, t *Turn, uid int64) error) {
	r.e.forgetting = append(r.e.forgetting, f)
}

// Forgetting runs what the modules set with OnForgetting.
func (t *Turn) Forgetting(ctx context.Context, uid int64) error {
	for _, f := range t.e.forgetting {
		if err := f(ctx, t, uid); err != nil {
			return err
		}
	}
	return nil
}

// OnReport adds sections to a workshop's progress report (follow-up's
// /report): what came of its partner meetings, next to the commitments.
func (r *Registry) OnReport(f func(ctx context.Context, w *Workshop) ([]Text, error)) {
	r.e.reports = append(r.e.reports, f)
}

// ReportSections are the sections the modules add to w's progress report.
func (t *Turn) ReportSections(ctx context.Context, w *Workshop) ([]Text, error) {
	var out []Text
	for _, f := range t.e.reports {
		s, err := f(ctx, w)
		if err != nil {
			return nil, err
		}
		out = append(out, s...)
	}
	return out, nil
}
