package flows_test

import (
	"bytes"
	"encoding/csv"
	"image/png"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

func icsWorkshop() *flows.Workshop {
	return &flows.Workshop{
		Code:        "ab12",
		Title:       `Pelatihan, "Data"; hari 1` + "\nsesi pagi",
		Description: "Bawa laptop; charger, dan semangat.\r\nSampai jumpa! " + strings.Repeat("Café 漢字 ☕, ", 12),
		Start:       time.Date(2025, 11, 10, 2, 0, 0, 0, time.UTC), // 09:00 WIB
		End:         time.Date(2025, 11, 10, 5, 30, 0, 0, time.UTC),
		Zone:        "Asia/Jakarta",
		Venue:       "Gedung Sate, Jl. Diponegoro No.22, Bandung",
		OnlineURL:   "https://meet.example.org/abc?x=1,2;y",
	}
}

func parseICS(t *testing.T, data []byte) *ics.Calendar {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("ParseCalendar: %v\n%s", err, data)
	}
	return cal
}

func icsProp(c *ics.ComponentBase, p ics.ComponentProperty) *ics.IANAProperty {
	return c.GetProperty(p)
}

func TestICS(t *testing.T) {
	w := icsWorkshop()
	now := time.Date(2025, 11, 1, 8, 0, 0, 0, time.UTC)
	data := flows.ICS(w, flows.Invitation{Now: now, Attendee: 100003, Forum: "Forum CSR Kesejahteraan Sosial", Bot: "sinergi_bot"})
	s := string(data)

	// RFC 5545 framing: CRLF everywhere, lines of at most 75 octets.
	if strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\n") || !strings.HasSuffix(s, "END:VCALENDAR\r\n") {
		t.Errorf("not CRLF-terminated:\n%q", s)
	}
	for _, line := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line longer than 75 octets: %q", line)
		}
	}
	for _, want := range []string{
		"METHOD:PUBLISH\r\n", "PRODID:-//Sinergi//Workshop//EN\r\n", "VERSION:2.0\r\n",
		"DTSTART;TZID=Asia/Jakarta:20251110T090000\r\n", "DTEND;TZID=Asia/Jakarta:20251110T123000\r\n",
		"DTSTAMP:20251101T080000Z\r\n", "SEQUENCE:0\r\n",
		"ORGANIZER;CN=Forum CSR Kesejahteraan Sosial:https://t.me/sinergi_bot\r\n",
		"BEGIN:VTIMEZONE\r\nTZID:Asia/Jakarta\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n" +
			"TZOFFSETFROM:+0700\r\nTZOFFSETTO:+0700\r\nTZNAME:WIB\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in\n%s", want, s)
		}
	}
	if strings.Index(s, "BEGIN:VTIMEZONE") > strings.Index(s, "BEGIN:VEVENT") {
		t.Error("VTIMEZONE should precede the VEVENT")
	}

	cal := parseICS(t, data)
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events", len(events))
	}
	ev := events[0]
	// The UID: per workshop and registrant, stable across versions,
	// globally unique, without the Telegram id in clear (#23).
	uid := ev.Id()
	if !strings.HasPrefix(uid, "ab12-") || !strings.HasSuffix(uid, "@sinergi_bot.t.me") || strings.Contains(uid, "100003") {
		t.Errorf("UID %q", uid)
	}
	other := parseICS(t, flows.ICS(w, flows.Invitation{Now: now, Attendee: 100004, Bot: "sinergi_bot"})).Events()[0].Id()
	moved := *w
	moved.Start, moved.Sequence = moved.Start.Add(time.Hour), 1
	again := parseICS(t, flows.ICS(&moved, flows.Invitation{Now: now.Add(time.Hour), Attendee: 100003, Bot: "sinergi_bot"}))
	if other == uid || again.Events()[0].Id() != uid || !strings.Contains(again.Serialize(), "SEQUENCE:1") {
		t.Errorf("UIDs: %q, another registrant %q, after a change %q (%s)", uid, other, again.Events()[0].Id(), again.Serialize())
	}
	start, err := ev.GetStartAt()
	if err != nil || !start.Equal(w.Start) || start.Location().String() != "Asia/Jakarta" {
		t.Errorf("DTSTART %v (%v), %v; want %v", start, start.Location(), err, w.Start)
	}
	if p := icsProp(&ev.ComponentBase, ics.ComponentPropertyDtStart); p == nil || !slices.Equal(p.ICalParameters["TZID"], []string{"Asia/Jakarta"}) {
		t.Errorf("DTSTART TZID: %+v", p)
	}
	end, err := ev.GetEndAt()
	if err != nil || !end.Equal(w.End) {
		t.Errorf("DTEND %v, %v; want %v", end, err, w.End)
	}
	stamp, err := ev.GetDtStampTime()
	if err != nil || !stamp.Equal(now) {
		t.Errorf("DTSTAMP %v, %v", stamp, err)
	}
	if got := icsProp(&ev.ComponentBase, ics.ComponentPropertySummary).Value; got != w.Title {
		t.Errorf("SUMMARY %q, want %q", got, w.Title)
	}
	wantDesc := "Bawa laptop; charger, dan semangat.\nSampai jumpa! " + strings.Repeat("Café 漢字 ☕, ", 12) + "\n" + w.OnlineURL
	if got := icsProp(&ev.ComponentBase, ics.ComponentPropertyDescription).Value; got != wantDesc {
		t.Errorf("DESCRIPTION %q, want %q", got, wantDesc)
	}
	if got := icsProp(&ev.ComponentBase, ics.ComponentPropertyLocation).Value; got != w.Venue {
		t.Errorf("LOCATION %q, want %q", got, w.Venue)
	}
	if got := icsProp(&ev.ComponentBase, ics.ComponentPropertyUrl).Value; got != w.OnlineURL {
		t.Errorf("URL %q, want %q", got, w.OnlineURL)
	}

	alarms := ev.Alarms()
	if len(alarms) != 1 {
		t.Fatalf("%d alarms", len(alarms))
	}
	a := &alarms[0].ComponentBase
	if p := icsProp(a, ics.ComponentPropertyAction); p == nil || p.Value != "DISPLAY" {
		t.Errorf("ACTION %+v", p)
	}
	if p := icsProp(a, ics.ComponentPropertyTrigger); p == nil || p.Value != "-PT1H" {
		t.Errorf("TRIGGER %+v", p)
	}
	if p := icsProp(a, ics.ComponentPropertyDescription); p == nil || p.Value != w.Title {
		t.Errorf("alarm DESCRIPTION %+v", p)
	}

	tzs := cal.Timezones()
	if len(tzs) != 1 || len(tzs[0].Components) != 1 {
		t.Fatalf("timezones: %+v", tzs)
	}
}

