package flows

import (
	"context"
	"html"
	"strings"
	"unicode"
)

// typedChoice is the value of the button of the current step's question that
// typed text names unambiguously: the one label equal to it, or else the one
// label holding it as whole words ("komunitas" for "Komunitas / media"),
// case, emoji and punctuation aside. It lets every button question take the
// answer typed instead of tapped.
func (e *Engine) typedChoice(ctx context.Context, t *Turn, s *Step, typed string) (string, bool) {
	q := foldLabel(typed)
	if q == "" {
		return "", false
	}
	n := len(t.replies)
	r, err := s.Prompt(ctx, t) // the buttons the question shows
	t.replies = t.replies[:n]
	if err != nil {
		return "", false
	}
	prefix := stepRoute + ":" + t.Session.Nonce + ":"
	var exact, words []string
	for _, row := range r.Buttons {
		for _, b := range row {
			v, ok := strings.CutPrefix(b.Data, prefix)
			if !ok || v == "noop" || b.URL != "" {
				continue
			}
			label := b.Literal
			if label == "" {
				label = e.labelText(t.Lang, b.Label)
			}
			switch l := foldLabel(label); {
			case l == q:
				exact = append(exact, v)
			case strings.Contains(" "+l+" ", " "+q+" "):
				words = append(words, v)
			}
		}
	}
	switch {
	case len(exact) == 1:
		return exact[0], true
	case len(exact) == 0 && len(words) == 1:
		return words[0], true
	}
	return "", false
}

// labelText renders a button label as the user reads it.
func (e *Engine) labelText(lang string, l Text) string {
	var data map[string]any
	if len(l.Data) > 0 {
		data = make(map[string]any, len(l.Data))
		for k, v := range l.Data {
			if nested, ok := v.(Text); ok {
				v = e.labelText(lang, nested)
			}
			data[k] = v
		}
	}
	s, err := e.texts.Text(lang, l.ID, data, l.Count)
	if err != nil {
		return ""
	}
	return html.UnescapeString(s)
}

// foldLabel is s in lower case with every run of other than letters and
// digits one space.
func foldLabel(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	}), " ")
}
