package surveys

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"sinergi/flows"
)

// Answering: surveys.start begins the flow "survey" with the workshop, the
// survey's version and its number of questions; steps q0…q9 ask the
// questions there are (the rest are skipped), then "share" asks whether
// the team may see the participant's name with the answers. Done records
// them once.

const shareStep = "share"

func stepName(i int) string { return "q" + strconv.Itoa(i) }

func (e *module) answerFlow() *flows.Flow {
	f := &flows.Flow{Name: answerFlow, Done: e.answerDone}
	for i := range flows.MaxSurveyQuestions {
		f.Steps = append(f.Steps, &flows.Step{
			Name: stepName(i),
			Skip: func(t *flows.Turn) bool {
				n, _ := strconv.Atoi(t.Session.Data["n"])
				return i >= n
			},
			Prompt: func(ctx context.Context, t *flows.Turn) (flows.Reply, error) { return e.askQuestion(ctx, t, i) },
			Parse: func(ctx context.Context, t *flows.Turn, in flows.Input) (string, error) {
				return e.parseAnswer(ctx, t, in, i)
			},
		})
	}
	f.Steps = append(f.Steps, &flows.Step{Name: shareStep, Parse: flows.Confirm(flows.T("sv.discarded"), "yes", "no"),
		Prompt: func(_ context.Context, t *flows.Turn) (flows.Reply, error) {
			return flows.Reply{Text: flows.T("sv.ask_share"), Buttons: [][]flows.Button{
				{t.Choice(flows.T("sv.share_yes"), "yes"), t.Choice(flows.T("sv.share_no"), "no")},
				{t.Choice(flows.T("sv.discard"), "discard")}}}, nil
		}})
	return f
}

// question is question i of the survey the session answers.
func (e *module) question(ctx context.Context, t *flows.Turn, i int) (flows.SurveyQuestion, error) {
	sv, err := e.survey(ctx, t.Session.Data["code"])
	if err != nil {
		return flows.SurveyQuestion{}, err
	}
	if strconv.Itoa(sv.Version) != t.Session.Data["version"] || i >= len(sv.Questions) {
		return flows.SurveyQuestion{}, flows.Refuse("sv.changed")
	}
	return sv.Questions[i], nil
}

func (e *module) askQuestion(ctx context.Context, t *flows.Turn, i int) (flows.Reply, error) {
	q, err := e.question(ctx, t, i)
	if err != nil {
		return flows.Reply{}, err
	}
	n, _ := strconv.Atoi(t.Session.Data["n"])
	rep := flows.Reply{Text: flows.T("sv.question_"+q.Kind, "N", i+1, "Total", n, "Question", q.In(t.User.Lang))}
	switch q.Kind {
	case flows.SvRating:
		var row []flows.Button
		for v := 1; v <= 5; v++ {
			row = append(row, t.ChoiceLiteral(strconv.Itoa(v), strconv.Itoa(v)))
		}
		rep.Buttons = [][]flows.Button{row}
	case flows.SvChoice:
		for o := range q.Options {
			rep.Buttons = append(rep.Buttons, []flows.Button{t.ChoiceLiteral(q.Option(t.User.Lang, o), strconv.Itoa(o))})
		}
	default:
		rep.Buttons = [][]flows.Button{{t.Choice(flows.T("sv.skip"), flows.SkipValue)}}
	}
	return rep, nil
}

// parseAnswer takes the answer to question i: a rating 1–5 (a button, or
// typed), an option's button, a text up to MaxSurveyAnswer (or skipped).
func (e *module) parseAnswer(ctx context.Context, t *flows.Turn, in flows.Input, i int) (string, error) {
	q, err := e.question(ctx, t, i)
	if ue, ok := flows.AsUserError(err); ok && ue.Msg.ID == "sv.changed" {
		// The team changed the survey meanwhile (no one had answered):
		// the answers so far are to other questions; start again.
		code := t.Session.Data["code"]
		t.EndFlow()
		t.Say(flows.T("sv.changed"), startButton(code))
		return "", flows.ErrStay
	}
	if err != nil {
		return "", err
	}
	switch q.Kind {
	case flows.SvRating:
		v := strings.TrimSpace(in.Text)
		if in.Kind == flows.KindCallback {
			v = in.Callback
		}
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 5 {
			return "", flows.Refuse("sv.bad_rating")
		}
		return v, nil
	case flows.SvChoice:
		if in.Kind != flows.KindCallback {
			return "", flows.Refuse("errors.use_buttons")
		}
		if n, err := strconv.Atoi(in.Callback); err != nil || n < 0 || n >= len(q.Options) {
			return "", flows.Refuse("errors.bad_button")
		}
		return in.Callback, nil
	}
	return flows.OptionalText(flows.MaxSurveyAnswer)(ctx, t, in)
}

