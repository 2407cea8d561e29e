package flowstest

import (
	"context"
	"maps"
	"slices"

	"sinergi/flows"
)

// The fake's flows.Forms: the questions by workshop code (Redis: the list
// {w:<code>}:form), the answers on the registration.

func (m *Store) Form(_ context.Context, code string) ([]flows.FormQuestion, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return cloneForm(m.forms[code]), nil
}

func (m *Store) AddQuestion(_ context.Context, code string, q flows.FormQuestion, max int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	if _, ok := m.ws.ws[code]; !ok {
		return flows.ErrNotFound
	}
	if len(m.forms[code]) >= max {
		return flows.ErrFormFull
	}
	if m.forms == nil {
		m.forms = map[string][]flows.FormQuestion{}
	}
	m.forms[code] = append(m.forms[code], cloneForm([]flows.FormQuestion{q})...)
	return nil
}

func (m *Store) DeleteQuestion(_ context.Context, code, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := slices.IndexFunc(m.forms[code], func(q flows.FormQuestion) bool { return q.ID == id })
	if i < 0 {
		return flows.ErrNotFound
	}
	m.forms[code] = slices.Delete(m.forms[code], i, i+1)
	return nil
}

func (m *Store) SaveAnswers(_ context.Context, code string, uid int64, answer string, answers map[string]string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	for _, r := range m.ws.regs[code] {
		if r.UserID == uid {
			r.Answer, r.Answers = answer, maps.Clone(answers)
			if len(r.Answers) == 0 {
				r.Answers = nil
			}
			return nil
		}
	}
	return flows.ErrNotFound
}

func cloneForm(f []flows.FormQuestion) []flows.FormQuestion {
	out := make([]flows.FormQuestion, len(f))
	for i, q := range f {
		q.Options, q.OptionsEN = slices.Clone(q.Options), slices.Clone(q.OptionsEN)
		out[i] = q
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
