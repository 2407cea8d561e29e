// Package surveys is the post-event survey of a workshop: the team writes
// it (rating 1–5, one choice and free-text questions, in Indonesian and
// optionally English) or keeps the default one; it goes to those who
// attended (on site or online) once after the end, with one reminder; the
// answers are anonymous to the team unless the participant agrees at the
// end; the team sees the results (counts, averages, a chart, a CSV, the
// comments). It also shows what the forum learns (/insights): per
// workshop, registered → attended → answered → commitments made → done,
// and the no-show rate per workshop and per organisation.
package surveys

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"sinergi/flows"
)

// Store is what surveys read and write: the workshops the user manages,
// their registrations and commitments, the survey and its answers, the
// reminder job, the names.
type Store interface {
	flows.WorkshopGetter
	flows.Facilitations
	flows.Names
	flows.Jobs
	GetChapter(ctx context.Context, id string) (*flows.Chapter, error)
	Registrations(ctx context.Context, code string) ([]*flows.Registration, error)
	GetRegistration(ctx context.Context, code string, uid int64) (*flows.Registration, error)
	Excused(ctx context.Context, code string) (map[int64]bool, error)
	WorkshopCommitments(ctx context.Context, code string) ([]*flows.Commitment, error)
	// GetSurvey is the survey the team wrote (ErrNotFound: none, the
	// default applies).
	GetSurvey(ctx context.Context, code string) (*flows.Survey, error)
	// SaveSurvey saves sv with the next version (set in sv);
	// ErrSurveyAnswered once anyone answered.
	SaveSurvey(ctx context.Context, sv *flows.Survey) error
	// SubmitSurvey records a (a.UserID 0 unless shared) and that uid
	// answered, once: ErrAlreadyAnswered the second time.
	SubmitSurvey(ctx context.Context, code string, uid int64, a *flows.SurveyAnswer) error
	SurveyAnswered(ctx context.Context, code string, uid int64) (bool, error)
	SurveyAnswers(ctx context.Context, code string) ([]*flows.SurveyAnswer, error)
	// MarkSurveySent is true the first time for kind ("i" the survey,
	// "r" the reminder) and uid.
	MarkSurveySent(ctx context.Context, code string, uid int64, kind string) (bool, error)
}

// Callback routes, "<name>:<payload>".
const (
	routeManage  = "surveys.manage"  // <code>: the survey's card (team)
	routeEdit    = "surveys.edit"    // <code>: write the survey (team)
	routeResults = "surveys.results" // <code>: results, chart, CSV (team)
	routeFunnel  = "surveys.funnel"  // <code>: the workshop's funnel (team)
	routeStart   = "surveys.start"   // <code>: answer the survey (attendee)

	answerFlow = "svanswer"
	editFlow   = "svedit"

	// recentWorkshops is how many workshops /survey offers.
	recentWorkshops = 10
	// maxComments is how many comments the results list (the CSV has all).
	maxComments = 20
)

// Module is the surveys capability.
func Module(st Store) flows.Module {
	return flows.ModuleFunc(func(r *flows.Registry) {
		e := &module{store: st, cfg: r.Config(), texts: r.Texts()}
		r.Namespace("surveys")
		r.OnSurveyInvite(e.invite)
		r.Command(&flows.Command{Name: "survey", Role: flows.RoleFacilitator, Describe: "cmd.survey", Run: e.command})
		r.Command(&flows.Command{Name: "insights", Role: flows.RoleFacilitator, Describe: "cmd.insights", Run: e.insights})
		r.Route(&flows.Route{Name: routeManage, Role: flows.RoleFacilitator, Run: flows.Managed(st, e.manage)})
		r.Route(&flows.Route{Name: routeEdit, Role: flows.RoleFacilitator, Run: flows.Managed(st, e.edit)})
		r.Route(&flows.Route{Name: routeResults, Role: flows.RoleFacilitator, Run: flows.Managed(st, e.results)})
		r.Route(&flows.Route{Name: routeFunnel, Role: flows.RoleFacilitator, Run: flows.Managed(st, e.funnel)})
		r.Route(&flows.Route{Name: routeStart, Run: e.start})
		r.Flow(&flows.Flow{Name: editFlow, Done: e.editDone, Steps: []*flows.Step{
			{Name: "text", Parse: parseSurveyText, Prompt: flows.Ask("sv.edit_ask")},
		}})
		r.Flow(e.answerFlow())
		r.Job(flows.JobSurveyReminder, e.reminderJob)
	})
}

type module struct {
	store Store
	cfg   flows.Config
	texts flows.Texts
}

// tx is message id in lang, for the texts drawn into a chart and the
// default survey's questions.
func (e *module) tx(lang, id string, data map[string]any) string {
	s, _ := e.texts.Text(lang, id, data, nil) // a missing id shows as itself; TestSurveyTextsComplete checks them
	return s
}

