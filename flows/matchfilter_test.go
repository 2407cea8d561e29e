package flows

import "testing"

// Every filter a button can carry reads back as itself; codes naming
// nothing known are refused.
func TestMatchFilterCodeRoundTrip(t *testing.T) {
	fs := []MatchFilter{{}, {Coalition: true}}
	for _, c := range Themes() {
		fs = append(fs, MatchFilter{Theme: c})
	}
	for _, c := range Provinces() {
		fs = append(fs, MatchFilter{Province: c})
	}
	for _, c := range Sectors() {
		fs = append(fs, MatchFilter{Sector: c})
	}
	for _, f := range fs {
		got, ok := ParseMatchFilter(f.Code())
		if !ok || got != f {
			t.Errorf("ParseMatchFilter(%q) = %+v, %v; want %+v", f.Code(), got, ok, f)
		}
	}
	for _, bad := range []string{"", "x", "t.", "t.nope", "p.ngo", "s.aceh", "c.x", "a.b"} {
		if f, ok := ParseMatchFilter(bad); ok {
			t.Errorf("ParseMatchFilter(%q) = %+v, want refused", bad, f)
		}
	}
}
