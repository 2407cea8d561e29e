// Package chart draws a workshop's progress ([flows.Chart]) as a PNG with
// github.com/wcharczuk/go-chart's raster renderer and font.
package chart

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"image"
	"image/png"
	"slices"
	"strconv"
	"strings"

	gochart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"

	"sinergi/flows"
)

// chartStatus is a status as the chart shows it: its key (as in
// "cm.status.<key>", counted by [flows.Tally.Count]) and colour.
type chartStatus struct {
	key   string
	color drawing.Color
}

// chartStatuses partition every commitment; the order is the bars' order.
// Every status of [flows.ChartStatuses] has one (TestStatusColours).
var chartStatuses = []chartStatus{
	{flows.CmDone, drawing.ColorFromHex("2e7d32")},
	{flows.CmOnTrack, drawing.ColorFromHex("1976d2")},
	{flows.CmBlocked, drawing.ColorFromHex("ef6c00")},
	{flows.CmOpen, drawing.ColorFromHex("757575")},
	{flows.CmProposed, drawing.ColorFromHex("8e24aa")},
}

// overdueColor marks the overdue row, a second dimension across statuses.
var overdueColor = drawing.ColorFromHex("c62828")

// chartOrgs is how many organisations get their own bar; the rest share one.
const chartOrgs = 8

// Chart geometry, in pixels: wide enough and with type large enough to be
// read on a phone without the message beside it.
const (
	chartW      = 900
	chartMargin = 28
	chartTitle  = 30.0 // font sizes
	chartHead   = 24.0
	chartText   = 22.0
	chartRow    = 44 // height of a status row
	chartOrgRow = 78 // height of an organisation row (name above its bar)
	chartBarH   = 26
	chartDPI    = 72 // a font size in points is then its size in pixels
)

// chartBox and chartText are the drawing of a chart, kept apart from the
// PNG so that a test can read what is written on it.
type chartBox struct {
	x, y, w, h int
	color      drawing.Color
}

type chartLabel struct {
	text string
	x, y int // baseline start
	size float64
}

type chartPlan struct {
	w, h   int
	boxes  []chartBox
	labels []chartLabel
}

