package registration

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"sinergi/flows"
)

// The workshop's registration form, asked after the profile (flow wsform,
// one step per question, a0 … a9) and again from /mine to change the
// answers until the deadline (registration.answers).

const (
	formFlow     = "wsform"
	routeAnswers = "registration.answers" // <code>: change one's answers to the form
)

// Session answers of the form flow besides the steps'.
const (
	formData  = "form" // the questions asked, as JSON (as they were when the flow began)
	formCount = "n"    // how many
	formEdit  = "edit" // "1": changing the answers of a registration made
)

func stepName(i int) string { return "a" + strconv.Itoa(i) }

func (e *module) registerForm(r *flows.Registry) {
	steps := make([]*flows.Step, flows.MaxFormQuestions)
	for i := range steps {
		steps[i] = &flows.Step{Name: stepName(i), Keep: true,
			Skip:   func(t *flows.Turn) bool { n, _ := strconv.Atoi(t.Session.Data[formCount]); return i >= n },
			Prompt: func(ctx context.Context, t *flows.Turn) (flows.Reply, error) { return e.askQuestion(t, i) },
			Parse: func(ctx context.Context, t *flows.Turn, in flows.Input) (string, error) {
				return parseFormAnswer(t, i, in)
			},
			Show: func(t *flows.Turn, v string) any {
				if q := sessionQuestion(t, i); q != nil {
					return flows.ShowAnswer(q, v, t.Lang)
				}
				return v
			},
		}
	}
	r.Flow(&flows.Flow{Name: formFlow, Done: e.formDone, Steps: steps})
	r.Route(&flows.Route{Name: routeAnswers, Run: e.editAnswers})
}

// form is w's registration form (its legacy question first).
func (e *module) form(ctx context.Context, w *flows.Workshop) ([]flows.FormQuestion, error) {
	stored, err := e.store.Form(ctx, w.Code)
	if err != nil {
		return nil, flows.InternalError("form", err)
	}
	return flows.FormOf(w, stored), nil
}

// startForm asks w's form; r, when changing the answers of a registration
// made, gives the answers kept unless changed.
func (e *module) startForm(ctx context.Context, t *flows.Turn, w *flows.Workshop, form []flows.FormQuestion, r *flows.Registration) error {
	b, err := json.Marshal(form)
	if err != nil {
		return flows.InternalError("encode form", err)
	}
	data := map[string]string{"code": w.Code, formData: string(b), formCount: strconv.Itoa(len(form))}
	if r != nil {
		data[formEdit] = "1"
		for i, q := range form {
			if v := r.AnswerTo(q.ID); v != "" {
				data[stepName(i)] = v
			}
		}
	}
	return t.StartFlowAt(ctx, formFlow, stepName(0), data)
}

// sessionQuestion is question i of the form the flow asks (nil when gone).
func sessionQuestion(t *flows.Turn, i int) *flows.FormQuestion {
	var form []flows.FormQuestion
	if json.Unmarshal([]byte(t.Session.Data[formData]), &form) != nil || i >= len(form) {
		return nil
	}
	return &form[i]
}

func (e *module) askQuestion(t *flows.Turn, i int) (flows.Reply, error) {
	q := sessionQuestion(t, i)
	if q == nil {
		return flows.Reply{}, flows.InternalError("form question", errors.New("question "+strconv.Itoa(i)+" missing"))
	}
	n, _ := strconv.Atoi(t.Session.Data[formCount])
	var rows [][]flows.Button
	var options []flows.Text
	switch q.Kind {
	case flows.QChoice:
		for k, o := range q.OptionsIn(t.Lang) {
			rows = append(rows, []flows.Button{t.ChoiceLiteral(o, strconv.Itoa(k+1))})
		}
	case flows.QMulti:
		for k, o := range q.OptionsIn(t.Lang) {
			options = append(options, flows.T("form.option_line", "N", k+1, "Option", o))
		}
	case flows.QYesNo:
		rows = append(rows, []flows.Button{t.Choice(flows.T("form.answer_yes"), "yes"), t.Choice(flows.T("form.answer_no"), "no")})
	}
	hint := flows.T("form.hint_" + string(q.Kind))
	if q.Kind == flows.QShort || q.Kind == flows.QLong {
		hint = flows.T("form.hint_text", "Count", q.MaxAnswer())
	}
	required := flows.T("form.required")
	if !q.Required {
		required = flows.T("form.optional")
		rows = append(rows, []flows.Button{t.Choice(flows.T("form.skip"), flows.SkipValue)})
	}
	return flows.Reply{Text: flows.T("form.ask", "N", i+1, "Of", n, "Question", q.Localised(t.Lang), "Options", options,
		"Hint", hint, "Required", required), Buttons: rows}, nil
}

