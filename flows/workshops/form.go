package workshops

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"

	"sinergi/flows"
)

// The registration form, from the management card: the questions, adding
// one (flow wsquestion: kind, wording in Indonesian and English, options,
// required or not) and removing one.

const (
	routeForm       = "workshops.form"        // <code>: the form's questions
	routeFormAdd    = "workshops.form_add"    // <code>: adds a question
	routeFormDelete = "workshops.form_delete" // <code>:<question id>: removes one
	questionFlow    = "wsquestion"
)

// FormStore is what the form's management reads and writes.
type FormStore interface {
	Form(ctx context.Context, code string) ([]flows.FormQuestion, error)
	AddQuestion(ctx context.Context, code string, q flows.FormQuestion, max int) error
	DeleteQuestion(ctx context.Context, code, id string) error
}

func (e *module) registerForm(r *flows.Registry) {
	for _, m := range []struct {
		name string
		run  func(context.Context, *flows.Turn, *flows.Workshop, string) error
	}{
		{routeForm, e.formCard},
		{routeFormAdd, e.addQuestion},
		{routeFormDelete, e.deleteQuestion},
	} {
		r.Route(&flows.Route{Name: m.name, Role: flows.RoleFacilitator, Run: flows.Managed(e.store, m.run)})
	}
	noOptions := func(t *flows.Turn) bool { return !flows.QuestionKind(t.Session.Data["kind"]).HasOptions() }
	r.Flow(&flows.Flow{Name: questionFlow, Done: e.saveQuestion, Steps: []*flows.Step{
		{Name: "kind", Parse: kindAnswer, Prompt: kindPrompt},
		{Name: "text", Parse: flows.TextAnswer(flows.MaxQuestionText), Prompt: flows.Ask("form.ask_text")},
		{Name: "text_en", Parse: flows.OptionalText(flows.MaxQuestionText), Prompt: flows.AskWithSkip("form.ask_text_en", "form.skip")},
		{Name: "options", Skip: noOptions, Parse: optionsAnswer(false), Prompt: flows.Ask("form.ask_options")},
		{Name: "options_en", Skip: noOptions, Parse: optionsAnswer(true), Prompt: flows.AskWithSkip("form.ask_options_en", "form.skip")},
		{Name: "required", Parse: requiredAnswer, Prompt: requiredPrompt},
	}})
}

// formLimit is how many questions the stored form may hold: the legacy
// question counts among MaxFormQuestions.
func formLimit(w *flows.Workshop) int {
	if w.Question != "" {
		return flows.MaxFormQuestions - 1
	}
	return flows.MaxFormQuestions
}

func (e *module) formCard(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	stored, err := e.store.Form(ctx, w.Code)
	if err != nil {
		return flows.InternalError("form", err)
	}
	form := flows.FormOf(w, stored)
	var lines []flows.Text
	var rows [][]flows.Button
	for i, q := range form {
		req := flows.T("form.optional")
		if q.Required {
			req = flows.T("form.required")
		}
		lines = append(lines, flows.T("form.card_line", "N", i+1, "Question", q.Text, "Kind", flows.T("form.kind_"+string(q.Kind)),
			"Required", req, "Options", strings.Join(q.Options, "; ")))
		if q.ID != flows.LegacyQuestionID { // the legacy question is edited with the workshop
			rows = append(rows, []flows.Button{{Label: flows.T("form.btn_delete", "N", i+1), Data: flows.MustData(routeFormDelete, w.Code, q.ID)}})
		}
	}
	if len(form) < flows.MaxFormQuestions && !w.Cancelled {
		rows = append(rows, []flows.Button{{Label: flows.T("form.btn_add"), Data: flows.MustData(routeFormAdd, w.Code)}})
	}
	rows = append(rows, []flows.Button{{Label: flows.T("ws.back"), Data: flows.MustData(routeManage, w.Code)}})
	t.Say(flows.T("form.card", "Title", w.Title, "Count", len(form), "Max", flows.MaxFormQuestions, "Lines", lines), rows...)
	return nil
}

func (e *module) addQuestion(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	if w.Cancelled {
		t.Answer(flows.T("ws.cancelled_note"), true)
		return nil
	}
	stored, err := e.store.Form(ctx, w.Code)
	if err != nil {
		return flows.InternalError("form", err)
	}
	if len(stored) >= formLimit(w) {
		t.Answer(flows.T("form.err_full", "Count", flows.MaxFormQuestions), true)
		return nil
	}
	return t.StartFlowAt(ctx, questionFlow, "kind", map[string]string{"code": w.Code})
}

