package chart_test

import (
	"bytes"
	"fmt"
	"image/png"
	"slices"
	"testing"

	"sinergi/bot/chart"
	"sinergi/flows"
)

// The meeting grid is a PNG with every table, slot and meeting written on
// it (cut to its cell), within Telegram's photo limits even with 40 tables
// and 200 slots.
func TestGridPNG(t *testing.T) {
	g := &flows.Grid{Name: "meetings-x", Title: "Lokakarya Air · Meetings", Corner: "Slot", Columns: []string{"Meja Melati", "Meja Kenanga"},
		Rows: []flows.GridRow{{Label: "10:00", Cells: []string{"Yayasan Air ↔ PT Dana", ""}, Pending: []bool{false, false}},
			{Label: "10:20", Cells: []string{"", "Komunitas ↔ Dinas (?)"}, Pending: []bool{false, true}}}}
	b, err := chart.GridPNG(g)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w < 400 || h < 150 {
		t.Fatalf("grid %dx%d", w, h)
	}
	fit := func(s string, _ float64) int { return 9 * len([]rune(s)) }
	texts := chart.PlanGridTexts(g, fit)
	for _, want := range []string{"Slot", "Meja Melati", "Meja Kenanga", "10:00", "10:20", "Yayasan Air ↔ PT Dana", "Komunitas ↔ Dinas (?)"} {
		if !slices.Contains(texts, want) {
			t.Errorf("%q not on the grid: %q", want, texts)
		}
	}

	big := &flows.Grid{Title: "big", Corner: "Slot"}
	for i := range 40 {
		big.Columns = append(big.Columns, fmt.Sprint("Table ", i))
	}
	for i := range 200 {
		big.Rows = append(big.Rows, flows.GridRow{Label: fmt.Sprint(i), Cells: make([]string, 40)})
	}
	b, err = chart.GridPNG(big)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width+cfg.Height > 10000 || cfg.Width/cfg.Height > 20 || cfg.Height/cfg.Width > 20 {
		t.Fatalf("big grid %dx%d %v", cfg.Width, cfg.Height, err)
	}
}
