package flowstest

import (
	"html"
	"regexp"
	"strings"
	"unicode"

	"sinergi/flows"
)

// render renders t in lang the way the bot's renderer does (string values
// escaped, nested texts in the same language, HTML trusted); a rendering
// error fails the test.
func (h *Harness) Render(lang string, t flows.Text) string {
	h.T.Helper()
	var data map[string]any
	if len(t.Data) > 0 {
		data = make(map[string]any, len(t.Data))
		for k, v := range t.Data {
			data[k] = h.RenderValue(lang, v)
		}
	}
	s, err := h.Texts.Text(lang, t.ID, data, t.Count)
	if err != nil {
		h.T.Errorf("render %s in %s: %v", t.ID, lang, err)
	}
	return s
}

func (h *Harness) RenderValue(lang string, v any) any {
	switch v := v.(type) {
	case string:
		return html.EscapeString(v)
	case flows.HTML:
		return string(v)
	case flows.Text:
		return h.Render(lang, v)
	case flows.When:
		return v.Render(h.Texts, lang)
	case []flows.Text:
		parts := make([]string, len(v))
		for i, t := range v {
			parts[i] = h.Render(lang, t)
		}
		return strings.Join(parts, "\n")
	}
	return v
}

// rendered is every reply text of res rendered in lang, one per line.
func (h *Harness) Rendered(lang string, res *flows.Result) string {
	h.T.Helper()
	var out []string
	for _, r := range res.Replies {
		if r.Text.ID != "" {
			out = append(out, h.Render(lang, r.Text))
		}
	}
	return strings.Join(out, "\n")
}

// Plain is t rendered in lang as the reader sees it: the markup taken
// out, entities read.
func (h *Harness) Plain(lang string, t flows.Text) string {
	h.T.Helper()
	return html.UnescapeString(markup.ReplaceAllString(h.Render(lang, t), ""))
}

// markup are the tags of a rendered message (user text in it is escaped).
var markup = regexp.MustCompile(`<[^>]*>`)

// hiddenRune finds a control character (other than those in keep) or an
// invisible format character other than the joiners.
func HiddenRune(s, keep string) (rune, bool) {
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
