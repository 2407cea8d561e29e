package followup_test

import (
	"strings"
	"testing"

	"sinergi/flows"
	"sinergi/flows/followup"
)

// The chart's texts: its localised title with the count, a label for every
// status and the overdue row, the headings; in both languages (what the
// chart writes of them: bot/chart TestChartTexts).
func TestChartLabels(t *testing.T) {
	h := newHarness(t)
	y := flows.Tally{Total: 7}
	titles := map[string]string{}
	for _, lang := range []string{"id", "en"} {
		l := followup.ChartLabelsOf(h.Texts, lang, "Air <bersih>", y.Total)
		titles[lang] = l.Title
		all := append([]string{l.Title, l.ByStatus, l.ByOrg, l.Others, l.Status["overdue"]}, func() (s []string) {
			for _, st := range flows.ChartStatuses() {
				s = append(s, l.Status[st])
			}
			return
		}()...)
		for _, s := range all {
			if s == "" || strings.Contains(s, "rp.") || strings.Contains(s, "cm.") || strings.Contains(s, "<b>") {
				t.Errorf("%s: chart label %q", lang, s)
			}
		}
	}
	if titles["en"] != "Air <bersih>: 7 commitments" || titles["id"] != "Air <bersih>: 7 komitmen" {
		t.Errorf("titles %q", titles)
	}
	if l := followup.ChartLabelsOf(h.Texts, "en", "X", 1); l.Title != "X: 1 commitment" {
		t.Errorf("singular title %q", l.Title)
	}
}