// parseFormAnswer validates the answer to question i: typed, or a button
// of a choice, yes/no or skip.
func parseFormAnswer(t *flows.Turn, i int, in flows.Input) (string, error) {
	q := sessionQuestion(t, i)
	if q == nil {
		return "", flows.Refuse("errors.stale_button")
	}
	var text string
	switch in.Kind {
	case flows.KindCallback:
		text = in.Callback
		if text == flows.SkipValue {
			text = ""
		}
	case flows.KindText:
		text = flows.CleanText(in.Text)
		if text == "" && strings.TrimSpace(in.Text) != "" {
			return "", flows.Refuse("errors.invisible_text")
		}
		if text == "" {
			return "", flows.Refuse("errors.expect_text")
		}
	default:
		return "", flows.Refuse("errors.expect_text")
	}
	return flows.ParseAnswer(q, text, t.Lang)
}

// answersOf are the form's answers in the flow's data: the legacy
// question's apart.
func answersOf(t *flows.Turn) (answer string, answers map[string]string) {
	var form []flows.FormQuestion
	if json.Unmarshal([]byte(t.Session.Data[formData]), &form) != nil {
		return "", nil
	}
	for i, q := range form {
		v := t.Session.Data[stepName(i)]
		switch {
		case v == "":
		case q.ID == flows.LegacyQuestionID:
			answer = v
		default:
			if answers == nil {
				answers = map[string]string{}
			}
			answers[q.ID] = v
		}
	}
	return answer, answers
}

func (e *module) formDone(ctx context.Context, t *flows.Turn) error {
	w, err := flows.FindWorkshop(ctx, t, e.store, t.Session.Data["code"])
	if w == nil {
		return err
	}
	answer, answers := answersOf(t)
	if t.Session.Data[formEdit] == "" {
		return e.completeRegistration(ctx, t, w, answer, answers)
	}
	if refusal := registrationRefusal(w, t.In.Now); refusal != nil {
		t.Say(flows.T("form.edit_closed", "Title", w.Title))
		return nil
	}
	err = e.store.SaveAnswers(ctx, w.Code, t.User.ID, answer, answers)
	if errors.Is(err, flows.ErrNotFound) {
		t.Say(flows.T("ws.not_registered"))
		return nil
	}
	if err != nil {
		return flows.InternalError("save answers", err)
	}
	t.Say(flows.T("form.saved", "Title", w.Title), []flows.Button{{Label: flows.T("menu.mine"), Data: flows.MenuData("mine")}})
	return nil
}

// editAnswers asks the form again of someone registered, before the
// deadline, with their answers to keep.
func (e *module) editAnswers(ctx context.Context, t *flows.Turn, code string) error {
	w, err := flows.FindWorkshop(ctx, t, e.store, code)
	if w == nil {
		return err
	}
	r, err := e.store.GetRegistration(ctx, w.Code, t.User.ID)
	if errors.Is(err, flows.ErrNotFound) {
		t.Answer(flows.T("ws.not_registered"), true)
		return nil
	}
	if err != nil {
		return flows.InternalError("get registration", err)
	}
	if registrationRefusal(w, t.In.Now) != nil {
		t.Answer(flows.T("form.edit_closed", "Title", w.Title), true)
		return nil
	}
	form, err := e.form(ctx, w)
	if err != nil {
		return err
	}
	if len(form) == 0 {
		t.Answer(flows.T("form.none"), true)
		return nil
	}
	return e.startForm(ctx, t, w, form, r)
}

// answerLines are r's answers to w's form, one line per question, for
// /mine and the team.
func answerLines(form []flows.FormQuestion, r *flows.Registration, lang string) []flows.Text {
	var out []flows.Text
	for _, q := range form {
		out = append(out, flows.T("form.answer_line", "Question", q.Localised(lang), "Answer", flows.ShowAnswer(&q, r.AnswerTo(q.ID), lang)))
	}
	return out
}

// answerDone ends the single-question flow of before forms (wsanswer), so
// that a registration begun before the deploy completes.
func (e *module) answerDone(ctx context.Context, t *flows.Turn) error {
	w, err := flows.FindWorkshop(ctx, t, e.store, t.Session.Data["code"])
	if w == nil {
		return err
	}
	return e.completeRegistration(ctx, t, w, t.Session.Data["answer"], nil)
}