// planChart lays the chart out: the title; one row per status, each a
// legend swatch, its label, a bar and its count, then the overdue row;
// then one stacked bar per organisation (the largest first, the rest in one
// "others" bar) coloured by status, with its done/total count. fit measures
// text at a font size and returns its width.
func planChart(y flows.Tally, orgs []flows.OrgTally, l flows.ChartLabels, fit func(text string, size float64) int) chartPlan {
	p := chartPlan{w: chartW}
	ypos := chartMargin
	text := func(s string, x, size float64, maxW int) {
		s = truncateToWidth(s, size, maxW, fit)
		p.labels = append(p.labels, chartLabel{text: s, x: int(x), y: ypos + int(size), size: size})
	}
	for _, line := range wrapToWidth(l.Title, chartTitle, chartW-2*chartMargin, 2, fit) {
		text(line, chartMargin, chartTitle, chartW-2*chartMargin)
		ypos += int(chartTitle) + 10
	}
	ypos += 18

	text(l.ByStatus, chartMargin, chartHead, chartW-2*chartMargin)
	ypos += int(chartHead) + 14
	labelW := 0
	for _, s := range chartStatuses {
		labelW = max(labelW, fit(l.Status[s.key], chartText))
	}
	labelW = max(labelW, fit(l.Status["overdue"], chartText))
	labelW = min(labelW, 420)
	barX := chartMargin + chartBarH + 12 + labelW + 16
	countW := fit(strconv.Itoa(y.Total), chartText) + 12
	barMax := chartW - chartMargin - countW - barX
	most := y.Overdue
	for _, s := range chartStatuses {
		most = max(most, y.Count(s.key))
	}
	row := func(label string, n int, color drawing.Color) {
		p.boxes = append(p.boxes, chartBox{chartMargin, ypos + (chartRow-chartBarH)/2 - 6, chartBarH, chartBarH, color})
		text(label, chartMargin+chartBarH+12, chartText, labelW)
		w := 0
		if most > 0 {
			w = barMax * n / most
		}
		if n > 0 {
			w = max(w, 4)
			p.boxes = append(p.boxes, chartBox{barX, ypos + (chartRow-chartBarH)/2 - 6, w, chartBarH, color})
		}
		text(strconv.Itoa(n), float64(barX+w+10), chartText, countW)
		ypos += chartRow
	}
	for _, s := range chartStatuses {
		row(l.Status[s.key], y.Count(s.key), s.color)
	}
	ypos += 6
	p.boxes = append(p.boxes, chartBox{chartMargin, ypos, chartW - 2*chartMargin, 2, drawing.ColorFromHex("bdbdbd")})
	ypos += 12
	row(l.Status["overdue"], y.Overdue, overdueColor)

	if len(orgs) > 0 {
		ypos += 20
		text(l.ByOrg, chartMargin, chartHead, chartW-2*chartMargin)
		ypos += int(chartHead) + 14
		orgs = slices.Clone(orgs)
		slices.SortStableFunc(orgs, func(a, b flows.OrgTally) int { return cmp.Or(b.Total-a.Total, strings.Compare(a.Name, b.Name)) })
		if len(orgs) > chartOrgs {
			rest := flows.OrgTally{Name: l.Others}
			for _, o := range orgs[chartOrgs-1:] {
				rest.Tally = rest.Add(o.Tally)
			}
			orgs = append(orgs[:chartOrgs-1], rest)
		}
		most := 0
		for _, o := range orgs {
			most = max(most, o.Total)
		}
		for _, o := range orgs {
			count := fmt.Sprintf("%d/%d", o.Done, o.Total)
			cw := fit(count, chartText)
			text(o.Name, chartMargin, chartText, chartW-2*chartMargin-cw-12)
			p.labels = append(p.labels, chartLabel{text: count, x: chartW - chartMargin - cw, y: ypos + int(chartText), size: chartText})
			x, full := chartMargin, chartW-2*chartMargin
			for _, s := range chartStatuses {
				n := o.Count(s.key)
				if n == 0 || most == 0 {
					continue
				}
				w := max(full*n/most, 3)
				p.boxes = append(p.boxes, chartBox{x, ypos + int(chartText) + 12, w, chartBarH, s.color})
				x += w
			}
			ypos += chartOrgRow
		}
	}
	p.h = ypos + chartMargin
	return p
}

// barColor is the colour of a plain bar chart's bars.
var barColor = drawing.ColorFromHex("1976d2")

// planBars lays out a plain bar chart: the title, then per bar its label
// above a bar as long as its value relative to the largest (or its Max)
// and the number shown beside it.
func planBars(bars []flows.ChartBar, title string, fit func(text string, size float64) int) chartPlan {
	p := chartPlan{w: chartW}
	ypos := chartMargin
	text := func(s string, x, size float64, maxW int) {
		s = truncateToWidth(s, size, maxW, fit)
		p.labels = append(p.labels, chartLabel{text: s, x: int(x), y: ypos + int(size), size: size})
	}
	for _, line := range wrapToWidth(title, chartTitle, chartW-2*chartMargin, 2, fit) {
		text(line, chartMargin, chartTitle, chartW-2*chartMargin)
		ypos += int(chartTitle) + 10
	}
	ypos += 18
	most := 0.0
	for _, b := range bars {
		most = max(most, b.Value, b.Max)
	}
	for _, b := range bars {
		text(b.Label, chartMargin, chartText, chartW-2*chartMargin)
		ypos += int(chartText) + 10
		sw := fit(b.Shown, chartText) + 12
		full := chartW - 2*chartMargin - sw
		w := 0
		if most > 0 && b.Value > 0 {
			w = max(int(float64(full)*b.Value/most), 4)
			p.boxes = append(p.boxes, chartBox{chartMargin, ypos, w, chartBarH, barColor})
		}
		p.labels = append(p.labels, chartLabel{text: b.Shown, x: chartMargin + w + 10, y: ypos + int(chartText) - 2, size: chartText})
		ypos += chartBarH + 24
	}
	p.h = ypos + chartMargin
	return p
}

