package chart_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"slices"
	"strconv"
	"testing"

	"sinergi/bot/chart"
	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// chartPNG draws the chart a reply describes.
func chartPNG(t *testing.T, c *flows.Chart) []byte {
	t.Helper()
	if c == nil {
		t.Fatal("the reply has no chart")
	}
	data, err := chart.PNG(c)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

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
			res := h.Press(flowstest.AdminID, "followup.report:"+code)
			flowstest.WantIDs(t, res, "rp.text", "rp.chart_caption", "rp.csv_caption")
			b, got := colours(t, chartPNG(t, res.Replies[1].Chart))
			if len(got) < 2 {
				t.Fatalf("the chart is one colour: %v", got)
			}
			if b.Dx() < 600 || b.Dy() < 400 {
				t.Errorf("chart %v is too small to read on a phone", b)
			}
			for _, s := range chart.ChartStatuses {
				c := color.RGBA{s.R, s.G, s.B, 255}
				swatch := chart.ChartBarH * chart.ChartBarH
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

// What the chart writes: the title, a label and a count for every status,
// the overdue count, and each organisation's done/total, at most
// ChartOrgs bars (the rest summed as "others"). The labels' localisation
// is follow-up's (flows/followup TestChartLabels).
func TestChartTexts(t *testing.T) {
	y := flows.Tally{Total: 7, Done: 2, OnTrack: 1, Blocked: 1, NoAnswer: 2, Proposed: 1, Overdue: 2}
	var orgs []flows.OrgTally
	for i := range 10 {
		orgs = append(orgs, flows.OrgTally{Name: fmt.Sprintf("Org %02d", i), Tally: flows.Tally{Total: 10 - i, Done: 1}})
	}
	fit := func(s string, size float64) int { return int(float64(len([]rune(s))) * size / 2) }
	l := flows.ChartLabels{Title: "Air <bersih>: 7 commitments", ByStatus: "By status", ByOrg: "By organisation", Others: "Others",
		Status: map[string]string{"overdue": "Overdue"}}
	for _, s := range flows.ChartStatuses() {
		l.Status[s] = "status " + s
	}
	texts := chart.PlanChartTexts(y, orgs, l, fit)
	want := []string{l.Title, l.ByStatus, l.Status[flows.CmDone], "2", l.Status[flows.CmOnTrack], "1", l.Status[flows.CmOpen], l.Status[flows.CmProposed],
		l.Status["overdue"], l.ByOrg, "Org 00", "1/10", "Org 06", l.Others, "3/6"}
	for _, w := range want {
		if !slices.Contains(texts, w) {
			t.Errorf("the chart does not write %q: %q", w, texts)
		}
	}
	if slices.Contains(texts, "Org 07") {
		t.Errorf("more than %d organisation bars", chart.ChartOrgs)
	}
}

// Every status the domain counts is drawn, each in its own colour.
func TestStatusColours(t *testing.T) {
	var keys []string
	colours := map[chart.ChartStatus]bool{}
	for _, s := range chart.ChartStatuses {
		keys = append(keys, s.Key)
		colours[chart.ChartStatus{R: s.R, G: s.G, B: s.B}] = true
	}
	if want := flows.ChartStatuses(); !slices.Equal(keys, want) || len(colours) != len(want) {
		t.Errorf("chart statuses %q (%d colours), want %q", keys, len(colours), want)
	}
}

// A plain bar chart (a survey's averages, a funnel) draws each bar in
// proportion to its value: the pixels of the bar colour grow with the
// values, a zero draws no bar, and the picture is as tall as its bars.
func TestBarChartProportional(t *testing.T) {
	blue := color.RGBA{0x19, 0x76, 0xd2, 0xff}
	count := func(values ...float64) (int, image.Rectangle) {
		c := &flows.Chart{Name: "funnel", Labels: flows.ChartLabels{Title: "Funnel"}}
		for i, v := range values {
			c.Bars = append(c.Bars, flows.ChartBar{Label: "Stage " + strconv.Itoa(i), Value: v, Shown: strconv.Itoa(int(v)), Max: 10})
		}
		b, px := colours(t, chartPNG(t, c))
		return px[blue], b
	}
	none, _ := count(0, 0)
	half, b2 := count(5, 0)
	full, _ := count(10, 0)
	both, _ := count(10, 10)
	_, b5 := count(1, 2, 3, 4, 5)
	if none != 0 || half == 0 || full < half*19/10 || full > half*21/10 || both < full*19/10 {
		t.Fatalf("bar pixels: none %d, half %d, full %d, both %d", none, half, full, both)
	}
	if b5.Dy() <= b2.Dy() {
		t.Fatalf("five bars %v, two %v", b5, b2)
	}
}
