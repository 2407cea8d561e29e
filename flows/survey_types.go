package flows

import (
	"errors"
	"time"
)

// Post-event surveys (flows/surveys): the questions a workshop's team
// writes, or the default ones, and the answers of those who attended.

// Kinds of survey question.
const (
	SvRating = "rating" // 1–5
	SvChoice = "choice" // one of Options
	SvText   = "text"   // free text, may be skipped
)

// Bounds of a survey.
const (
	MaxSurveyQuestions = 10  // questions per survey
	MaxSurveyOptions   = 6   // options of a choice question
	MinSurveyOptions   = 2   // a choice offers at least two
	MaxSurveyText      = 200 // characters of a question or an option
	MaxSurveyAnswer    = 500 // characters of a free-text answer
)

// SurveyOpenFor is how long after a workshop's end its survey takes
// answers; an answer later is refused with the time it closed.
const SurveyOpenFor = 14 * 24 * time.Hour

// SurveyReminderAfter is when, after the survey was sent, the one reminder
// goes to those who have not answered.
const SurveyReminderAfter = 24 * time.Hour

// Survey jobs, one per attendee: "<kind>|<code>|<uid>". The first is
// JobFeedback (flows/reminders.go), scheduled with the reminders at the
// workshop's end; it schedules the reminder.
const JobSurveyReminder = "wsv"

// SurveyQuestion is one question: its text in Indonesian and, optionally,
// English; a choice question's options likewise (OptionsEN empty or as
// long as Options).
type SurveyQuestion struct {
	Kind      string   `json:"kind"`
	Text      string   `json:"text"`
	TextEN    string   `json:"text_en,omitempty"`
	Options   []string `json:"options,omitempty"`
	OptionsEN []string `json:"options_en,omitempty"`
}

// In is the question's text in lang (Indonesian when it has no English).
func (q SurveyQuestion) In(lang string) string {
	if lang == "en" && q.TextEN != "" {
		return q.TextEN
	}
	return q.Text
}

// Option is option i in lang.
func (q SurveyQuestion) Option(lang string, i int) string {
	if lang == "en" && i < len(q.OptionsEN) && q.OptionsEN[i] != "" {
		return q.OptionsEN[i]
	}
	if i < len(q.Options) {
		return q.Options[i]
	}
	return ""
}

// Survey is a workshop's post-event survey as its team wrote it.
// Version rises with each save; a survey is not changed once answered
// (ErrSurveyAnswered), so every answer is to the questions stored.
type Survey struct {
	Workshop  string           `json:"workshop"`
	Questions []SurveyQuestion `json:"questions"`
	Version   int              `json:"version"`
	Updated   time.Time        `json:"updated"`
	By        int64            `json:"by,omitempty"`
}

// SurveyAnswer is one participant's answers, Answers[i] to question i
// (a rating "1".."5", a choice's index, a text; "" skipped). UserID is 0
// (anonymous) unless the participant agreed to share their name with the
// team; who answered is kept apart, only to refuse a second answer.
type SurveyAnswer struct {
	UserID  int64     `json:"user,omitempty"`
	Answers []string  `json:"answers"`
	At      time.Time `json:"at"`
}

// Errors of the survey store.
var (
	// ErrSurveyAnswered: the survey has answers and cannot be changed.
	ErrSurveyAnswered = errors.New("survey already has answers")
	// ErrAlreadyAnswered: the person answered this survey before.
	ErrAlreadyAnswered = errors.New("already answered the survey")
)
