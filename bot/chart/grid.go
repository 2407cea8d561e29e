package chart

import (
	"github.com/wcharczuk/go-chart/v2/drawing"

	"sinergi/flows"
)

// Grid geometry, in pixels. A grid keeps within Telegram's photo limits
// (width + height at most 10,000): rows grow lower with many slots (down to
// gridMinRow) and columns narrower with many tables (down to gridMinCell).
const (
	gridSlotW    = 120
	gridMaxCell  = 240
	gridMinCell  = 90
	gridRowH     = 40 // a row's height, at most
	gridMinRow   = 20 // and at least
	gridTitleH   = 56
	gridText     = 18.0
	gridTitle    = 24.0
	gridMaxTotal = 9800
)

var (
	gridLine    = drawing.ColorFromHex("bdbdbd")
	gridHead    = drawing.ColorFromHex("eeeeee")
	gridBooked  = drawing.ColorFromHex("c8e6c9")
	gridPending = drawing.ColorFromHex("fff59d")
)

// planGrid lays the grid out: the title, a header row (the corner, the
// tables), then a row per slot; a booked cell is green, one awaiting
// confirmation yellow, each with the meeting's text cut to the cell.
func planGrid(g *flows.Grid, fit func(string, float64) int) chartPlan {
	n := max(1, len(g.Columns))
	// Rows shrink first (down to gridMinRow) so that the narrowest columns
	// fit; then columns take what the height leaves.
	minW := 2*chartMargin + gridSlotW + gridMinCell*n
	rowH := min(gridRowH, max(gridMinRow, (gridMaxTotal-minW-gridTitleH-chartMargin)/(len(g.Rows)+1)))
	size := min(gridText, float64(rowH)*0.55)
	h := gridTitleH + rowH*(len(g.Rows)+1) + chartMargin
	cell := min(gridMaxCell, max(gridMinCell, (gridMaxTotal-h-gridSlotW-2*chartMargin)/n))
	p := chartPlan{w: 2*chartMargin + gridSlotW + cell*n, h: h}
	p.labels = append(p.labels, chartLabel{truncateToWidth(g.Title, gridTitle, p.w-2*chartMargin, fit), chartMargin, chartMargin + 22, gridTitle})
	top := gridTitleH
	x := func(col int) int { return chartMargin + gridSlotW + cell*col }
	p.boxes = append(p.boxes, chartBox{chartMargin, top, p.w - 2*chartMargin, rowH, gridHead})
	text := func(s string, x0, y0, w int) {
		p.labels = append(p.labels, chartLabel{truncateToWidth(s, size, w-12, fit), x0 + 6, y0 + rowH*2/3, size})
	}
	text(g.Corner, chartMargin, top, gridSlotW)
	for i, c := range g.Columns {
		text(c, x(i), top, cell)
	}
	for r, row := range g.Rows {
		y := top + rowH*(r+1)
		text(row.Label, chartMargin, y, gridSlotW)
		for i, c := range row.Cells {
			if c == "" {
				continue
			}
			color := gridBooked
			if i < len(row.Pending) && row.Pending[i] {
				color = gridPending
			}
			p.boxes = append(p.boxes, chartBox{x(i) + 1, y + 1, cell - 1, rowH - 1, color})
			text(c, x(i), y, cell)
		}
	}
	// The lines: under each row and right of each column.
	for r := 0; r <= len(g.Rows)+1; r++ {
		p.boxes = append(p.boxes, chartBox{chartMargin, top + rowH*r, p.w - 2*chartMargin, 1, gridLine})
	}
	for c := -1; c <= n; c++ {
		xx := chartMargin
		if c >= 0 {
			xx = x(c)
		}
		p.boxes = append(p.boxes, chartBox{xx, top, 1, rowH * (len(g.Rows) + 1), gridLine})
	}
	return p
}

// GridPNG draws a workshop's meeting grid ([flows.Grid]) as a PNG.
func GridPNG(g *flows.Grid) ([]byte, error) {
	return render("grid", func(fit fitFunc) chartPlan { return planGrid(g, fit) })
}
