package flows_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// readCSV strips the BOM and parses data with encoding/csv.
func readCSV(t testing.TB, data []byte) [][]string {
	t.Helper()
	body, ok := bytes.CutPrefix(data, []byte("\xEF\xBB\xBF"))
	if !ok {
		t.Fatalf("no BOM: %q", data)
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("csv: %v\n%q", err, data)
	}
	return recs
}

func TestCSV(t *testing.T) {
	header := []string{"Nama", "Organisasi", "Telepon"}
	rows := [][]string{
		{`=cmd|' /C calc'!A0`, "Yayasan \"Maju\", Tbk", "+62 812 3456"},
		{"@SUM(A1)", "line1\nline2", "-5"},
		{"\tTab", "\rCR", "biasa; saja"},
		{"Siti Nurhaliza", "", "é ü 漢字"},
		{""},
		{"a'", "'=already"},
	}
	data := flows.CSV(header, rows)
	if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBFNama,Organisasi,Telepon\r\n")) {
		t.Errorf("header: %q", data)
	}
	if !bytes.HasSuffix(data, []byte("\r\n")) || bytes.Contains(bytes.ReplaceAll(data, []byte("\r\n"), nil), []byte("\n")) {
		t.Errorf("not CRLF: %q", data)
	}
	got := readCSV(t, data)
	want := [][]string{
		header,
		{`'=cmd|' /C calc'!A0`, "Yayasan \"Maju\", Tbk", "'+62 812 3456"},
		{"'@SUM(A1)", "line1\nline2", "'-5"},
		{"'\tTab", "'CR", "biasa; saja"},
		{"Siti Nurhaliza", "", "é ü 漢字"},
		{""},
		{"a'", "'=already"},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("CSV round trip\n got %q\nwant %q", got, want)
	}

	if got := flows.CSV(nil, nil); string(got) != "\xEF\xBB\xBF" {
		t.Errorf("empty CSV = %q", got)
	}
}

func FuzzCSV(f *testing.F) {
	f.Add("Nama", `=cmd|' /C calc'!A0`, "a,b\"c\nd")
	f.Add("", "+62", "\r\n")
	f.Add("\t", "@", "-")
	f.Add(" x", "\\.", "\xff\xfe")
	f.Add("\u202e=cmd", "\x1b[31mred\x1b[0m", "\u200b")
	f.Add("a\x00b", "\u2066=1+1\u2069", "\u009b2J")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		header := []string{a, b}
		rows := [][]string{{c, a, b}, {b}, {c}, {a, "", c}}
		recs := readCSV(t, flows.CSV(header, rows))
		want := append([][]string{header}, rows...)
		if len(recs) != len(want) {
			t.Fatalf("%d records, want %d: %q", len(recs), len(want), recs)
		}
		for i := range want {
			if len(recs[i]) != len(want[i]) {
				t.Fatalf("record %d = %q, want %q", i, recs[i], want[i])
			}
			for j, cell := range want[i] {
				got := recs[i][j]
				cell = flows.CleanKeep(cell, "\t\n\r")    // controls and invisible characters are dropped
				exp := strings.ReplaceAll(cell, "\r", "") // CRs inside cells are dropped
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					if !strings.HasPrefix(got, "'") {
						t.Fatalf("cell %q not neutralised: %q", cell, got)
					}
					got = got[1:]
				}
				if got != exp {
					t.Fatalf("cell %q came back as %q", cell, recs[i][j])
				}
				if r, bad := flowstest.HiddenRune(got, "\t\n"); bad {
					t.Fatalf("cell %q keeps %U", got, r)
				}
			}
		}
	})
}