// defaultSurvey is the survey of a workshop whose team wrote none: two
// ratings, a choice and a comment, in both languages.
func (e *module) defaultSurvey(code string) *flows.Survey {
	q := func(kind, id string, opts ...string) flows.SurveyQuestion {
		sq := flows.SurveyQuestion{Kind: kind, Text: e.tx("id", id, nil), TextEN: e.tx("en", id, nil)}
		for _, o := range opts {
			sq.Options = append(sq.Options, e.tx("id", o, nil))
			sq.OptionsEN = append(sq.OptionsEN, e.tx("en", o, nil))
		}
		return sq
	}
	return &flows.Survey{Workshop: code, Questions: []flows.SurveyQuestion{
		q(flows.SvRating, "sv.default.overall"),
		q(flows.SvRating, "sv.default.useful"),
		q(flows.SvChoice, "sv.default.again", "sv.default.yes", "sv.default.maybe", "sv.default.no"),
		q(flows.SvText, "sv.default.comment"),
	}}
}

// survey is w's survey: the team's, else the default (Version 0).
func (e *module) survey(ctx context.Context, code string) (*flows.Survey, error) {
	sv, err := e.store.GetSurvey(ctx, code)
	if errors.Is(err, flows.ErrNotFound) {
		return e.defaultSurvey(code), nil
	}
	if err != nil {
		return nil, flows.InternalError("survey", err)
	}
	return sv, nil
}

// closes is when w's survey stops taking answers.
func closes(w *flows.Workshop) time.Time { return w.End.Add(flows.SurveyOpenFor) }

// attended: uid is a confirmed registrant of w who checked in (on site or
// online), as the attendance capability counts present.
func (e *module) attended(ctx context.Context, code string, uid int64) (bool, error) {
	r, err := e.store.GetRegistration(ctx, code, uid)
	if errors.Is(err, flows.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, flows.InternalError("survey registration", err)
	}
	return r.Status == flows.RegConfirmed && !r.CheckedInAt.IsZero(), nil
}

// invite asks attendee uid to answer w's survey, the first time only
// (MarkSurveySent), and schedules the one reminder SurveyReminderAfter
// later. Nothing for someone who did not attend, answered, or after the
// survey closed, or for a cancelled workshop.
func (e *module) invite(ctx context.Context, w *flows.Workshop, uid, chat int64, lang string, now time.Time) ([]flows.Reply, error) {
	if w.Cancelled || !now.Before(closes(w)) {
		return nil, nil
	}
	ok, err := e.attended(ctx, w.Code, uid)
	if err != nil || !ok {
		return nil, err
	}
	done, err := e.store.SurveyAnswered(ctx, w.Code, uid)
	if err != nil {
		return nil, flows.InternalError("survey answered", err)
	}
	if done {
		return nil, nil
	}
	first, err := e.store.MarkSurveySent(ctx, w.Code, uid, "i")
	if err != nil {
		return nil, flows.InternalError("survey sent", err)
	}
	if !first {
		return nil, nil
	}
	sv, err := e.survey(ctx, w.Code)
	if err != nil {
		return nil, err
	}
	if at := now.Add(flows.SurveyReminderAfter); at.Before(closes(w)) {
		if err := e.store.Schedule(ctx, flows.Job{ID: reminderID(w.Code, uid), Due: at}); err != nil {
			return nil, flows.InternalError("schedule survey reminder", err)
		}
	}
	rep := flows.Reply{ChatID: chat, Text: flows.T("sv.invite", "Title", w.Title, "Count", len(sv.Questions), "Closes", flows.When{At: closes(w), Zone: w.Zone}),
		Buttons: [][]flows.Button{{{Label: flows.T("sv.btn_start"), Data: flows.MustData(routeStart, w.Code)}}}}
	if chat != 0 {
		rep.Lang, rep.Bulk = lang, true
	}
	return []flows.Reply{rep}, nil
}

func reminderID(code string, uid int64) string {
	return flows.JobSurveyReminder + "|" + code + "|" + strconv.FormatInt(uid, 10)
}

