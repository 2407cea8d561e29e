package flows

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"
)

// Step helpers the capabilities ask with: questions with and without a
// skip button, optional text, dates in the future, times kept as Unix
// seconds in a flow's answers, and a pager of buttons.

// SkipValue answers an optional step with nothing.
const SkipValue = "none"

// Ask asks the question with message id.
func Ask(id string) func(context.Context, *Turn) (Reply, error) {
	return func(context.Context, *Turn) (Reply, error) { return Reply{Text: T(id)}, nil }
}

// AskWithSkip asks the question with message id and a skip button
// labelled skip (answering SkipValue).
func AskWithSkip(id, skip string) func(context.Context, *Turn) (Reply, error) {
	return func(_ context.Context, t *Turn) (Reply, error) {
		return Reply{Text: T(id), Buttons: [][]Button{{t.Choice(T(skip), SkipValue)}}}, nil
	}
}

// OptionalText accepts text up to max characters, or the skip button.
func OptionalText(max int) func(context.Context, *Turn, Input) (string, error) {
	return func(_ context.Context, _ *Turn, in Input) (string, error) {
		if in.Kind == KindCallback && in.Callback == SkipValue {
			return "", nil
		}
		return TextBetween(in, 1, max)
	}
}

// UnixData is the time stored under key in a flow's answers (Unix seconds).
func UnixData(d map[string]string, key string) time.Time {
	sec, _ := strconv.ParseInt(d[key], 10, 64)
	return UnixTime(sec)
}

// UnixString is t as Unix seconds, to store in a flow's answers.
func UnixString(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// DateExampleDays is how far ahead example dates in questions are.
const DateExampleDays = 7

// DateRefusal turns a date parsing error into a message; an unreadable
// date gets an example in loc computed from now.
func DateRefusal(t *Turn, loc *time.Location, err error) error {
	if errors.Is(err, ErrDateInvalid) {
		return Refuse("ws.date_invalid")
	}
	return Refuse("ws.date_format", "Example", DateExample(t.In.Now, loc, DateExampleDays, 9, false))
}

// FutureAnswer reads a typed date and time in loc that must be after now.
func FutureAnswer(t *Turn, in Input, loc *time.Location) (time.Time, error) {
	v, err := TextBetween(in, 1, 100)
	if err != nil {
		return time.Time{}, err
	}
	at, err := ParseDateTime(v, loc)
	if err != nil {
		return time.Time{}, DateRefusal(t, loc, err)
	}
	if !at.After(t.In.Now) {
		return time.Time{}, Refuse("ws.date_past")
	}
	return at, nil
}

// Pager is a row of previous/next buttons for route "<route>:<page>".
func Pager(route string, page, pages int, prefix ...string) [][]Button {
	if pages <= 1 {
		return nil
	}
	data := func(p int) string { return MustData(route, append(append([]string{}, prefix...), strconv.Itoa(p))...) }
	var nav []Button
	if page > 0 {
		nav = append(nav, Button{Label: T("nav.prev"), Data: data(page - 1)})
	}
	nav = append(nav, Button{Label: T("nav.page", "Page", page+1, "Pages", pages), Data: data(page)})
	if page < pages-1 {
		nav = append(nav, Button{Label: T("nav.next"), Data: data(page + 1)})
	}
	return [][]Button{nav}
}

// Discard ends the current flow from its confirmation step: the step's
// buttons go and the user is told said. It is what a step's Parse returns.
func (t *Turn) Discard(in Input, said Text) (string, error) {
	t.EndFlow()
	t.Send(Reply{EditMessageID: in.MessageID, ClearButtons: true})
	t.Say(said)
	return "", ErrStay
}

// Confirm parses a confirmation step whose buttons are accept (the answer
// is the button pressed) and "discard" (the flow ends, saying discarded);
// anything typed is refused.
func Confirm(discarded Text, accept ...string) func(context.Context, *Turn, Input) (string, error) {
	return func(_ context.Context, t *Turn, in Input) (string, error) {
		switch {
		case in.Kind != KindCallback:
			return "", Refuse("errors.use_buttons")
		case slices.Contains(accept, in.Callback):
			return in.Callback, nil
		case in.Callback == "discard":
			return t.Discard(in, discarded)
		}
		return "", Refuse("errors.bad_button")
	}
}
