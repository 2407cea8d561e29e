package flows

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"unicode/utf8"
)

// Flow is a declared sequence of steps. Each step prompts, validates the
// answer and stores it in the session under the step's name; after the last
// step Done runs with every answer in t.Session.Data.
//
// A step is answered when its name is a key of the session's data (an
// answer skipped with a button is stored as ""), and required unless its
// Skip passes over it. Done runs only when every required step is
// answered; a session saved under another version of the flow's data (a
// step inserted, removed or renamed by a deploy, or Version raised)
// resumes at the first required step it has no answer for.
type Flow struct {
	Name  string
	Steps []*Step
	// Version is raised when the meaning of an answer changes while the
	// steps keep their names (adding, removing or renaming a step changes
	// the data version by itself, see DataVersion).
	Version int
	// Begin, when set, runs before the first prompt (to prefill answers from
	// stored data, for example).
	Begin func(ctx context.Context, t *Turn) error
	Done  func(ctx context.Context, t *Turn) error
}

// Step is one question of a flow.
type Step struct {
	Name string
	// Prompt builds the question. Buttons that answer it come from t.Choice.
	// An error (a store that did not answer) ends the input with that error,
	// so the transport can tell a Redis outage from a wrong menu.
	Prompt func(ctx context.Context, t *Turn) (Reply, error)
	// Parse validates an answer (typed text, or the value of a t.Choice
	// button in in.Callback) and returns the value to store. A *UserError is
	// shown to the user and the question asked again.
	Parse func(ctx context.Context, t *Turn, in Input) (string, error)
	// Skip, when set and true, passes over the step.
	Skip func(t *Turn) bool
	// Keep offers a "keep the current answer" button when the session already
	// holds a value for the step (editing a stored record).
	Keep bool
	// Show renders the stored value on the Keep button (a date for a Unix
	// time, a name for a code); nil shows the value itself.
	Show func(t *Turn, value string) any
}

