package registration

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"sinergi/flows"
)

// Registration: what follows a registration — reminders, online attendance
// and feedback.

// remindJob sends a reminder if the registrant is still confirmed and the
// workshop has not started. A reminder found late (the bot was down, or the
// playground's clock jumped) is still sent while the workshop is ahead, and
// says how long is really left, computed now ("tomorrow", "in 3 hours");
// one for a workshop that has begun is dropped as ErrJobLate.
func (e *module) remindJob(kind string) flows.JobFunc {
	return func(ctx context.Context, now time.Time, args string) ([]flows.Reply, error) {
		w, r, lang, err := e.jobTarget(ctx, args)
		if w == nil || err != nil || r.Status != flows.RegConfirmed || w.Cancelled {
			return nil, err
		}
		if !now.Before(w.Start) {
			return nil, fmt.Errorf("reminder for %s, which began at %s: %w", w.Code, w.Start.Format(time.RFC3339), flows.ErrJobLate)
		}
		id := "remind.day_before"
		if kind == flows.JobSoon {
			id = "remind.soon"
		}
		return []flows.Reply{{ChatID: r.UserID, Lang: lang, Bulk: true,
			Text: flows.T(id, "Title", w.Title, "Left", flows.TimeLeft(now, w.Start, w.Zone), "Start", flows.When{At: w.Start, Zone: w.Zone}, "Place", place(flows.ForAttendee(w, r)))}}, nil
	}
}

// jobTarget loads the workshop and registration a job names ("<code>|<uid>");
// nil when either is gone.
func (e *module) jobTarget(ctx context.Context, args string) (*flows.Workshop, *flows.Registration, string, error) {
	code, u, _ := strings.Cut(args, "|")
	uid, _ := strconv.ParseInt(u, 10, 64)
	w, err := e.store.GetWorkshop(ctx, code)
	if errors.Is(err, flows.ErrNotFound) {
		return nil, nil, "", nil
	}
	if err != nil {
		return nil, nil, "", flows.InternalError("job workshop", err)
	}
	r, err := e.store.GetRegistration(ctx, code, uid)
	if errors.Is(err, flows.ErrNotFound) {
		return nil, nil, "", nil
	}
	if err != nil {
		return nil, nil, "", flows.InternalError("job registration", err)
	}
	lang := r.Lang
	if u, err := e.store.GetUser(ctx, uid); err == nil {
		if u.Inactive {
			return nil, nil, "", nil
		}
		lang = u.Lang
	}
	return w, r, lang, nil
}

// feedbackJob asks those who attended how the workshop was: the survey of
// the surveys capability when it runs, else the 1–5 rating. A confirmed
// registrant of a workshop with an online link who has not confirmed
// attendance is asked whether they joined online first (a button that
// records it and then asks for the rating).
func (e *module) feedbackJob(ctx context.Context, now time.Time, args string) ([]flows.Reply, error) {
	w, r, lang, err := e.jobTarget(ctx, args)
	if w == nil || err != nil || w.Cancelled || r.Status != flows.RegConfirmed {
		return nil, err
	}
	if r.CheckedInAt.IsZero() {
		if !flows.GetsLink(w, r) { // on site (or a hybrid workshop's on-site mode)
			return nil, nil
		}
		return []flows.Reply{{ChatID: r.UserID, Lang: lang, Bulk: true, Text: flows.T("fb.ask_online", "Title", w.Title),
			Buttons: [][]flows.Button{{{Label: flows.T("ws.btn_attended_online"), Data: flows.MustData(routeOnline, w.Code)}}}}}, nil
	}
	if out, ok, err := e.survey(ctx, w, r.UserID, r.UserID, lang, now); ok || err != nil {
		return out, err
	}
	return []flows.Reply{feedbackAsk(w, r.UserID, lang)}, nil
}