// start begins answering w's survey: for someone who attended, had not
// answered, while it is open.
func (e *module) start(ctx context.Context, t *flows.Turn, code string) error {
	w, err := flows.FindWorkshop(ctx, t, e.store, code)
	if w == nil {
		return err
	}
	if ok, err := e.refused(ctx, t, w); ok || err != nil {
		return err
	}
	sv, err := e.survey(ctx, w.Code)
	if err != nil {
		return err
	}
	if t.In.MessageID != 0 {
		t.Send(flows.Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	}
	t.Say(flows.T("sv.intro", "Title", w.Title, "Count", len(sv.Questions)))
	return t.StartFlowAt(ctx, answerFlow, stepName(0), map[string]string{"code": w.Code, "version": strconv.Itoa(sv.Version), "n": strconv.Itoa(len(sv.Questions))})
}

// refused tells uid why they may not answer w's survey now, if so: it
// closed (and when), they did not attend, they answered already.
func (e *module) refused(ctx context.Context, t *flows.Turn, w *flows.Workshop) (bool, error) {
	if w.Cancelled || !t.In.Now.Before(closes(w)) {
		t.Say(flows.T("sv.closed", "Title", w.Title, "Closed", flows.When{At: closes(w), Zone: w.Zone}))
		return true, nil
	}
	if !t.In.Now.Before(w.Start) {
		ok, err := e.attended(ctx, w.Code, t.User.ID)
		if err != nil {
			return true, err
		}
		if !ok {
			t.Say(flows.T("sv.not_attended", "Title", w.Title))
			return true, nil
		}
	} else {
		t.Say(flows.T("sv.not_yet", "Title", w.Title))
		return true, nil
	}
	done, err := e.store.SurveyAnswered(ctx, w.Code, t.User.ID)
	if err != nil {
		return true, flows.InternalError("survey answered", err)
	}
	if done {
		t.Say(flows.T("sv.already", "Title", w.Title))
		return true, nil
	}
	return false, nil
}

func (e *module) answerDone(ctx context.Context, t *flows.Turn) error {
	d := t.Session.Data
	w, err := e.store.GetWorkshop(ctx, d["code"])
	if errors.Is(err, flows.ErrNotFound) {
		t.Say(flows.T("ws.not_found"))
		return nil
	}
	if err != nil {
		return flows.InternalError("survey workshop", err)
	}
	if w.Cancelled || !t.In.Now.Before(closes(w)) {
		t.Say(flows.T("sv.closed", "Title", w.Title, "Closed", flows.When{At: closes(w), Zone: w.Zone}))
		return nil
	}
	sv, err := e.survey(ctx, w.Code)
	if err != nil {
		return err
	}
	if strconv.Itoa(sv.Version) != d["version"] {
		t.Say(flows.T("sv.changed"), startButton(w.Code))
		return nil
	}
	a := &flows.SurveyAnswer{At: t.In.Now}
	for i := range sv.Questions {
		a.Answers = append(a.Answers, d[stepName(i)])
	}
	if d[shareStep] == "yes" {
		a.UserID = t.User.ID
	}
	err = e.store.SubmitSurvey(ctx, w.Code, t.User.ID, a)
	if errors.Is(err, flows.ErrAlreadyAnswered) {
		t.Say(flows.T("sv.already", "Title", w.Title))
		return nil
	}
	if err != nil {
		return flows.InternalError("submit survey", err)
	}
	if err := e.store.Unschedule(ctx, reminderID(w.Code, t.User.ID)); err != nil {
		return flows.InternalError("unschedule survey reminder", err)
	}
	id := "sv.thanks_anonymous"
	if a.UserID != 0 {
		id = "sv.thanks_shared"
	}
	t.Say(flows.T(id, "Title", w.Title))
	return nil
}

// startButton answers code's survey.
func startButton(code string) []flows.Button {
	return []flows.Button{{Label: flows.T("sv.btn_start"), Data: flows.MustData(routeStart, code)}}
}
