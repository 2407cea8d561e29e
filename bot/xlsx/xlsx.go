// Package xlsx turns an export ([flows.Table]) into an Excel workbook with
// github.com/xuri/excelize/v2: one sheet, the header row bold and frozen,
// column widths that fit, and typed cells — text as text (a name starting
// with "=" or a phone number "+62 812" is shown as typed, never run as a
// formula, so no guard character is needed), numbers as numbers, times as
// dates in the table's zone. LibreOffice and Excel open it by double-click
// with no import dialog, unlike a UTF-8 CSV.
package xlsx

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"sinergi/flows"
)

// Width bounds of a column, in characters.
const (
	minWidth = 8
	maxWidth = 60
)

// Workbook renders t.
func Workbook(t *flows.Table) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := sheetName(t.Sheet)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("xlsx: name sheet: %w", err)
	}
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return nil, fmt.Errorf("xlsx: header style: %w", err)
	}
	dtFmt, dFmt, wrap := "yyyy-mm-dd hh:mm", "yyyy-mm-dd", &excelize.Alignment{Vertical: "top", WrapText: true}
	dateTime, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dtFmt, Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return nil, fmt.Errorf("xlsx: date style: %w", err)
	}
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dFmt, Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return nil, fmt.Errorf("xlsx: date style: %w", err)
	}
	text, err := f.NewStyle(&excelize.Style{Alignment: wrap})
	if err != nil {
		return nil, fmt.Errorf("xlsx: text style: %w", err)
	}
	loc := t.Zone
	if loc == nil {
		loc = time.UTC
	}
	// The stream writer writes each row's XML once, as it comes, where
	// setting cell by cell kept every cell in the library's worksheet model
	// and marshalled it at the end (three quarters of a 5,000-commitment
	// report's time, #22). Widths and the frozen header must precede the
	// rows, so the cells are made first and the widths fitted on the way.
	widths := make([]int, len(t.Columns))
	fit := func(col int, s string) {
		for line := range strings.SplitSeq(s, "\n") {
			widths[col] = max(widths[col], utf8.RuneCountInString(line))
		}
	}
	head := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = excelize.Cell{StyleID: header, Value: c.Header}
		fit(i, c.Header)
	}
	rows := make([][]any, len(t.Rows))
	for r, row := range t.Rows {
		cells := make([]any, min(len(row), len(t.Columns)))
		for i, v := range row[:len(cells)] {
			switch v := v.(type) {
			case nil:
			case string:
				v = flows.CleanCell(v)
				cells[i] = excelize.Cell{StyleID: text, Value: v}
				fit(i, v)
			case int:
				cells[i] = excelize.Cell{StyleID: text, Value: v}
				fit(i, strconv.Itoa(v))
			case time.Time:
				if v.IsZero() {
					continue
				}
				// Excel has no zones: the wall clock of the table's zone.
				w := v.In(loc)
				naive, style := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, time.UTC), dateTime
				if t.Columns[i].DateOnly {
					style, naive = date, time.Date(w.Year(), w.Month(), w.Day(), 0, 0, 0, 0, time.UTC)
					fit(i, flows.CSVDate)
				} else {
					fit(i, flows.CSVDateTime)
				}
				cells[i] = excelize.Cell{StyleID: style, Value: naive}
			default:
				return nil, fmt.Errorf("xlsx: row %d column %d: unsupported %T", r, i, v)
			}
		}
		rows[r] = cells
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, fmt.Errorf("xlsx: stream: %w", err)
	}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, float64(min(max(w+2, minWidth), maxWidth))); err != nil {
			return nil, fmt.Errorf("xlsx: width: %w", err)
		}
	}
	if len(t.Columns) > 0 {
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return nil, fmt.Errorf("xlsx: freeze header: %w", err)
		}
		if err := sw.SetRow("A1", head); err != nil {
			return nil, fmt.Errorf("xlsx: header: %w", err)
		}
	}
	for r, cells := range rows {
		cell, err := excelize.CoordinatesToCellName(1, r+2)
		if err != nil {
			return nil, fmt.Errorf("xlsx: row %d: %w", r, err)
		}
		if err := sw.SetRow(cell, cells); err != nil {
			return nil, fmt.Errorf("xlsx: row %d: %w", r, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, fmt.Errorf("xlsx: write: %w", err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("xlsx: write: %w", err)
	}
	return buf.Bytes(), nil
}

// sheetName is a valid sheet title: at most 31 characters, none of : \ / ? * [ ].
func sheetName(s string) string {
	out := make([]rune, 0, 31)
	for _, r := range s {
		switch r {
		case ':', '\\', '/', '?', '*', '[', ']':
			r = ' '
		}
		out = append(out, r)
		if len(out) == 31 {
			break
		}
	}
	if len(out) == 0 {
		return "Sheet1"
	}
	return string(out)
}