// feedbackAsk is the 1–5 rating question.
func feedbackAsk(w *flows.Workshop, chat int64, lang string) flows.Reply {
	var row []flows.Button
	for n := 1; n <= 5; n++ {
		row = append(row, flows.Button{Literal: strconv.Itoa(n), Data: flows.MustData(routeFeedback, w.Code, strconv.Itoa(n))})
	}
	return flows.Reply{ChatID: chat, Lang: lang, Bulk: chat != 0, Text: flows.T("fb.ask", "Title", w.Title), Buttons: [][]flows.Button{row}}
}

// onlineStartJob, at the start of an online or hybrid workshop, sends each
// confirmed registrant not yet checked in the link and a button to confirm
// they are attending online.
func (e *module) onlineStartJob(ctx context.Context, now time.Time, args string) ([]flows.Reply, error) {
	w, r, lang, err := e.jobTarget(ctx, args)
	if w == nil || err != nil || !flows.GetsLink(w, r) || w.Cancelled || !r.CheckedInAt.IsZero() {
		return nil, err
	}
	if !now.Before(w.End) {
		// Over: the feedback request at the end asks instead.
		return nil, fmt.Errorf("start message for %s, which ended at %s: %w", w.Code, w.End.Format(time.RFC3339), flows.ErrJobLate)
	}
	return []flows.Reply{{ChatID: r.UserID, Lang: lang, Bulk: true, Text: flows.T("ws.online_start", "Title", w.Title, "Link", w.OnlineURL),
		Buttons: [][]flows.Button{{{Label: flows.T("ws.btn_attending_online"), Data: flows.MustData(routeOnline, w.Code)}}}}}, nil
}

