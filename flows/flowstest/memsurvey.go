package flowstest

import (
	"context"
	"fmt"
	"slices"

	"sinergi/flows"
)

// memSurveys is the in-memory post-event surveys (Redis: store/surveys.go).
type memSurveys struct {
	surveys map[string]flows.Survey         // code -> survey
	answers map[string][]flows.SurveyAnswer // code -> answers in order
	done    map[string]map[int64]bool       // code -> who answered
	sent    map[string]map[string]bool      // code -> "<kind>:<uid>"
}

func (m *Store) svInit() {
	if m.sv.surveys == nil {
		m.sv = memSurveys{surveys: map[string]flows.Survey{}, answers: map[string][]flows.SurveyAnswer{},
			done: map[string]map[int64]bool{}, sent: map[string]map[string]bool{}}
	}
}

func (m *Store) GetSurvey(_ context.Context, code string) (*flows.Survey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.svInit()
	sv, ok := m.sv.surveys[code]
	if !ok {
		return nil, fmt.Errorf("survey of %s: %w", code, flows.ErrNotFound)
	}
	sv.Questions = slices.Clone(sv.Questions)
	return &sv, nil
}

func (m *Store) SaveSurvey(_ context.Context, sv *flows.Survey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.svInit()
	if len(m.sv.done[sv.Workshop]) > 0 {
		return fmt.Errorf("save survey of %s: %w", sv.Workshop, flows.ErrSurveyAnswered)
	}
	c := *sv
	c.Questions = slices.Clone(sv.Questions)
	c.Version = m.sv.surveys[sv.Workshop].Version + 1
	m.sv.surveys[sv.Workshop] = c
	sv.Version = c.Version
	return nil
}

func (m *Store) SubmitSurvey(_ context.Context, code string, uid int64, a *flows.SurveyAnswer) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.svInit()
	if m.sv.done[code][uid] {
		return fmt.Errorf("survey answer of %d at %s: %w", uid, code, flows.ErrAlreadyAnswered)
	}
	if m.sv.done[code] == nil {
		m.sv.done[code] = map[int64]bool{}
	}
	m.sv.done[code][uid] = true
	c := *a
	c.Answers = slices.Clone(a.Answers)
	c.At = c.At.Round(0).UTC()
	m.sv.answers[code] = append(m.sv.answers[code], c)
	return nil
}

func (m *Store) SurveyAnswered(_ context.Context, code string, uid int64) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.svInit()
	return m.sv.done[code][uid], nil
}

func (m *Store) SurveyAnswers(_ context.Context, code string) ([]*flows.SurveyAnswer, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.svInit()
	out := make([]*flows.SurveyAnswer, 0, len(m.sv.answers[code]))
	for _, a := range m.sv.answers[code] {
		c := a
		c.Answers = slices.Clone(a.Answers)
		out = append(out, &c)
	}
	return out, nil
}

func (m *Store) MarkSurveySent(_ context.Context, code string, uid int64, kind string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.svInit()
	k := fmt.Sprintf("%s:%d", kind, uid)
	if m.sv.sent[code][k] {
		return false, nil
	}
	if m.sv.sent[code] == nil {
		m.sv.sent[code] = map[string]bool{}
	}
	m.sv.sent[code][k] = true
	return true, nil
}

// forgetSurveysLocked removes uid's shared answers and marks; anonymous
// answers stay (Redis: sv_forget.lua).
func (m *Store) forgetSurveysLocked(uid int64) {
	m.svInit()
	for code, as := range m.sv.answers {
		m.sv.answers[code] = slices.DeleteFunc(as, func(a flows.SurveyAnswer) bool { return a.UserID == uid })
	}
	for _, d := range m.sv.done {
		delete(d, uid)
	}
	for _, s := range m.sv.sent {
		delete(s, fmt.Sprintf("i:%d", uid))
		delete(s, fmt.Sprintf("r:%d", uid))
	}
}