func (e *module) deleteQuestion(ctx context.Context, t *flows.Turn, w *flows.Workshop, id string) error {
	err := e.store.DeleteQuestion(ctx, w.Code, id)
	if errors.Is(err, flows.ErrNotFound) {
		t.Answer(flows.T("form.gone"), true)
		return nil
	}
	if err != nil {
		return flows.InternalError("delete question", err)
	}
	if err := t.Audit(ctx, flows.AuditWsEdit, w.Code, 0); err != nil {
		return err
	}
	t.Answer(flows.T("form.deleted"), false)
	return e.formCard(ctx, t, w, "")
}

func kindPrompt(_ context.Context, t *flows.Turn) (flows.Reply, error) {
	var rows [][]flows.Button
	for _, k := range flows.QuestionKinds {
		rows = append(rows, []flows.Button{t.Choice(flows.T("form.kind_"+string(k)), string(k))})
	}
	return flows.Reply{Text: flows.T("form.ask_kind"), Buttons: rows}, nil
}

func kindAnswer(_ context.Context, _ *flows.Turn, in flows.Input) (string, error) {
	if in.Kind != flows.KindCallback {
		return "", flows.Refuse("errors.use_buttons")
	}
	for _, k := range flows.QuestionKinds {
		if string(k) == in.Callback {
			return in.Callback, nil
		}
	}
	return "", flows.Refuse("errors.stale_button")
}

// optionsAnswer reads the options typed one per line; the English ones
// (en) are optional and as many as the Indonesian.
func optionsAnswer(en bool) func(context.Context, *flows.Turn, flows.Input) (string, error) {
	return func(_ context.Context, t *flows.Turn, in flows.Input) (string, error) {
		if en && in.Kind == flows.KindCallback && in.Callback == flows.SkipValue {
			return "", nil
		}
		if in.Kind != flows.KindText {
			return "", flows.Refuse("errors.expect_text")
		}
		opts := flows.ParseOptions(in.Text)
		if n := len(flows.ParseOptions(t.Session.Data["options"])); en && len(opts) != n {
			return "", flows.Refuse("form.err_options_en", "Count", n)
		}
		if err := flows.CheckOptions(opts); err != nil {
			return "", err
		}
		return strings.Join(opts, "\n"), nil
	}
}

func requiredPrompt(_ context.Context, t *flows.Turn) (flows.Reply, error) {
	return flows.Reply{Text: flows.T("form.ask_required"), Buttons: [][]flows.Button{{
		t.Choice(flows.T("form.required"), "yes"), t.Choice(flows.T("form.optional"), "no")}}}, nil
}

func requiredAnswer(_ context.Context, _ *flows.Turn, in flows.Input) (string, error) {
	if in.Kind != flows.KindCallback {
		return "", flows.Refuse("errors.use_buttons")
	}
	if in.Callback != "yes" && in.Callback != "no" {
		return "", flows.Refuse("errors.stale_button")
	}
	return in.Callback, nil
}

// newQuestionID names a question within its form: "q" and 8 hex digits.
func newQuestionID() string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	return "q" + hex.EncodeToString(b[:])
}

// saveQuestion checks the question whole and adds it to the form, unless
// the form is full by now (the store counts): nothing is saved otherwise.
func (e *module) saveQuestion(ctx context.Context, t *flows.Turn) error {
	w, err := e.store.GetWorkshop(ctx, t.Session.Data["code"])
	if err != nil {
		return flows.InternalError("form workshop", err)
	}
	if !t.CanManage(w) {
		t.Say(flows.T("errors.not_allowed"))
		return nil
	}
	d := t.Session.Data
	q := flows.FormQuestion{ID: newQuestionID(), Kind: flows.QuestionKind(d["kind"]), Text: d["text"], TextEN: d["text_en"],
		Required: d["required"] == "yes", Options: flows.ParseOptions(d["options"]), OptionsEN: flows.ParseOptions(d["options_en"])}
	if err := q.Check(); err != nil {
		if ue, ok := flows.AsUserError(err); ok {
			t.Say(ue.Msg)
			return nil
		}
		return err
	}
	err = e.store.AddQuestion(ctx, w.Code, q, formLimit(w))
	if errors.Is(err, flows.ErrFormFull) {
		t.Say(flows.T("form.err_full", "Count", flows.MaxFormQuestions))
		return e.formCard(ctx, t, w, "")
	}
	if err != nil {
		return flows.InternalError("add question", err)
	}
	if err := t.Audit(ctx, flows.AuditWsEdit, w.Code, 0); err != nil {
		return err
	}
	t.Say(flows.T("form.added"))
	return e.formCard(ctx, t, w, "")
}
