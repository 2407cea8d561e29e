package flows

import (
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A workshop's registration form: up to MaxFormQuestions questions asked
// after the profile, answered in the registrant's language (Indonesian when
// a question has no English), kept with the registration. A workshop saved
// with the single free-text Workshop.Question before forms existed keeps it
// as the form's first question (LegacyQuestionID), answered into
// Registration.Answer as before.

// QuestionKind is what a form question asks for.
type QuestionKind string

// Question kinds.
const (
	QShort  QuestionKind = "short"  // a line of text, up to MaxShortAnswer characters
	QLong   QuestionKind = "long"   // a longer text, up to MaxLongAnswer characters
	QChoice QuestionKind = "choice" // one of the options
	QMulti  QuestionKind = "multi"  // one or more of the options
	QYesNo  QuestionKind = "yesno"  // yes or no
	QNumber QuestionKind = "number" // a number
)

// QuestionKinds lists the kinds in the order the team is offered them.
var QuestionKinds = []QuestionKind{QShort, QLong, QChoice, QMulti, QYesNo, QNumber}

// Form limits.
const (
	MaxFormQuestions = 10
	MaxQuestionText  = 200 // a question's wording, per language
	MaxOptions       = 10
	MaxOptionText    = 60
	MaxShortAnswer   = 200
	MaxLongAnswer    = 1000
	// LegacyQuestionID is the id of a workshop's Question as a form question.
	LegacyQuestionID = "q0"
	legacyAnswerMax  = 300 // what the single question always took
)

// FormQuestion is one question of a registration form.
type FormQuestion struct {
	ID        string       `json:"id"`
	Kind      QuestionKind `json:"kind"`
	Text      string       `json:"text"`              // Indonesian
	TextEN    string       `json:"text_en,omitempty"` // English; "" falls back to Text
	Required  bool         `json:"req,omitempty"`
	Options   []string     `json:"opts,omitempty"`    // choice and multi: Indonesian
	OptionsEN []string     `json:"opts_en,omitempty"` // English, as many as Options, or none
}

// Errors of a form question the team writes, and of the form store.
var (
	ErrFormFull = errors.New("form full") // MaxFormQuestions reached
)

// Localised is the question's wording in lang, Indonesian when it has none.
func (q *FormQuestion) Localised(lang string) string {
	if lang == "en" && q.TextEN != "" {
		return q.TextEN
	}
	return q.Text
}

// OptionsIn are the options in lang, Indonesian when it has none.
func (q *FormQuestion) OptionsIn(lang string) []string {
	if lang == "en" && len(q.OptionsEN) == len(q.Options) && len(q.OptionsEN) > 0 {
		return q.OptionsEN
	}
	return q.Options
}

// HasOptions says whether the kind asks to pick among options.
func (k QuestionKind) HasOptions() bool { return k == QChoice || k == QMulti }

// MaxAnswer is the longest text answer to q, in characters.
func (q *FormQuestion) MaxAnswer() int {
	switch {
	case q.ID == LegacyQuestionID:
		return legacyAnswerMax
	case q.Kind == QLong:
		return MaxLongAnswer
	}
	return MaxShortAnswer
}

// Check refuses a question the team wrote wrongly: an unknown kind, an
// empty or over-long wording, a choice with no options (or one), too many,
// a duplicate or over-long one, English options not matching in number.
func (q *FormQuestion) Check() error {
	if !slices.Contains(QuestionKinds, q.Kind) {
		return Refuse("form.err_kind")
	}
	for _, s := range []string{q.Text, q.TextEN} {
		if n := utf8.RuneCountInString(s); n > MaxQuestionText {
			return Refuse("errors.too_long", "Count", MaxQuestionText, "Got", n)
		}
	}
	if strings.TrimSpace(q.Text) == "" {
		return Refuse("form.err_no_text")
	}
	if !q.Kind.HasOptions() {
		if len(q.Options) > 0 || len(q.OptionsEN) > 0 {
			return Refuse("form.err_kind")
		}
		return nil
	}
	if err := CheckOptions(q.Options); err != nil {
		return err
	}
	if len(q.OptionsEN) > 0 {
		if len(q.OptionsEN) != len(q.Options) {
			return Refuse("form.err_options_en", "Count", len(q.Options))
		}
		return CheckOptions(q.OptionsEN)
	}
	return nil
}

// CheckOptions refuses a list of options with fewer than two, more than
// MaxOptions, an empty or over-long one, or the same one twice (case
// aside).
func CheckOptions(opts []string) error {
	if len(opts) < 2 {
		return Refuse("form.err_few_options")
	}
	if len(opts) > MaxOptions {
		return Refuse("form.err_many_options", "Count", MaxOptions)
	}
	seen := map[string]bool{}
	for _, o := range opts {
		if strings.TrimSpace(o) == "" {
			return Refuse("form.err_few_options")
		}
		if n := utf8.RuneCountInString(o); n > MaxOptionText {
			return Refuse("form.err_option_long", "Option", o, "Count", MaxOptionText)
		}
		k := strings.ToLower(strings.TrimSpace(o))
		if seen[k] {
			return Refuse("form.err_duplicate", "Option", o)
		}
		seen[k] = true
	}
	return nil
}

// ParseOptions reads options typed one per line (or separated by ";").
func ParseOptions(text string) []string {
	var out []string
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ';' }) {
		if s := strings.TrimSpace(line); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// FormOf is w's form: its legacy Question first, when it has one, then
// the questions stored for it.
func FormOf(w *Workshop, stored []FormQuestion) []FormQuestion {
	if w.Question == "" {
		return stored
	}
	return append([]FormQuestion{{ID: LegacyQuestionID, Kind: QShort, Text: w.Question}}, stored...)
}

// ParseAnswer validates a typed answer to q (text already cleaned) and
// returns the value to store: the text, the number as written canonically,
// "yes"/"no", or the 1-based numbers of the options chosen, ascending,
// joined by ",". "" is an optional question skipped. lang is the language
// the options were shown in.
func ParseAnswer(q *FormQuestion, text, lang string) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" || text == "-" {
		if q.Required {
			return "", Refuse("form.err_required")
		}
		return "", nil
	}
	switch q.Kind {
	case QNumber:
		f, err := strconv.ParseFloat(strings.ReplaceAll(text, ",", "."), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return "", Refuse("form.err_number")
		}
		return strconv.FormatFloat(f, 'f', -1, 64), nil
	case QYesNo:
		switch strings.ToLower(text) {
		case "yes", "ya", "y":
			return "yes", nil
		case "no", "tidak", "n", "t":
			return "no", nil
		}
		return "", Refuse("form.err_yesno")
	case QChoice, QMulti:
		var picked []int
		for part := range strings.SplitSeq(text, ",") {
			i := optionIndex(q, strings.TrimSpace(part), lang)
			if i == 0 {
				return "", Refuse("form.err_choice", "Answer", strings.TrimSpace(part))
			}
			if !slices.Contains(picked, i) {
				picked = append(picked, i)
			}
		}
		if q.Kind == QChoice && len(picked) != 1 {
			return "", Refuse("form.err_one_choice")
		}
		slices.Sort(picked)
		parts := make([]string, len(picked))
		for k, i := range picked {
			parts[k] = strconv.Itoa(i)
		}
		return strings.Join(parts, ","), nil
	}
	if n := utf8.RuneCountInString(text); n > q.MaxAnswer() {
		return "", Refuse("errors.too_long", "Count", q.MaxAnswer(), "Got", n)
	}
	return text, nil
}

