package flows

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

// cleanKeepBefore is cleanKeep as it was before its fast paths (#22): the
// reference they must agree with.
func cleanKeepBefore(s, keep string) string {
	s = strings.ToValidUTF8(s, "")
	s = ansiSeq.ReplaceAllString(s, "")
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

// The fast paths change nothing: every single byte and rune that matters,
// and random strings made of them (escapes, CSI, invalid UTF-8, CR LF,
// tabs, format characters, Indonesian and emoji text), clean as before
// with every keep set the writers use.
func TestCleanKeepAsBefore(t *testing.T) {
	pieces := []string{"a", "Z", " ", "~", "=", "'", "\x00", "\x01", "\t", "\n", "\r", "\r\n", "\x1b", "\x1b[31m", "\x1b]0;t\x07",
		"\x1b\\", "\x7f", "\x80", "\xff", "\xc3", "é", "Ñ", "\u009b", "\u009b1m", "\u200b", "\u200c", "\u200d", "\u202e", "\u2028",
		"\u2029", "\ufeff", "🚰", "👩‍👩‍👧", "air bersih", "+62 812", "-1"}
	keeps := []string{"\n", "\t\n", "\t\n\r", ""}
	check := func(s string) {
		t.Helper()
		for _, keep := range keeps {
			if got, want := cleanKeep(s, keep), cleanKeepBefore(s, keep); got != want {
				t.Fatalf("cleanKeep(%q, %q) = %q, want %q", s, keep, got, want)
			}
		}
	}
	for b := range 256 {
		check(string([]byte{byte(b)}))
		check("x" + string([]byte{byte(b)}) + "y")
	}
	for _, p := range pieces {
		check(p)
	}
	rng := rand.New(rand.NewPCG(22, 5000))
	for range 20_000 {
		var sb strings.Builder
		for range rng.IntN(12) {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		check(sb.String())
	}
}

// A cell of printable ASCII, the common case, is returned as it is,
// without an allocation (it was copied through a regular expression).
func TestCleanCellPlainAllocatesNothing(t *testing.T) {
	s := strings.Repeat("Commitment number 42: 2026-12-11 09:30 on track\n", 3)
	if n := testing.AllocsPerRun(100, func() { _ = CleanCell(s) }); n != 0 {
		t.Errorf("CleanCell of plain text: %v allocations, want 0", n)
	}
	if got := CleanCell(s); got != s {
		t.Errorf("CleanCell changed plain text: %q", got)
	}
}
