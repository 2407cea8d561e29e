package flows

import (
	"html"
	"strings"
	"unicode"
)

// render renders t in lang the way the bot's renderer does (string values
// escaped, nested texts in the same language, HTML trusted); a rendering
// error fails the test.
func (h *harness) render(lang string, t Text) string {
	h.t.Helper()
	var data map[string]any
	if len(t.Data) > 0 {
		data = make(map[string]any, len(t.Data))
		for k, v := range t.Data {
			data[k] = h.renderValue(lang, v)
		}
	}
	s, err := h.texts.Text(lang, t.ID, data, t.Count)
	if err != nil {
		h.t.Errorf("render %s in %s: %v", t.ID, lang, err)
	}
	return s
}

func (h *harness) renderValue(lang string, v any) any {
	switch v := v.(type) {
	case string:
		return html.EscapeString(v)
	case HTML:
		return string(v)
	case Text:
		return h.render(lang, v)
	case When:
		return v.Render(h.texts, lang)
	case []Text:
		parts := make([]string, len(v))
		for i, t := range v {
			parts[i] = h.render(lang, t)
		}
		return strings.Join(parts, "\n")
	}
	return v
}

// rendered is every reply text of res rendered in lang, one per line.
func (h *harness) rendered(lang string, res *Result) string {
	h.t.Helper()
	var out []string
	for _, r := range res.Replies {
		if r.Text.ID != "" {
			out = append(out, h.render(lang, r.Text))
		}
	}
	return strings.Join(out, "\n")
}

// hiddenRune finds a control character (other than those in keep) or an
// invisible format character other than the joiners.
func hiddenRune(s, keep string) (rune, bool) {
	for _, r := range s {
		if strings.ContainsRune(keep, r) || r == '\u200c' || r == '\u200d' {
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return r, true
		}
	}
	return 0, false
}