// DataVersion names the shape of the flow's data: Version and the step
// names in order. A session started under another one is checked for
// answers it lacks when it is loaded.
func (f *Flow) DataVersion() string {
	h := fnv.New32a()
	for _, s := range f.Steps {
		h.Write([]byte(s.Name))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("%d.%08x", f.Version, h.Sum32())
}

// unanswered returns the first required step without an answer, looking
// at the steps before until (all of them when until is ""), or nil.
func (f *Flow) unanswered(t *Turn, until string) *Step {
	for _, s := range f.Steps {
		if s.Name == until {
			return nil
		}
		if s.Skip != nil && s.Skip(t) {
			continue
		}
		if _, ok := t.Session.Data[s.Name]; !ok {
			return s
		}
	}
	return nil
}

func (f *Flow) step(name string) *Step {
	for _, s := range f.Steps {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// next returns the step after name that is not skipped, or nil.
func (f *Flow) next(t *Turn, name string) *Step {
	found := name == ""
	for _, s := range f.Steps {
		if found && (s.Skip == nil || !s.Skip(t)) {
			return s
		}
		if s.Name == name {
			found = true
		}
	}
	return nil
}

// stepRoute is the callback route of step buttons: "core.step:<nonce>:<value>".
const stepRoute = "core.step"

// keepValue is the value of the "keep current answer" button.
const keepValue = "="

// Choice makes a button that answers the current step with value. value is
// a short code (letters, digits, "_", "-", ".").
func (t *Turn) Choice(label Text, value string) Button {
	return Button{Label: label, Data: MustData(stepRoute, t.Session.Nonce, value)}
}

// ChoiceLiteral is Choice with a literal label.
func (t *Turn) ChoiceLiteral(label, value string) Button {
	return Button{Literal: label, Data: MustData(stepRoute, t.Session.Nonce, value)}
}

// StartFlow enters flow name at its first step and asks the first question.
func (t *Turn) StartFlow(ctx context.Context, name string) error {
	f := t.e.flows[name]
	if f == nil {
		return InternalError("start flow", errUnknownFlow(name))
	}
	t.Session = &Session{Version: SessionVersion, Flow: name, Data: map[string]string{}, Started: t.In.Now, FlowVersion: f.DataVersion()}
	if f.Begin != nil {
		if err := f.Begin(ctx, t); err != nil {
			return err
		}
	}
	return t.e.advance(ctx, t, f, "")
}

// StartFlowAt enters flow name with answers already given (data) and asks
// the question of step: editing a stored record starts at its summary.
func (t *Turn) StartFlowAt(ctx context.Context, name, step string, data map[string]string) error {
	f := t.e.flows[name]
	if f == nil || f.step(step) == nil {
		return InternalError("start flow", errUnknownFlow(name+"."+step))
	}
	t.Session = &Session{Version: SessionVersion, Flow: name, Data: data, Started: t.In.Now, FlowVersion: f.DataVersion()}
	if t.Session.Data == nil {
		t.Session.Data = map[string]string{}
	}
	return t.Goto(ctx, step)
}

// Goto moves the current flow to step and asks its question.
func (t *Turn) Goto(ctx context.Context, step string) error {
	f := t.e.flows[t.Session.Flow]
	if f == nil || f.step(step) == nil {
		return InternalError("goto", errUnknownFlow(t.Session.Flow+"."+step))
	}
	t.Session.Step = step
	t.Session.Nonce = newNonce()
	return t.e.prompt(ctx, t)
}

// ReturnTo makes the next answered step jump to step instead of going on
// (answering one field from a summary's Edit menu returns to the summary).
func (t *Turn) ReturnTo(step string) { t.Session.Data[returnKey] = step }

// returnKey is the session answer that holds a ReturnTo target.
const returnKey = "_return"

// keyboardKey, in a session's answers, marks that the current question was
// sent with buttons.
const keyboardKey = "_kb"

// resumeKey marks a session filling in required answers it lacked: each
// answer moves on to the next step without one.
const resumeKey = "_resume"

// EndFlow leaves the current flow.
func (t *Turn) EndFlow() { t.Session = &Session{Version: SessionVersion} }

// errGoto, returned by a step's parser, moves the flow to another step.
type Goto string

func (e Goto) Error() string { return "goto " + string(e) }

type errUnknownFlow string

func (e errUnknownFlow) Error() string { return "unknown flow " + string(e) }

// advance moves to the step after from (or finishes the flow) and prompts.
func (e *Engine) advance(ctx context.Context, t *Turn, f *Flow, from string) error {
	s := f.next(t, from)
	if _, resuming := t.Session.Data[resumeKey]; resuming {
		// Filling in answers a deploy left missing: the answered steps
		// are not asked again.
		s = f.unanswered(t, "")
	}
	if s == nil {
		if missing := f.unanswered(t, ""); missing != nil {
			// Never finish with a required answer missing.
			t.Session.Data[resumeKey] = "1"
			t.Say(T("flow.resumed"))
			return t.Goto(ctx, missing.Name)
		}
		delete(t.Session.Data, resumeKey)
		err := f.Done(ctx, t)
		if t.Session.Flow == f.Name {
			t.EndFlow()
		}
		return err
	}
	t.Session.Step = s.Name
	t.Session.Nonce = newNonce()
	return e.prompt(ctx, t)
}

// prompt asks the current step's question again.
func (e *Engine) prompt(ctx context.Context, t *Turn) error {
	f := e.flows[t.Session.Flow]
	s := f.step(t.Session.Step)
	r, err := s.Prompt(ctx, t)
	if err != nil {
		return fmt.Errorf("prompt %s.%s: %w", f.Name, s.Name, err)
	}
	if cur := t.Session.Data[s.Name]; s.Keep && cur != "" {
		var shown any = cur
		if s.Show != nil {
			shown = s.Show(t, cur)
		}
		r.Buttons = append(r.Buttons, []Button{t.Choice(T("flow.keep", "Value", shown), keepValue)})
	}
	if len(r.Buttons) > 0 {
		t.Session.Data[keyboardKey] = "1" // a typed answer takes them away
	} else {
		delete(t.Session.Data, keyboardKey)
	}
	t.Send(r)
	return nil
}

// stepButton handles a press of a step button: stale buttons (an old message,
// a finished flow) are refused politely.
func (e *Engine) stepButton(ctx context.Context, t *Turn, payload string) error {
	nonce, value, ok := strings.Cut(payload, ":")
	if !ok || !t.Session.Active() || nonce != t.Session.Nonce {
		t.Answer(T("errors.stale_button"), true)
		return nil
	}
	in := t.In
	in.Callback = value
	return e.stepInput(ctx, t, in)
}

// stepInput feeds an answer to the current step.
func (e *Engine) stepInput(ctx context.Context, t *Turn, in Input) error {
	f := e.flows[t.Session.Flow]
	s := f.step(t.Session.Step)
	var (
		value string
		err   error
	)
	if in.Kind == KindCallback && in.Callback == keepValue && s.Keep && t.Session.Data[s.Name] != "" {
		value = t.Session.Data[s.Name]
	} else {
		value, err = s.Parse(ctx, t, in)
		if ue, ok := AsUserError(err); ok && in.Kind == KindText && ue.Msg.ID == "errors.use_buttons" {
			// Typed instead of tapped: the button it names answers.
			if v, ok := e.typedChoice(ctx, t, s, in.Text); ok {
				pressed := in
				pressed.Kind, pressed.Callback, pressed.MessageID = KindCallback, v, 0
				value, err = s.Parse(ctx, t, pressed)
			}
		}
	}
	if err == ErrStay {
		return nil
	}
	if g, ok := err.(Goto); ok {
		return t.Goto(ctx, string(g))
	}
	if ue, ok := AsUserError(err); ok {
		if in.Kind == KindCallback {
			t.Answer(ue.Msg, true)
			return nil
		}
		t.Say(ue.Msg)
		return e.prompt(ctx, t)
	}
	if err != nil {
		return err
	}
	switch {
	case in.Kind == KindCallback && in.MessageID != 0:
		// The question is answered: take its buttons away so they cannot be
		// pressed twice.
		t.Send(Reply{EditMessageID: in.MessageID, ClearButtons: true})
	case in.Kind != KindCallback && in.Keyboard != 0 && t.Session.Data[keyboardKey] != "":
		// Answered by typing (a date instead of the calendar): the
		// question's buttons, the chat's last, go too.
		t.Send(Reply{EditMessageID: in.Keyboard, ClearButtons: true})
	}
	delete(t.Session.Data, keyboardKey)
	t.Session.Data[s.Name] = value
	if back := t.Session.Data[returnKey]; back != "" && back != s.Name {
		delete(t.Session.Data, returnKey)
		return t.Goto(ctx, back)
	}
	return e.advance(ctx, t, f, s.Name)
}

// TextAnswer accepts typed text of 1..max characters, cleaned by
// [CleanText]; text with nothing visible and other input get a clear
// explanation.
func TextAnswer(max int) func(ctx context.Context, t *Turn, in Input) (string, error) {
	return func(_ context.Context, _ *Turn, in Input) (string, error) {
		return TextBetween(in, 1, max)
	}
}

// TextBetween is the cleaned text of in, between min and max characters.
func TextBetween(in Input, min, max int) (string, error) {
	switch in.Kind {
	case KindText:
	case KindCallback:
		return "", Refuse("errors.stale_button")
	default:
		return "", Refuse("errors.expect_text")
	}
	v := CleanText(in.Text)
	if (v != "" && !visible(v)) || (v == "" && strings.TrimSpace(in.Text) != "") {
		return "", Refuse("errors.invisible_text")
	}
	n := utf8.RuneCountInString(v)
	if n < min {
		return "", Refuse("errors.too_short", "Count", min)
	}
	if n > max {
		return "", Refuse("errors.too_long", "Count", max, "Got", n)
	}
	return v, nil
}

// NameAnswer is TextAnswer for a person's name, which must have a letter
// (an emoji is not a name).
func NameAnswer(max int) func(ctx context.Context, t *Turn, in Input) (string, error) {
	return func(_ context.Context, _ *Turn, in Input) (string, error) {
		v, err := TextBetween(in, 1, max)
		if err == nil && !hasLetter(v) {
			return "", Refuse("errors.name_needs_letter")
		}
		return v, err
	}
}

// ChoiceAnswer accepts the value of one of the step's buttons, one of values.
func ChoiceAnswer(values ...string) func(ctx context.Context, t *Turn, in Input) (string, error) {
	return func(_ context.Context, _ *Turn, in Input) (string, error) {
		if in.Kind != KindCallback {
			return "", Refuse("errors.use_buttons")
		}
		for _, v := range values {
			if in.Callback == v {
				return v, nil
			}
		}
		return "", Refuse("errors.bad_button")
	}
}