func TestICSZones(t *testing.T) {
	for zone, want := range map[string]string{
		"Asia/Makassar": "DTSTART;TZID=Asia/Makassar:20251110T100000\r\n",
		"Asia/Jayapura": "DTSTART;TZID=Asia/Jayapura:20251110T110000\r\n",
		"Europe/Paris":  "DTSTART:20251110T020000Z\r\n", // not offered: plain UTC
		"":              "DTSTART:20251110T020000Z\r\n",
	} {
		w := icsWorkshop()
		w.Zone = zone
		s := string(flows.ICS(w, flows.Invitation{Now: time.Now()}))
		if !strings.Contains(s, want) {
			t.Errorf("%q: missing %q in\n%s", zone, want, s)
		}
		if label, ok := flows.ZoneLabels[zone]; ok {
			if !strings.Contains(s, "TZNAME:"+label+"\r\n") {
				t.Errorf("%q: no TZNAME %s", zone, label)
			}
		} else if strings.Contains(s, "VTIMEZONE") || strings.Contains(s, "TZID") {
			t.Errorf("%q: unexpected time zone in\n%s", zone, s)
		}
		ev := parseICS(t, []byte(s)).Events()[0]
		if start, err := ev.GetStartAt(); err != nil || !start.Equal(w.Start) {
			t.Errorf("%q: DTSTART %v, %v", zone, start, err)
		}
	}
}

func TestICSMinimal(t *testing.T) {
	// Online only, no description, no end, control characters in the title.
	w := &flows.Workshop{
		Code: "x1", Title: "Kelas\x00 daring\x1b", Zone: "Asia/Jakarta",
		Start:     time.Date(2026, 1, 5, 3, 0, 0, 0, time.UTC),
		OnlineURL: "https://zoom.example/j/1",
	}
	s := string(flows.ICS(w, flows.Invitation{Now: time.Now()}))
	ev := parseICS(t, []byte(s)).Events()[0]
	if got := icsProp(&ev.ComponentBase, ics.ComponentPropertySummary).Value; got != "Kelas daring" {
		t.Errorf("SUMMARY %q", got)
	}
	if got := icsProp(&ev.ComponentBase, ics.ComponentPropertyLocation).Value; got != w.OnlineURL {
		t.Errorf("LOCATION %q, want the link", got)
	}
	if got := icsProp(&ev.ComponentBase, ics.ComponentPropertyDescription).Value; got != w.OnlineURL {
		t.Errorf("DESCRIPTION %q, want the link", got)
	}
	if strings.Contains(s, "DTEND") {
		t.Error("DTEND without an end")
	}

	// Neither venue nor link; a link that is not a URL is not a URI value.
	w = &flows.Workshop{Code: "x2", Title: "T", Zone: "Asia/Jakarta", Start: w.Start, OnlineURL: "lihat grup WA\r\nBEGIN:VEVENT"}
	s = string(flows.ICS(w, flows.Invitation{Now: time.Now()}))
	if strings.Contains(s, "\nURL") || strings.Count(s, "\r\nBEGIN:VEVENT\r\n") != 1 {
		t.Errorf("bad link leaked:\n%s", s)
	}
	parseICS(t, []byte(s))
}

func TestQRPNG(t *testing.T) {
	data, err := flows.QRPNG("https://t.me/SinergiBot?start=checkin_0123456789abcdef0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	if ct := http.DetectContentType(data); ct != "image/png" {
		t.Errorf("content type %q", ct)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Errorf("size %v", b)
	}
	// Decoding the payload would need a QR reader library; not done here.

	if _, err := flows.QRPNG(""); err == nil {
		t.Error("empty content accepted")
	}
	if _, err := flows.QRPNG(strings.Repeat("x", 5000)); err == nil {
		t.Error("oversized content accepted")
	}
}

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
