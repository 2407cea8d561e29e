package flows

import (
	"regexp"
	"strings"
	"unicode"
)

// Free text that people type (titles, venues, descriptions, names,
// organisations, notes, commitments, answers) is cleaned by [CleanText]
// before it is checked, stored or published, and refused when nothing
// visible is left; the CSV and iCalendar writers clean again whatever they
// are given.

// ansiSeq matches terminal escape sequences: CSI (ESC [ … final byte), OSC
// (ESC ] … BEL or ESC \) and two-character escapes. Their ESC alone would be
// dropped as a control character, leaving "[31m" in the text.
var ansiSeq = regexp.MustCompile(`\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -~]?)|\x{9b}[0-?]*[ -/]*[@-~]?`)

// CleanText returns s without what must not be stored or shown: invalid
// UTF-8, terminal escape sequences, control characters other than line
// breaks (a tab becomes a space; CR and the Unicode line and paragraph
// separators become "\n"), and invisible format characters — the
// bidirectional overrides, embeddings, isolates and marks (U+202E …), zero-
// width spaces, word joiners and byte-order marks. The zero-width joiner
// and non-joiner stay: emoji sequences and some scripts need them. Leading
// and trailing white space is trimmed.
func CleanText(s string) string {
	return strings.TrimSpace(cleanKeep(s, "\n"))
}

// CleanUntrimmed is [CleanText] without the trimming: what the file
// writers (iCalendar) put in a value.
func CleanUntrimmed(s string) string { return cleanKeep(s, "\n") }

// cleanKeep is CleanText without the trimming; the control characters in
// keep are kept as they are.
func cleanKeep(s, keep string) string {
	if plainASCII(s, keep) {
		// Nothing to drop or change: the common case of an export's
		// cells, thousands of them in a large report (#22).
		return s
	}
	s = strings.ToValidUTF8(s, "")
	if strings.ContainsRune(s, '\x1b') || strings.ContainsRune(s, '\u009b') {
		// Every terminal escape starts with one of these two.
		s = ansiSeq.ReplaceAllString(s, "")
	}
	if !strings.ContainsRune(keep, '\r') {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	return strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(keep, r):
			return r
		case r == '\r' || r == '\u2028' || r == '\u2029':
			return '\n'
		case r == '\t':
			return ' '
		case r == '\u200c' || r == '\u200d':
			return r
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
}

// plainASCII reports whether s is printable ASCII but for the control
// characters in keep (other than ESC): what cleanKeep returns unchanged.
func plainASCII(s, keep string) bool {
	for i := range len(s) {
		if b := s[i]; (b < 0x20 || b >= 0x7f) && (b >= 0x20 || b == 0x1b || strings.IndexByte(keep, b) < 0) {
			return false
		}
	}
	return true
}

// visible reports whether s has a character that shows: a letter, digit,
// punctuation or symbol (emoji included). Spaces, combining marks and
// joiners alone do not.
func visible(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S)
	}) >= 0
}

// hasLetter reports whether s has a letter of any script.
func hasLetter(s string) bool { return strings.IndexFunc(s, unicode.IsLetter) >= 0 }
