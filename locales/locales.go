// Package locales holds every user-facing string of Sinergi in Indonesian
// (active.id.toml) and English (active.en.toml), embedded in the binary, and
// renders them with go-i18n.
//
// Templates are text/template and do not escape: callers pass user-supplied
// values already HTML-escaped (the bot's renderer does this for every string
// value it is given).
package locales

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed active.*.toml
var files embed.FS

// Default is the language used when nothing better is known.
const Default = "id"

// Supported lists the languages Sinergi speaks, in menu order.
var supported = []string{"id", "en"}

// Supported reports the languages Sinergi speaks, in menu order.
func Supported() []string { return slices.Clone(supported) }

// IsSupported reports whether lang is one of Sinergi's languages.
func IsSupported(lang string) bool { return slices.Contains(supported, lang) }

// Match maps a Telegram language_code ("en-GB", "id", "in") to a supported
// language, or "" when none fits.
func Match(code string) string {
	code = strings.ToLower(strings.TrimSpace(code))
	if i := strings.IndexAny(code, "-_"); i > 0 {
		code = code[:i]
	}
	switch code {
	case "id", "in": // "in" is the legacy ISO code for Indonesian
		return "id"
	case "en":
		return "en"
	}
	return ""
}

// Catalog renders messages by id in a given language.
type Catalog struct {
	bundle  *i18n.Bundle
	locs    map[string]*i18n.Localizer
	counted map[string]bool // ids with plural forms: rendered only with a count
}

// ErrNoCount is returned (wrapped) when a message with plural forms is
// rendered without a count: it would always show the plural ("1 seats").
var ErrNoCount = errors.New("counted message rendered without a count")

// Load parses the embedded message files.
func Load() (*Catalog, error) {
	b := i18n.NewBundle(language.Indonesian)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &Catalog{bundle: b, locs: make(map[string]*i18n.Localizer), counted: make(map[string]bool)}
	for _, lang := range supported {
		mf, err := b.LoadMessageFileFS(files, "active."+lang+".toml")
		if err != nil {
			return nil, fmt.Errorf("load locale %s: %w", lang, err)
		}
		for _, m := range mf.Messages {
			if m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != "" {
				c.counted[m.ID] = true
			}
		}
	}
	for _, lang := range supported {
		// No fallback language: a missing id is an error, never silently English.
		c.locs[lang] = i18n.NewLocalizer(b, lang)
	}
	return c, nil
}

// Text renders message id in lang with data. count selects the plural form
// and is available to the template as .Count; when count is nil, data's
// "Count" is the count. A message with plural forms (a "one" form in
// English) is a counted message: rendering it without a count is an error
// wrapping [ErrNoCount] (the "other" form is still returned).
func (c *Catalog) Text(lang, id string, data map[string]any, count any) (string, error) {
	loc, ok := c.locs[lang]
	if !ok {
		loc = c.locs[Default]
	}
	if count == nil {
		count = data["Count"]
	} else if _, ok := data["Count"]; !ok {
		with := make(map[string]any, len(data)+1)
		maps.Copy(with, data)
		with["Count"] = count
		data = with
	}
	cfg := &i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count}
	s, err := loc.Localize(cfg)
	if err == nil && count == nil && c.counted[id] {
		return s, fmt.Errorf("render %q in %s: %w", id, lang, ErrNoCount)
	}
	if err != nil {
		var nf *i18n.MessageNotFoundErr
		if errors.As(err, &nf) {
			return id, fmt.Errorf("message %q missing in %s: %w", id, lang, err)
		}
		return id, fmt.Errorf("render %q in %s: %w", id, lang, err)
	}
	return s, nil
}

// MustText is Text for ids the code knows to exist; a missing id renders as
// the id itself so a user never sees an empty message.
func (c *Catalog) MustText(lang, id string, data map[string]any) string {
	s, _ := c.Text(lang, id, data, nil)
	return s
}

// Counted reports whether message id has plural forms, so that it must be
// rendered with a count.
func (c *Catalog) Counted(id string) bool { return c.counted[id] }

// Files exposes the embedded message files (for the completeness test and tools).
func Files() fs.FS { return files }
