package xlsx_test

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"sinergi/bot/xlsx"
	"sinergi/flows"
)

// The hard cases, read back with the library: text stays text exactly as
// typed (quotes, commas, a line break and diacritics; a formula; a phone
// number with a plus), numbers are numbers, times are dates shown in the
// table's zone, the header is frozen and the widths fit (#23).
func TestWorkbookCells(t *testing.T) {
	wib := flows.LoadZone("Asia/Jakarta")
	at := time.Date(2026, 12, 10, 2, 30, 0, 0, time.UTC) // 09:30 WIB
	tbl := &flows.Table{Name: "registrants-ab12cd", Sheet: "Pendaftar", Zone: wib,
		Columns: []flows.Column{{Header: "Nama"}, {Header: "Organisasi"}, {Header: "Telepon"}, {Header: "Hari terlambat"},
			{Header: "Mendaftar (WIB)"}, {Header: "Tenggat", DateOnly: true}, {Header: "Hadir (WIB)"}},
		Rows: [][]any{
			{"Séptiani \"Tia\" Putri, S.Sos\nJakarta", `=HYPERLINK("http://x","y")`, "+62 812 3456", 3, at, at, time.Time{}},
			{"Ñoño\x1b[31m", "-1+2 tanpa gluten", "@admin", nil, at.Add(24 * time.Hour), at, at},
		}}
	data, err := xlsx.Workbook(tbl)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != "Pendaftar" {
		t.Fatalf("sheets %v", got)
	}
	const sh = "Pendaftar"
	text := func(cell, want string) {
		t.Helper()
		typ, err := f.GetCellType(sh, cell)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := f.GetCellValue(sh, cell)
		formula, _ := f.GetCellFormula(sh, cell)
		if v != want || formula != "" || (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString) {
			t.Errorf("%s = %q (type %v, formula %q), want the text %q", cell, v, typ, formula, want)
		}
	}
	text("A1", "Nama")
	text("A2", "Séptiani \"Tia\" Putri, S.Sos\nJakarta")
	text("B2", `=HYPERLINK("http://x","y")`)
	text("C2", "+62 812 3456")
	text("A3", "Ñoño") // the terminal escape is not kept
	text("B3", "-1+2 tanpa gluten")
	text("C3", "@admin")

	if typ, _ := f.GetCellType(sh, "D2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("D2 type %v, want a number", typ)
	}
	if v, _ := f.GetCellValue(sh, "D2", excelize.Options{RawCellValue: true}); v != "3" {
		t.Errorf("D2 = %q, want 3", v)
	}
	if v, _ := f.GetCellValue(sh, "D3"); v != "" {
		t.Errorf("D3 = %q, want empty", v)
	}
	// Dates: stored as Excel serial numbers, shown with a date format, in
	// the workshop's zone (09:30 WIB, not 02:30 UTC).
	if v, _ := f.GetCellValue(sh, "E2"); v != "2026-12-10 09:30" {
		t.Errorf("E2 shows %q, want 2026-12-10 09:30", v)
	}
	raw, _ := f.GetCellValue(sh, "E2", excelize.Options{RawCellValue: true})
	num, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		t.Fatalf("E2 raw %q: %v", raw, err)
	}
	serial, _ := excelize.ExcelDateToTime(num, false)
	if !serial.Equal(time.Date(2026, 12, 10, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("E2 serial %q is %v", raw, serial)
	}
	if v, _ := f.GetCellValue(sh, "F2"); v != "2026-12-10" {
		t.Errorf("F2 shows %q, want the day", v)
	}
	if v, _ := f.GetCellValue(sh, "G2"); v != "" {
		t.Errorf("G2 = %q, want empty (no check-in)", v)
	}
	// The header stays when scrolling; widths fit the longest line.
	panes, err := f.GetPanes(sh)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v %v, want the first row frozen", panes, err)
	}
	if w, _ := f.GetColWidth(sh, "A"); w < 25 || w > 60 {
		t.Errorf("column A width %v", w)
	}
	if w, _ := f.GetColWidth(sh, "E"); w < 16 {
		t.Errorf("column E width %v, want the date to fit", w)
	}
}
