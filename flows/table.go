package flows

import (
	"strconv"
	"time"
)

// Table is an export as the domain sees it: one sheet of typed cells. A
// reply that carries one is sent twice by the transport: as an Excel
// workbook (typed cells, so no formula guard is needed; frozen header;
// fitted widths) with the reply's text as caption, and as CSV for other
// programs ([Table.CSV]).
type Table struct {
	Name    string         // file name without extension, e.g. "registrants-ab12cd"
	Sheet   string         // the sheet's title (localised)
	Zone    *time.Location // times are shown in this zone
	Columns []Column
	// Rows hold, per column, a string, an int, a time.Time (the zero time
	// is an empty cell) or nil (empty).
	Rows [][]any
}

// Column is a table column: its header (localised; a time column's header
// names its zone) and, for time.Time cells, whether they are days.
type Column struct {
	Header   string
	DateOnly bool
}

// Layouts of times in CSV cells (and of dates in the workbook's cells).
const (
	CSVDateTime = "2006-01-02 15:04"
	CSVDate     = "2006-01-02"
)

// CSV renders t as [CSV] does: UTF-8 with BOM, times in t.Zone.
func (t *Table) CSV() []byte {
	header := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = c.Header
	}
	rows := make([][]string, len(t.Rows))
	for r, row := range t.Rows {
		out := make([]string, len(row))
		for i, v := range row {
			dateOnly := i < len(t.Columns) && t.Columns[i].DateOnly
			out[i] = t.cellText(v, dateOnly)
		}
		rows[r] = out
	}
	return CSV(header, rows)
}

func (t *Table) cellText(v any, dateOnly bool) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case time.Time:
		if v.IsZero() {
			return ""
		}
		loc := t.Zone
		if loc == nil {
			loc = time.UTC
		}
		if dateOnly {
			return v.In(loc).Format(CSVDate)
		}
		return v.In(loc).Format(CSVDateTime)
	}
	return ""
}

// ZoneHeader is a time column's header with its zone's label: "Registered
// at (WIB)".
func ZoneHeader(header, zone string) string {
	if l := zoneLabels[zone]; l != "" {
		return header + " (" + l + ")"
	}
	return header + " (" + zone + ")"
}

// CleanCell is a cell's text as an export writes it: without control
// characters other than tabs and line breaks, terminal escapes or invisible
// format characters (see [CleanText]).
func CleanCell(s string) string { return cleanKeep(s, "\t\n") }