// attendOnline records that a confirmed registrant attends (or attended) a
// workshop online: it counts as a check-in, from Config.OnlineOpens before
// the start until Config.OnlineCloses after the end; outside that window
// the press is refused saying when it opens or that it closed (and when).
// Pressed after the end, the survey (or, without the surveys capability,
// the rating question) follows.
func (e *module) attendOnline(ctx context.Context, t *flows.Turn, code string) error {
	w, err := flows.FindWorkshop(ctx, t, e.store, code)
	if w == nil {
		return err
	}
	r, err := e.store.GetRegistration(ctx, w.Code, t.User.ID)
	if errors.Is(err, flows.ErrNotFound) || (err == nil && !flows.GetsLink(w, r)) || w.Cancelled {
		t.Answer(flows.T("ws.not_registered"), true)
		return nil
	}
	if err != nil {
		return flows.InternalError("attend registration", err)
	}
	if opens := w.Start.Add(-e.cfg.OnlineOpens); t.In.Now.Before(opens) {
		t.Answer(flows.T("att.too_early", "Opens", flows.When{At: opens, Zone: w.Zone}), true)
		return nil
	}
	if closed := w.End.Add(e.cfg.OnlineCloses); !t.In.Now.Before(closed) {
		t.Answer(flows.T("att.closed_at", "Title", w.Title, "Closed", flows.When{At: closed, Zone: w.Zone}), true)
		return nil
	}
	first, err := e.store.CheckIn(ctx, w.Code, t.User.ID, t.In.Now)
	if err != nil {
		return flows.InternalError("attend online", err)
	}
	if first {
		if err := t.Audit(ctx, flows.AuditCheckIn, w.Code, t.User.ID); err != nil {
			return err
		}
	}
	if t.In.MessageID != 0 {
		t.Send(flows.Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	}
	t.Say(flows.T("att.done", "Title", w.Title))
	if err := t.CheckedIn(ctx, w, t.User.ID, false); err != nil {
		return err
	}
	if !t.In.Now.Before(w.End) {
		out, ok, err := e.survey(ctx, w, t.User.ID, 0, t.User.Lang, t.In.Now)
		if err != nil {
			return err
		}
		if !ok {
			out = []flows.Reply{feedbackAsk(w, 0, "")}
		}
		for _, r := range out {
			t.Send(r)
		}
	}
	return nil
}

// feedbackRating takes a 1–5 rating and asks for an optional comment.
func (e *module) feedbackRating(ctx context.Context, t *flows.Turn, payload string) error {
	code, n, _ := strings.Cut(payload, ":")
	rating, err := strconv.Atoi(n)
	if err != nil || rating < 1 || rating > 5 {
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	r, err := e.store.GetRegistration(ctx, code, t.User.ID)
	if errors.Is(err, flows.ErrNotFound) || (err == nil && r.CheckedInAt.IsZero()) {
		t.Answer(flows.T("fb.not_attended"), true)
		return nil
	}
	if err != nil {
		return flows.InternalError("feedback registration", err)
	}
	if err := e.store.SaveFeedback(ctx, code, &flows.Feedback{UserID: t.User.ID, Rating: rating, At: t.In.Now}); err != nil {
		return flows.InternalError("save feedback", err)
	}
	if t.In.MessageID != 0 {
		t.Send(flows.Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	}
	return t.StartFlowAt(ctx, "wsfeedback", "comment", map[string]string{"code": code, "rating": n})
}

func (e *module) feedbackDone(ctx context.Context, t *flows.Turn) error {
	d := t.Session.Data
	rating, _ := strconv.Atoi(d["rating"])
	if d["comment"] != "" {
		f := &flows.Feedback{UserID: t.User.ID, Rating: rating, Comment: d["comment"], At: t.In.Now}
		if err := e.store.SaveFeedback(ctx, d["code"], f); err != nil {
			return flows.InternalError("save feedback", err)
		}
	}
	t.Say(flows.T("fb.thanks"))
	return nil
}

// offerEndJob ends an offer that ran out ("<code>|<uid>"): the seat goes to
// the next person waiting, and the one whose offer ended is told. Run again,
// or for an offer answered meanwhile (or made again, with a later end), it
// does nothing.
func (e *module) offerEndJob(ctx context.Context, now time.Time, args string) ([]flows.Reply, error) {
	code, u, _ := strings.Cut(args, "|")
	uid, err := strconv.ParseInt(u, 10, 64)
	if err != nil {
		return nil, nil
	}
	w, err := e.store.GetWorkshop(ctx, code)
	if errors.Is(err, flows.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, flows.InternalError("offer workshop", err)
	}
	r, err := e.store.GetRegistration(ctx, code, uid)
	if errors.Is(err, flows.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, flows.InternalError("offer registration", err)
	}
	if err := e.guardOffers(ctx, w, uid, now); err != nil {
		return nil, err
	}
	next, err := e.store.ExpireOffer(ctx, code, uid, now)
	if errors.Is(err, flows.ErrNoOffer) {
		return nil, nil
	}
	if err != nil {
		return nil, flows.InternalError("expire offer", err)
	}
	var out []flows.Reply
	lang := r.Lang
	u2, uerr := e.store.GetUser(ctx, uid)
	if uerr == nil {
		lang = u2.Lang
	}
	if !w.Cancelled && (uerr != nil || !u2.Inactive) {
		out = append(out, flows.Reply{ChatID: uid, Lang: lang, Bulk: true, Text: flows.T("ws.offer_expired", "Title", w.Title)})
	}
	more, err := e.movedUpAll(ctx, w, next, now)
	return append(out, more...), err
}

// offerReminderJob reminds someone of a seat still offered to them, once,
// halfway to its end.
func (e *module) offerReminderJob(ctx context.Context, now time.Time, args string) ([]flows.Reply, error) {
	w, r, lang, err := e.jobTarget(ctx, args)
	if w == nil || err != nil || r.Status != flows.RegOffered || w.Cancelled || !now.Before(r.OfferExpires) {
		return nil, err
	}
	return []flows.Reply{{ChatID: r.UserID, Lang: lang, Bulk: true,
		Text:    flows.T("ws.offer_reminder", "Title", w.Title, "Until", flows.When{At: r.OfferExpires, Zone: w.Zone}),
		Buttons: [][]flows.Button{offerButtons(w)}}}, nil
}
