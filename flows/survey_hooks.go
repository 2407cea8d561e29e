package flows

import (
	"context"
	"time"
)

// SurveyInviteFunc asks attendee uid of w, in chat (0: the chat of the
// turn, else uid's, sent in bulk) and lang, to answer w's post-event
// survey. It returns nothing when uid has no survey to answer (answered,
// closed, not attended).
type SurveyInviteFunc func(ctx context.Context, w *Workshop, uid, chat int64, lang string, now time.Time) ([]Reply, error)

// OnSurveyInvite sets how a workshop's attendees are asked to answer its
// survey (the surveys capability); one module may.
func (r *Registry) OnSurveyInvite(f SurveyInviteFunc) {
	if r.e.surveyInvite != nil {
		panic("flows: duplicate survey invite")
	}
	r.e.surveyInvite = f
}

// SurveyInvite is the survey invitation of the module that set
// OnSurveyInvite; ok is false when none did (the caller asks its own way).
func (r *Registry) SurveyInvite() func(ctx context.Context, w *Workshop, uid, chat int64, lang string, now time.Time) (replies []Reply, ok bool, err error) {
	e := r.e
	return func(ctx context.Context, w *Workshop, uid, chat int64, lang string, now time.Time) ([]Reply, bool, error) {
		if e.surveyInvite == nil {
			return nil, false, nil
		}
		out, err := e.surveyInvite(ctx, w, uid, chat, lang, now)
		return out, true, err
	}
}