// reminderJob reminds an attendee who has not answered, once
// ("wsv|<code>|<uid>"; MarkSurveySent "r").
func (e *module) reminderJob(ctx context.Context, now time.Time, args string) ([]flows.Reply, error) {
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
		return nil, flows.InternalError("survey reminder workshop", err)
	}
	if w.Cancelled || !now.Before(closes(w)) {
		return nil, nil
	}
	done, err := e.store.SurveyAnswered(ctx, code, uid)
	if err != nil {
		return nil, flows.InternalError("survey answered", err)
	}
	if done {
		return nil, nil
	}
	lang := ""
	if usr, err := e.store.GetUser(ctx, uid); err == nil {
		if usr.Inactive {
			return nil, nil
		}
		lang = usr.Lang
	} else if !errors.Is(err, flows.ErrNotFound) {
		return nil, flows.InternalError("survey reminder user", err)
	} else {
		return nil, nil // forgotten
	}
	first, err := e.store.MarkSurveySent(ctx, code, uid, "r")
	if err != nil {
		return nil, flows.InternalError("survey reminder sent", err)
	}
	if !first {
		return nil, nil
	}
	return []flows.Reply{{ChatID: uid, Lang: lang, Bulk: true,
		Text:    flows.T("sv.reminder", "Title", w.Title, "Closes", flows.When{At: closes(w), Zone: w.Zone}),
		Buttons: [][]flows.Button{{{Label: flows.T("sv.btn_start"), Data: flows.MustData(routeStart, w.Code)}}}}}, nil
}

// command lists the workshops the user manages that have begun, newest
// first, each a button to its survey.
func (e *module) command(ctx context.Context, t *flows.Turn) error {
	ws, err := flows.ManagedWorkshops(ctx, e.store, t)
	if err != nil {
		return err
	}
	var rows [][]flows.Button
	for _, w := range ws {
		if w.Cancelled {
			continue
		}
		rows = append(rows, []flows.Button{{Literal: w.Title, Data: flows.MustData(routeManage, w.Code)}})
		if len(rows) == recentWorkshops {
			break
		}
	}
	if len(rows) == 0 {
		t.Say(flows.T("sv.none"))
		return nil
	}
	t.Say(flows.T("sv.choose"), rows...)
	return nil
}

// manage is the survey's card: its questions, whether it is the team's or
// the default, how many answered; edit, results and the funnel.
func (e *module) manage(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	sv, err := e.survey(ctx, w.Code)
	if err != nil {
		return err
	}
	as, err := e.store.SurveyAnswers(ctx, w.Code)
	if err != nil {
		return flows.InternalError("survey answers", err)
	}
	var lines []flows.Text
	for i, q := range sv.Questions {
		lines = append(lines, flows.T("sv.card_question", "N", i+1, "Kind", flows.T("sv.kind."+q.Kind), "Question", q.In(t.User.Lang)))
	}
	id := "sv.card_default"
	if sv.Version > 0 {
		id = "sv.card_custom"
	}
	t.Say(flows.T(id, "Title", w.Title, "Questions", lines, "Count", len(as), "Closes", flows.When{At: closes(w), Zone: w.Zone}),
		[]flows.Button{{Label: flows.T("sv.btn_edit"), Data: flows.MustData(routeEdit, w.Code)},
			{Label: flows.T("sv.btn_results"), Data: flows.MustData(routeResults, w.Code)}},
		[]flows.Button{{Label: flows.T("sv.btn_funnel"), Data: flows.MustData(routeFunnel, w.Code)}})
	return nil
}

// edit asks for the survey's text; refused once someone answered (a
// survey is not changed under its answers).
func (e *module) edit(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	as, err := e.store.SurveyAnswers(ctx, w.Code)
	if err != nil {
		return flows.InternalError("survey answers", err)
	}
	if len(as) > 0 {
		t.Answer(flows.T("sv.edit_answered", "Count", len(as)), true)
		return nil
	}
	return t.StartFlowAt(ctx, editFlow, "text", map[string]string{"code": w.Code})
}

func (e *module) editDone(ctx context.Context, t *flows.Turn) error {
	code := t.Session.Data["code"]
	w, err := e.store.GetWorkshop(ctx, code)
	if err != nil {
		return flows.InternalError("survey workshop", err)
	}
	if !t.CanManage(w) {
		t.Say(flows.T("errors.not_allowed"))
		return nil
	}
	qs, err := decodeQuestions(t.Session.Data["text"])
	if err != nil {
		return flows.InternalError("survey text", err)
	}
	sv := &flows.Survey{Workshop: code, Questions: qs, Updated: t.In.Now, By: t.User.ID}
	err = e.store.SaveSurvey(ctx, sv)
	if errors.Is(err, flows.ErrSurveyAnswered) {
		t.Say(flows.T("sv.edit_answered", "Count", 1))
		return nil
	}
	if err != nil {
		return flows.InternalError("save survey", err)
	}
	if err := t.Audit(ctx, flows.AuditSurveyEdit, code, 0); err != nil {
		return err
	}
	t.Say(flows.T("sv.saved", "Title", w.Title, "Count", len(qs), "Version", sv.Version),
		[]flows.Button{{Label: flows.T("sv.btn_card"), Data: flows.MustData(routeManage, code)}})
	return nil
}

// errText is a wrapped text for logs.
func errText(format string, a ...any) error { return fmt.Errorf(format, a...) }
