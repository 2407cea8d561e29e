package locales

import (
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// messages reads a message file into id -> plural form -> template.
func messages(t *testing.T, lang string) map[string]map[string]string {
	t.Helper()
	raw, err := fs.ReadFile(Files(), "active."+lang+".toml")
	if err != nil {
		t.Fatal(err)
	}
	var tree map[string]any
	if err := toml.Unmarshal(raw, &tree); err != nil {
		t.Fatalf("%s: %v", lang, err)
	}
	out := map[string]map[string]string{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		forms := map[string]string{}
		for k, v := range m {
			switch v := v.(type) {
			case string:
				forms[k] = v
			case map[string]any:
				walk(strings.TrimPrefix(prefix+"."+k, "."), v)
			default:
				t.Errorf("%s: %s.%s has unexpected type %T", lang, prefix, k, v)
			}
		}
		if len(forms) > 0 {
			out[prefix] = forms
		}
	}
	walk("", tree)
	return out
}

var field = regexp.MustCompile(`\{\{\s*\.(\w+)`)

func fields(forms map[string]string) []string {
	set := map[string]bool{}
	for _, s := range forms {
		for _, m := range field.FindAllStringSubmatch(s, -1) {
			set[m[1]] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// TestComplete fails when a message id is missing in a language or the two
// languages use different template fields.
func TestComplete(t *testing.T) {
	ref := messages(t, "en")
	if len(ref) < 50 {
		t.Fatalf("only %d English messages parsed", len(ref))
	}
	for _, lang := range Supported() {
		got := messages(t, lang)
		for id, forms := range ref {
			other, ok := got[id]
			if !ok {
				t.Errorf("%s: message %q missing (present in en)", lang, id)
				continue
			}
			if _, ok := other["other"]; !ok {
				t.Errorf("%s: message %q has no 'other' form", lang, id)
			}
			if a, b := fields(forms), fields(other); !slices.Equal(a, b) {
				t.Errorf("%s: message %q uses fields %v, en uses %v", lang, id, b, a)
			}
		}
		for id := range got {
			if _, ok := ref[id]; !ok {
				t.Errorf("%s: message %q is not in en", lang, id)
			}
		}
	}
}

// TestRenderAll renders every message in every language with every field set.
func TestRenderAll(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Supported() {
		for id, forms := range messages(t, lang) {
			data := map[string]any{}
			for _, f := range fields(forms) {
				data[f] = "x"
			}
			if _, ok := data["Count"]; ok {
				data["Count"] = 2
			}
			s, err := c.Text(lang, id, data, nil)
			if err != nil || s == "" || strings.Contains(s, "<no value>") {
				t.Errorf("%s %s: %q, %v", lang, id, s, err)
			}
		}
	}
}

func TestMissingIsAnError(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if s, err := c.Text("en", "no.such.message", nil, nil); err == nil || s != "no.such.message" {
		t.Fatalf("got %q, %v; want the id and an error", s, err)
	}
}

func TestMatch(t *testing.T) {
	for code, want := range map[string]string{"id": "id", "in": "id", "en-GB": "en", "EN": "en", "ms": "", "": "", "id_ID": "id"} {
		if got := Match(code); got != want {
			t.Errorf("Match(%q) = %q, want %q", code, got, want)
		}
	}
}