// wrapToWidth breaks s at spaces into at most lines lines of maxW pixels;
// the last line is truncated.
func wrapToWidth(s string, size float64, maxW, lines int, fit func(string, float64) int) []string {
	var out []string
	words := strings.Fields(s)
	for len(words) > 0 && len(out) < lines-1 {
		n := 1
		for n < len(words) && fit(strings.Join(words[:n+1], " "), size) <= maxW {
			n++
		}
		out = append(out, strings.Join(words[:n], " "))
		words = words[n:]
	}
	if len(words) > 0 {
		out = append(out, truncateToWidth(strings.Join(words, " "), size, maxW, fit))
	}
	return out
}

// truncateToWidth shortens s with "…" until it fits maxW pixels.
func truncateToWidth(s string, size float64, maxW int, fit func(string, float64) int) string {
	if fit(s, size) <= maxW {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && fit(string(r)+"…", size) > maxW {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// PNG draws a workshop's progress (go-chart's raster renderer and font):
// a title, the count of every status as a labelled bar
// with its colour swatch (the legend), the overdue count across statuses,
// and a stacked bar per organisation. It is readable for one status as for
// all of them.
func PNG(c *flows.Chart) ([]byte, error) {
	return render("chart", func(fit fitFunc) chartPlan {
		if len(c.Bars) > 0 {
			return planBars(c.Bars, c.Labels.Title, fit)
		}
		return planChart(c.Tally, c.Orgs, c.Labels, fit)
	})
}

// fitFunc measures text at a font size, in pixels.
type fitFunc = func(text string, size float64) int

// render draws the plan that plan makes with the default font's measures
// into a PNG; what names the picture in errors.
func render(what string, plan func(fit fitFunc) chartPlan) ([]byte, error) {
	font, err := gochart.GetDefaultFont()
	if err != nil {
		return nil, fmt.Errorf("%s font: %w", what, err)
	}
	measure, err := gochart.PNG(1, 1)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	measure.SetDPI(chartDPI)
	measure.SetFont(font)
	p := plan(func(s string, size float64) int {
		measure.SetFontSize(size)
		return measure.MeasureText(s).Width()
	})
	r, err := gochart.PNG(p.w, p.h)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	r.SetDPI(chartDPI)
	fill := func(b chartBox) {
		r.SetFillColor(b.color)
		r.SetStrokeColor(b.color)
		r.SetStrokeWidth(0)
		r.MoveTo(b.x, b.y)
		r.LineTo(b.x+b.w, b.y)
		r.LineTo(b.x+b.w, b.y+b.h)
		r.LineTo(b.x, b.y+b.h)
		r.Close()
		r.Fill()
	}
	fill(chartBox{0, 0, p.w, p.h, drawing.ColorWhite})
	for _, b := range p.boxes {
		fill(b)
	}
	r.SetFont(font)
	r.SetFontColor(drawing.ColorFromHex("212121"))
	for _, t := range p.labels {
		r.SetFontSize(t.size)
		r.Text(t.text, t.x, t.y)
	}
	// go-chart hands its image to a writer that collects it; it is encoded
	// here at the fastest compression: half the encoding time of the
	// default for a file 3 % larger (#22).
	var img rgbaCollector
	if err := r.Save(&img); err != nil || img.rgba == nil {
		return nil, fmt.Errorf("render %s: %w", what, cmp.Or(err, errNoImage))
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img.rgba); err != nil {
		return nil, fmt.Errorf("render %s: %w", what, err)
	}
	return buf.Bytes(), nil
}

var errNoImage = errors.New("the renderer gave no image")

// rgbaCollector takes a raster renderer's image (gochart.RGBACollector)
// instead of its PNG.
type rgbaCollector struct{ rgba *image.RGBA }

func (c *rgbaCollector) SetRGBA(i *image.RGBA) { c.rgba = i }

// Write is never called: the renderer hands over its image instead.
func (c *rgbaCollector) Write(p []byte) (int, error) { return 0, errNoImage }
