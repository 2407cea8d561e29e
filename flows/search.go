package flows

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Fold is s for searching: accents off (é → e), lower case, spaces
// collapsed, so "ANDRÉ  wijaya" finds "Andre Wijaya".
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.Join(strings.Fields(strings.ToLower(out)), " ")
}

// MatchesAny says whether query, folded, is part of one of fields, folded.
func MatchesAny(query string, fields ...string) bool {
	q := Fold(query)
	if q == "" {
		return false
	}
	for _, f := range fields {
		if strings.Contains(Fold(f), q) {
			return true
		}
	}
	return false
}
