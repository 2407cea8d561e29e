package webapp

import "testing"

// The totals of the overview's lists are written as each language groups
// thousands.
func TestGroupDigits(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 0, "0"}, {"en", 50, "50"}, {"en", 999, "999"}, {"en", 1000, "1,000"}, {"en", 34263, "34,263"},
		{"id", 34263, "34.263"}, {"id", 1234567, "1.234.567"}, {"id", 100000, "100.000"},
	} {
		if got := groupDigits(c.lang, c.n); got != c.want {
			t.Errorf("groupDigits(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}
