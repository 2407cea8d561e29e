package ics_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	ical "github.com/arran4/golang-ical"

	"sinergi/bot/ics"
	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// icsFile is the calendar file of w for inv.
func icsFile(w *flows.Workshop, inv flows.Invitation) []byte {
	inv.Workshop = *w
	return ics.File(&inv)
}

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

func parseICS(t *testing.T, data []byte) *ical.Calendar {
	t.Helper()
	cal, err := ical.ParseCalendar(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("ParseCalendar: %v\n%s", err, data)
	}
	return cal
}

func icsProp(c *ical.ComponentBase, p ical.ComponentProperty) *ical.IANAProperty {
	return c.GetProperty(p)
}

func TestICS(t *testing.T) {
	w := icsWorkshop()
	now := time.Date(2025, 11, 1, 8, 0, 0, 0, time.UTC)
	data := icsFile(w, flows.Invitation{Now: now, Attendee: 100003, Forum: "Forum CSR Kesejahteraan Sosial", Bot: "sinergi_bot"})
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
	other := parseICS(t, icsFile(w, flows.Invitation{Now: now, Attendee: 100004, Bot: "sinergi_bot"})).Events()[0].Id()
	moved := *w
	moved.Start, moved.Sequence = moved.Start.Add(time.Hour), 1
	again := parseICS(t, icsFile(&moved, flows.Invitation{Now: now.Add(time.Hour), Attendee: 100003, Bot: "sinergi_bot"}))
	if other == uid || again.Events()[0].Id() != uid || !strings.Contains(again.Serialize(), "SEQUENCE:1") {
		t.Errorf("UIDs: %q, another registrant %q, after a change %q (%s)", uid, other, again.Events()[0].Id(), again.Serialize())
	}
	start, err := ev.GetStartAt()
	if err != nil || !start.Equal(w.Start) || start.Location().String() != "Asia/Jakarta" {
		t.Errorf("DTSTART %v (%v), %v; want %v", start, start.Location(), err, w.Start)
	}
	if p := icsProp(&ev.ComponentBase, ical.ComponentPropertyDtStart); p == nil || !slices.Equal(p.ICalParameters["TZID"], []string{"Asia/Jakarta"}) {
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
	if got := icsProp(&ev.ComponentBase, ical.ComponentPropertySummary).Value; got != w.Title {
		t.Errorf("SUMMARY %q, want %q", got, w.Title)
	}
	wantDesc := "Bawa laptop; charger, dan semangat.\nSampai jumpa! " + strings.Repeat("Café 漢字 ☕, ", 12) + "\n" + w.OnlineURL
	if got := icsProp(&ev.ComponentBase, ical.ComponentPropertyDescription).Value; got != wantDesc {
		t.Errorf("DESCRIPTION %q, want %q", got, wantDesc)
	}
	if got := icsProp(&ev.ComponentBase, ical.ComponentPropertyLocation).Value; got != w.Venue {
		t.Errorf("LOCATION %q, want %q", got, w.Venue)
	}
	if got := icsProp(&ev.ComponentBase, ical.ComponentPropertyUrl).Value; got != w.OnlineURL {
		t.Errorf("URL %q, want %q", got, w.OnlineURL)
	}

	alarms := ev.Alarms()
	if len(alarms) != 1 {
		t.Fatalf("%d alarms", len(alarms))
	}
	a := &alarms[0].ComponentBase
	if p := icsProp(a, ical.ComponentPropertyAction); p == nil || p.Value != "DISPLAY" {
		t.Errorf("ACTION %+v", p)
	}
	if p := icsProp(a, ical.ComponentPropertyTrigger); p == nil || p.Value != "-PT1H" {
		t.Errorf("TRIGGER %+v", p)
	}
	if p := icsProp(a, ical.ComponentPropertyDescription); p == nil || p.Value != w.Title {
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
		s := string(icsFile(w, flows.Invitation{Now: time.Now()}))
		if !strings.Contains(s, want) {
			t.Errorf("%q: missing %q in\n%s", zone, want, s)
		}
		if _, ok := flows.ZoneOffset(zone); ok {
			if label := flows.ZoneLabel(zone); !strings.Contains(s, "TZNAME:"+label+"\r\n") {
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
	s := string(icsFile(w, flows.Invitation{Now: time.Now()}))
	ev := parseICS(t, []byte(s)).Events()[0]
	if got := icsProp(&ev.ComponentBase, ical.ComponentPropertySummary).Value; got != "Kelas daring" {
		t.Errorf("SUMMARY %q", got)
	}
	if got := icsProp(&ev.ComponentBase, ical.ComponentPropertyLocation).Value; got != w.OnlineURL {
		t.Errorf("LOCATION %q, want the link", got)
	}
	if got := icsProp(&ev.ComponentBase, ical.ComponentPropertyDescription).Value; got != w.OnlineURL {
		t.Errorf("DESCRIPTION %q, want the link", got)
	}
	if strings.Contains(s, "DTEND") {
		t.Error("DTEND without an end")
	}

	// Neither venue nor link; a link that is not a URL is not a URI value.
	w = &flows.Workshop{Code: "x2", Title: "T", Zone: "Asia/Jakarta", Start: w.Start, OnlineURL: "lihat grup WA\r\nBEGIN:VEVENT"}
	s = string(icsFile(w, flows.Invitation{Now: time.Now()}))
	if strings.Contains(s, "\nURL") || strings.Count(s, "\r\nBEGIN:VEVENT\r\n") != 1 {
		t.Errorf("bad link leaked:\n%s", s)
	}
	parseICS(t, []byte(s))
}

// Text stored before the input was cleaned (see flows TestInvisibleAndControlCharacters)
// still leaves the file clean.
func TestICSCleansStoredText(t *testing.T) {
	w := icsWorkshop()
	w.Title, w.Venue = "Old \u202etitle\x1b[2J", "\u200bVenue\x00"
	s := string(icsFile(w, flows.Invitation{Now: time.Now()}))
	if r, bad := flowstest.HiddenRune(s, "\r\n"); bad {
		t.Errorf(".ics keeps %U", r)
	}
	ev := parseICS(t, []byte(s)).Events()[0]
	if got := ev.GetProperty(ical.ComponentPropertySummary).Value; got != "Old title" {
		t.Errorf("SUMMARY %q", got)
	}
}

// FuzzICS: whatever a facilitator types as title, description, venue and
// link, the calendar file parses back with golang-ical and the title,
// description and location round-trip (after icsText's clean-up).
func FuzzICS(f *testing.F) {
	for _, s := range [][4]string{
		{"Lokakarya", "", "Hotel", ""},
		{`Pelatihan, "Data"; hari 1` + "\nsesi", "a\\b;c,d\r\ne", "Jl. Diponegoro No.22, Bandung", "https://meet.example.org/a?x=1,2;y"},
		{"", "", "", ""},
		{"\\", "\\n", ";", "javascript:alert(1)"},
		{strings.Repeat("漢", 60), strings.Repeat("Café ☕ ", 150), strings.Repeat("é", 200), "https://" + strings.Repeat("a", 400) + ".org"},
		{"END:VEVENT\r\nBEGIN:VEVENT", "BEGIN:VCALENDAR", "\x00\x01\x1b", "https://x.org/\r\nX:1"},
		{"\u202eevil\u202c", "\xff\xfe", " ", "http://h/ a"},
		{"a:b", "DESCRIPTION:x", "LOCATION;X=1:y", "https://h/\"x\""},
		{"\x1b[31mMerah\x1b[0m", "\u200b\u200b", "\u2066Hotel\u2069\ufeff", "\u009b2J"},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, title, desc, venue, link string) {
		w := &flows.Workshop{Code: "ab12cd", Title: title, Description: desc, Venue: venue, OnlineURL: link, Zone: "Asia/Jakarta",
			Start: time.Date(2026, 12, 10, 2, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 10, 5, 0, 0, 0, time.UTC)}
		data := icsFile(w, flows.Invitation{Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Attendee: 1, Forum: title, Bot: "sinergi_bot"})
		if r, bad := flowstest.HiddenRune(string(data), "\r\n"); bad {
			t.Fatalf("the file keeps %U\n%q", r, data)
		}
		cal, err := ical.ParseCalendar(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("ParseCalendar: %v\n%q", err, data)
		}
		evs := cal.Events()
		if len(evs) != 1 {
			t.Fatalf("%d events in\n%q", len(evs), data)
		}
		ev := &evs[0].ComponentBase
		value := func(p ical.ComponentProperty) string {
			if v := ev.GetProperty(p); v != nil {
				return v.Value
			}
			return ""
		}
		wantTitle := ics.Text(title)
		if wantTitle == "" {
			wantTitle = w.Code
		}
		if got := value(ical.ComponentPropertySummary); got != wantTitle {
			t.Fatalf("SUMMARY %q, want %q\n%q", got, wantTitle, data)
		}
		wantDesc := ics.Text(desc)
		if l := ics.Text(link); l != "" && wantDesc != "" {
			wantDesc += "\n" + l
		} else if l != "" {
			wantDesc = l
		}
		if got := value(ical.ComponentPropertyDescription); got != wantDesc {
			t.Fatalf("DESCRIPTION %q, want %q\n%q", got, wantDesc, data)
		}
		wantLoc := ics.Text(venue)
		if wantLoc == "" {
			wantLoc = ics.Text(link)
		}
		if got := value(ical.ComponentPropertyLocation); got != wantLoc {
			t.Fatalf("LOCATION %q, want %q\n%q", got, wantLoc, data)
		}
		if u := value(ical.ComponentPropertyUrl); u != "" && u != ics.URI(link) {
			t.Fatalf("URL %q from link %q", u, link)
		}
	})
}
