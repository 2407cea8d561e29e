package followup_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
	"sinergi/flows/followup"
)

// colours counts the pixels of each colour of a PNG.
func colours(t *testing.T, data []byte) (image.Rectangle, map[color.RGBA]int) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode chart: %v", err)
	}
	out := map[color.RGBA]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			out[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(a >> 8)}]++
		}
	}
	return b, out
}

// The report's chart is readable for one status (the usual case right after
// collection), two, and all of them: not one colour, every present status
// drawn as a bar bigger than its legend swatch (issue #13, point 9).
func TestReportChartReadable(t *testing.T) {
	past, future := -3, 30
	cases := map[string][]struct {
		status string
		due    int
	}{
		"one status":   {{flows.CmOpen, future}, {flows.CmOpen, future}, {flows.CmOpen, future}},
		"two statuses": {{flows.CmDone, future}, {flows.CmDone, future}, {flows.CmBlocked, future}},
		"all statuses": {{flows.CmDone, future}, {flows.CmOnTrack, past}, {flows.CmBlocked, past}, {flows.CmOpen, future}, {flows.CmProposed, future}, {flows.CmOnTrack, future}},
	}
	for name, cms := range cases {
		t.Run(name, func(t *testing.T) {
			h, code := flowstest.FollowUpSetup(t)
			ctx := context.Background()
			present := map[string]int{}
			for i, c := range cms {
				owner := int64(2 + i%2)
				if err := h.Store.SaveCommitment(ctx, &flows.Commitment{ID: "c" + strconv.Itoa(i), Workshop: code, What: "W", Owner: owner,
					Due: h.Now.AddDate(0, 0, c.due), Status: c.status, Created: h.Now}); err != nil {
					t.Fatal(err)
				}
				present[c.status]++
			}
			res := h.Press(flowstest.AdminID, "rp:"+code)
			flowstest.WantIDs(t, res, "rp.text", "rp.chart_caption", "rp.csv_caption")
			b, got := colours(t, res.Replies[1].Photo.Data)
			if len(got) < 2 {
				t.Fatalf("the chart is one colour: %v", got)
			}
			if b.Dx() < 600 || b.Dy() < 400 {
				t.Errorf("chart %v is too small to read on a phone", b)
			}
			for _, s := range followup.ChartStatuses {
				c := color.RGBA{s.R, s.G, s.B, 255}
				swatch := followup.ChartBarH * followup.ChartBarH
				switch n := got[c]; {
				case n < swatch:
					t.Errorf("%s: no legend swatch (%d pixels)", s.Key, n)
				case present[s.Key] > 0 && n < 2*swatch:
					t.Errorf("%s: %d commitments but no bar (%d pixels)", s.Key, present[s.Key], n)
				}
			}
		})
	}
}

// What the chart writes: its localised title with the count, a label and a
// count for every status, the overdue count, and each organisation's
// done/total; in both languages.
func TestChartLabels(t *testing.T) {
	h := newHarness(t)
	y := followup.Tally{Total: 7, Done: 2, OnTrack: 1, Blocked: 1, NoAnswer: 2, Proposed: 1, Overdue: 2}
	var orgs []followup.OrgTally
	for i := range 10 {
		orgs = append(orgs, followup.OrgTally{Name: fmt.Sprintf("Org %02d", i), Tally: followup.Tally{Total: 10 - i, Done: 1}})
	}
	fit := func(s string, size float64) int { return int(float64(len([]rune(s))) * size / 2) }
	titles := map[string]string{}
	for _, lang := range []string{"id", "en"} {
		l := followup.ChartLabelsOf(h.Texts, lang, "Air <bersih>", y.Total)
		titles[lang] = l.Title
		all := append([]string{l.Title, l.ByStatus, l.ByOrg, l.Others, l.Status["overdue"]}, func() (s []string) {
			for _, st := range followup.ChartStatuses {
				s = append(s, l.Status[st.Key])
			}
			return
		}()...)
		for _, s := range all {
			if s == "" || strings.Contains(s, "rp.") || strings.Contains(s, "cm.") || strings.Contains(s, "<b>") {
				t.Errorf("%s: chart label %q", lang, s)
			}
		}
		texts := followup.PlanChartTexts(y, orgs, l, fit)
		want := []string{l.Title, l.ByStatus, l.Status[flows.CmDone], "2", l.Status[flows.CmOnTrack], "1", l.Status[flows.CmOpen], l.Status[flows.CmProposed],
			l.Status["overdue"], l.ByOrg, "Org 00", "1/10", "Org 06", l.Others, "3/6"}
		for _, w := range want {
			if !slices.Contains(texts, w) {
				t.Errorf("%s: the chart does not write %q: %q", lang, w, texts)
			}
		}
		if slices.Contains(texts, "Org 07") {
			t.Errorf("%s: more than %d organisation bars", lang, followup.ChartOrgs)
		}
	}
	if titles["en"] != "Air <bersih>: 7 commitments" || titles["id"] != "Air <bersih>: 7 komitmen" {
		t.Errorf("titles %q", titles)
	}
	if l := followup.ChartLabelsOf(h.Texts, "en", "X", 1); l.Title != "X: 1 commitment" {
		t.Errorf("singular title %q", l.Title)
	}
}