// optionIndex is the 1-based option that s names (its number, or its text
// in either language, case aside), 0 for none.
func optionIndex(q *FormQuestion, s, lang string) int {
	if n, err := strconv.Atoi(s); err == nil {
		if n >= 1 && n <= len(q.Options) {
			return n
		}
		return 0
	}
	for _, opts := range [][]string{q.OptionsIn(lang), q.Options, q.OptionsEN} {
		for i, o := range opts {
			if strings.EqualFold(o, s) {
				return i + 1
			}
		}
	}
	return 0
}

// ShowAnswer is a stored answer to q as the registrant or team reads it
// in lang: the options' wording, "yes"/"no" in words, the rest as stored.
func ShowAnswer(q *FormQuestion, value, lang string) any {
	switch {
	case value == "":
		return HTML("—")
	case q.Kind == QYesNo:
		return T("form.answer_" + value)
	case q.Kind.HasOptions():
		opts := q.OptionsIn(lang)
		var names []string
		for part := range strings.SplitSeq(value, ",") {
			if i, err := strconv.Atoi(part); err == nil && i >= 1 && i <= len(opts) {
				names = append(names, opts[i-1])
			}
		}
		return strings.Join(names, "; ")
	}
	return value
}

// AnswerTo is r's answer to question id ("" when none).
func (r *Registration) AnswerTo(id string) string {
	if id == LegacyQuestionID {
		return r.Answer
	}
	return r.Answers[id]
}

// Forms stores registration forms (with the workshop) and the answers to
// them (with the registration).
type Forms interface {
	// Form is the questions stored for a workshop, in order (not its
	// legacy Question, see FormOf); none for an unknown workshop.
	Form(ctx context.Context, code string) ([]FormQuestion, error)
	// AddQuestion appends q to the workshop's form unless it has max
	// questions already (ErrFormFull); ErrNotFound for no workshop.
	AddQuestion(ctx context.Context, code string, q FormQuestion, max int) error
	// DeleteQuestion removes question id (ErrNotFound when it has none).
	DeleteQuestion(ctx context.Context, code, id string) error
	// SaveAnswers replaces uid's answers (and the legacy Answer) on their
	// registration; ErrNotFound when they have none.
	SaveAnswers(ctx context.Context, code string, uid int64, answer string, answers map[string]string) error
}
