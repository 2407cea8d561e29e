package flows_test

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the host's zone database

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// dtTexts is a Texts that knows only day.N and month.N, so that the date
// tests do not depend on the locale files.
type dtTexts struct{}

func (dtTexts) Text(lang, id string, _ map[string]any, _ any) (string, error) {
	days := map[string][]string{
		"id": {"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"},
		"en": {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
	}
	months := map[string][]string{
		"id": {"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"},
		"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	}
	if n, ok := strings.CutPrefix(id, "day."); ok {
		if i, err := strconv.Atoi(n); err == nil && i >= 0 && i < 7 && days[lang] != nil {
			return days[lang][i], nil
		}
	}
	if n, ok := strings.CutPrefix(id, "month."); ok {
		if i, err := strconv.Atoi(n); err == nil && i >= 1 && i <= 12 && months[lang] != nil {
			return months[lang][i-1], nil
		}
	}
	return "", errors.New("no message " + id)
}

// dtFailTexts renders nothing.
type dtFailTexts struct{}

func (dtFailTexts) Text(_, id string, _ map[string]any, _ any) (string, error) {
	return "", errors.New("no message " + id)
}

func wib(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseDateTimeAccepts(t *testing.T) {
	loc := wib(t)
	nov10 := time.Date(2025, 11, 10, 9, 0, 0, 0, loc)
	aug10 := time.Date(2026, 8, 10, 14, 30, 0, 0, loc)
	cases := []struct {
		in   string
		want time.Time
	}{
		{"10/11/2025 09:00", nov10},
		{"10-11-2025 9.00", nov10},
		{"10.11.2025 09:00", nov10},
		{"2025-11-10 09:00", nov10},
		{"2025-11-10T09:00", nov10},
		{"2025/11/10 09.00", nov10},
		{"10 Nov 2025 9.00", nov10},
		{"10 November 2025 09:00", nov10},
		{"10 Nop 2025 9:00", nov10},
		{"10 NOPEMBER 2025 9:00", nov10},
		{"10 nov. 2025 9:00", nov10},
		{"10-Nov-2025 09:00", nov10},
		{"Senin, 10 November 2025 pukul 09.00", nov10},
		{"senin 10 november 2025 jam 9.00 WIB", nov10},
		{"Sen, 10 Nov 2025 pkl. 09.00", nov10},
		{"hari Senin tanggal 10 November 2025 pukul 09.00", nov10},
		{"Monday 10 November 2025 at 9:00", nov10},
		{"Monday, November 10, 2025 9:00 am", nov10},
		{"Mon 10 Nov 2025 @ 09:00", nov10},
		{"  10/11/2025   09:00  ", nov10},
		{"10/11/2025, 09:00", nov10},
		{"10 Agustus 2026 14.30 WIB", aug10},
		{"10 Agu 2026 14.30 WITA", aug10},
		{"10 Agt 2026 2:30 pm", aug10},
		{"10 agus 2026 14:30 wit", aug10},
		{"10 August 2026 14:30", aug10},
		{"Senin, 10 Agustus 2026 14.30 WIB", aug10},
		{"1/2/2026 0:00", time.Date(2026, 2, 1, 0, 0, 0, 0, loc)},
		{"29/02/2028 23:59", time.Date(2028, 2, 29, 23, 59, 0, 0, loc)},
		{"31 Des 2099 12:00 am", time.Date(2099, 12, 31, 0, 0, 0, 0, loc)},
		{"Jum'at, 6 Maret 2026 13.00", time.Date(2026, 3, 6, 13, 0, 0, 0, loc)},
		{"jumat 6 mar 2026 13.00", time.Date(2026, 3, 6, 13, 0, 0, 0, loc)},
		{"1 Januari 2000 00.00", time.Date(2000, 1, 1, 0, 0, 0, 0, loc)},
		{"31 desember 2100 23.59", time.Date(2100, 12, 31, 23, 59, 0, 0, loc)},
		{"5 Mei 2026 8.15", time.Date(2026, 5, 5, 8, 15, 0, 0, loc)},
		{"5 May 2026 8:15", time.Date(2026, 5, 5, 8, 15, 0, 0, loc)},
		{"15 Okt 2026 10.00", time.Date(2026, 10, 15, 10, 0, 0, 0, loc)},
		{"15 Oct 2026 10.00", time.Date(2026, 10, 15, 10, 0, 0, 0, loc)},
		{"15 Des 2026 10.00", time.Date(2026, 12, 15, 10, 0, 0, 0, loc)},
		{"15 Dec 2026 10.00", time.Date(2026, 12, 15, 10, 0, 0, 0, loc)},
		{"15 Pebruari 2026 10.00", time.Date(2026, 2, 15, 10, 0, 0, 0, loc)},
		{"15 Sept 2026 10.00", time.Date(2026, 9, 15, 10, 0, 0, 0, loc)},
	}
	for _, c := range cases {
		got, err := flows.ParseDateTime(c.in, loc)
		if err != nil {
			t.Errorf("ParseDateTime(%q): %v", c.in, err)
			continue
		}
		if !got.Equal(c.want) {
			t.Errorf("ParseDateTime(%q) = %v, want %v", c.in, got, c.want)
		}
		if got.Location() != loc {
			t.Errorf("ParseDateTime(%q) in %v, want %v", c.in, got.Location(), loc)
		}
	}
}

func TestParseDateTimeRejects(t *testing.T) {
	loc := wib(t)
	cases := []struct {
		in   string
		want error
	}{
		{"", flows.ErrDateFormat},
		{"   ", flows.ErrDateFormat},
		{"besok", flows.ErrDateFormat},
		{"besok jam 9", flows.ErrDateFormat},
		{"10/11/25 09:00", flows.ErrDateFormat},
		{"10 Nov 25 09:00", flows.ErrDateFormat},
		{"10/11/202 09:00", flows.ErrDateFormat},
		{"10/11/20255 09:00", flows.ErrDateFormat},
		{"31/02/2026 10:00", flows.ErrDateInvalid},
		{"29/02/2026 10:00", flows.ErrDateInvalid},
		{"31/04/2026 10:00", flows.ErrDateInvalid},
		{"0/11/2026 10:00", flows.ErrDateInvalid},
		{"10/13/2026 10:00", flows.ErrDateInvalid},
		{"10/0/2026 10:00", flows.ErrDateInvalid},
		{"2026-11-10", flows.ErrDateFormat},
		{"10 November 2026", flows.ErrDateFormat},
		{"Senin, 10 November 2025", flows.ErrDateFormat},
		{"25:00", flows.ErrDateFormat},
		{"09:00", flows.ErrDateFormat},
		{"10/11/2026 24:00", flows.ErrDateInvalid},
		{"10/11/2026 23:60", flows.ErrDateInvalid},
		{"10/11/2026 24:61", flows.ErrDateInvalid},
		{"10/11/2026 13:00 pm", flows.ErrDateInvalid},
		{"10/11/2026 0:00 am", flows.ErrDateInvalid},
		{"99 Foo 2026 10:00", flows.ErrDateFormat},
		{"10 Foo 2026 10:00", flows.ErrDateFormat},
		{"10/11/1999 10:00", flows.ErrDateInvalid},
		{"10/11/2101 10:00", flows.ErrDateInvalid},
		{"10/11-2026 10:00", flows.ErrDateFormat},
		{"10 11 2026 10:00", flows.ErrDateFormat},
		{"10/11/2026 9", flows.ErrDateFormat},
		{"10/11/2026 9:0", flows.ErrDateFormat},
		{"10/11/2026 9:000", flows.ErrDateFormat},
		{"10/11/2026 9:00:00", flows.ErrDateFormat},
		{"10/11/2026 09:00 UTC", flows.ErrDateFormat},
		{"10/11/2026 09:00 WIB besok", flows.ErrDateFormat},
		{"10/11/2026 09:00+07:00", flows.ErrDateFormat},
		{"10/11/2026 jam", flows.ErrDateFormat},
		{"2026-11-10T09:00Z", flows.ErrDateFormat},
		{"Selasa, 10 November 2025 09.00", flows.ErrDateInvalid}, // 10 November 2025 is a Monday
		{"10/11/2026 ０９:00", flows.ErrDateFormat},                // full-width digits
		{"10/11/2026 09:00 ☺", flows.ErrDateFormat},
		{"10/11/2026 \xff09:00", flows.ErrDateFormat},
		{"10/11/2026 " + strings.Repeat(" ", 90) + "09:00", flows.ErrDateFormat}, // > 100 bytes
	}
	for _, c := range cases {
		got, err := flows.ParseDateTime(c.in, loc)
		if !errors.Is(err, c.want) {
			t.Errorf("ParseDateTime(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
		if err != nil && !got.IsZero() {
			t.Errorf("ParseDateTime(%q) returned %v with error", c.in, got)
		}
	}
}

func TestParseDateTimeUsesLocation(t *testing.T) {
	a, err := flows.ParseDateTime("10/11/2025 09:00", flows.LoadZone("Asia/Jakarta"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := flows.ParseDateTime("10/11/2025 09:00 WIB", flows.LoadZone("Asia/Jayapura")) // the label is ignored
	if err != nil {
		t.Fatal(err)
	}
	if d := a.Sub(b); d != 2*time.Hour {
		t.Errorf("WIB - WIT = %v, want 2h", d)
	}
	u, err := flows.ParseDateTime("10/11/2025 09:00", nil)
	if err != nil || !u.Equal(time.Date(2025, 11, 10, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("nil location: %v, %v", u, err)
	}
}

func TestParseDateTimeDaylightGap(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip(err)
	}
	if _, err := flows.ParseDateTime("8/3/2026 02:30", ny); !errors.Is(err, flows.ErrDateInvalid) {
		t.Errorf("time in DST gap: %v, want ErrDateInvalid", err)
	}
	if _, err := flows.ParseDateTime("8/3/2026 03:30", ny); err != nil {
		t.Errorf("time after DST gap: %v", err)
	}
}

func TestParseClockOn(t *testing.T) {
	loc := flows.LoadZone("Asia/Makassar")
	// 23:30 UTC on 9 November is already 10 November in WITA.
	day := time.Date(2025, 11, 9, 23, 30, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Time
		err  error
	}{
		{"12:00", time.Date(2025, 11, 10, 12, 0, 0, 0, loc), nil},
		{"17.30", time.Date(2025, 11, 10, 17, 30, 0, 0, loc), nil},
		{"pukul 17.00", time.Date(2025, 11, 10, 17, 0, 0, 0, loc), nil},
		{"jam 7.05 WITA", time.Date(2025, 11, 10, 7, 5, 0, 0, loc), nil},
		{"at 5:00 pm", time.Date(2025, 11, 10, 17, 0, 0, 0, loc), nil},
		{"0:00", time.Date(2025, 11, 10, 0, 0, 0, 0, loc), nil},
		{"11/11/2025 08:00", time.Date(2025, 11, 11, 8, 0, 0, 0, loc), nil},
		{"Selasa, 11 November 2025 pukul 08.00", time.Date(2025, 11, 11, 8, 0, 0, 0, loc), nil},
		{"25:00", time.Time{}, flows.ErrDateInvalid},
		{"12:60", time.Time{}, flows.ErrDateInvalid},
		{"31/02/2026 10:00", time.Time{}, flows.ErrDateInvalid},
		{"", time.Time{}, flows.ErrDateFormat},
		{"besok", time.Time{}, flows.ErrDateFormat},
		{"12", time.Time{}, flows.ErrDateFormat},
		{"12:00 13:00", time.Time{}, flows.ErrDateFormat},
		{"11/11/2025", time.Time{}, flows.ErrDateFormat},
		{strings.Repeat(" ", 101) + "12:00", time.Time{}, flows.ErrDateFormat},
	}
	for _, c := range cases {
		got, err := flows.ParseClockOn(c.in, loc, day)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("ParseClockOn(%q) = %v, %v; want %v", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ParseClockOn(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func TestFormatDateTime(t *testing.T) {
	at := time.Date(2025, 11, 10, 2, 0, 0, 0, time.UTC) // 09:00 WIB, a Monday
	cases := []struct {
		texts      flows.Texts
		lang, zone string
		want       string
	}{
		{dtTexts{}, "id", "Asia/Jakarta", "Senin, 10 November 2025 09.00 WIB"},
		{dtTexts{}, "en", "Asia/Jakarta", "Monday, 10 November 2025 09:00 WIB"},
		{dtTexts{}, "id", "Asia/Makassar", "Senin, 10 November 2025 10.00 WITA"},
		{dtTexts{}, "en", "Asia/Jayapura", "Monday, 10 November 2025 11:00 WIT"},
		{dtTexts{}, "id", "UTC", "Senin, 10 November 2025 02.00 UTC"},
		{dtFailTexts{}, "id", "Asia/Jakarta", "Senin, 10 November 2025 09.00 WIB"},
		{dtFailTexts{}, "en", "Asia/Jakarta", "Monday, 10 November 2025 09:00 WIB"},
		{nil, "id", "Asia/Jakarta", "Senin, 10 November 2025 09.00 WIB"},
	}
	for _, c := range cases {
		if got := flows.FormatDateTime(c.texts, c.lang, at, c.zone); got != c.want {
			t.Errorf("FormatDateTime(%s, %s) = %q, want %q", c.lang, c.zone, got, c.want)
		}
	}
	// Late evening UTC is the next day in WIT.
	late := time.Date(2026, 8, 16, 20, 5, 0, 0, time.UTC)
	if got, want := flows.FormatDate(dtTexts{}, "id", late, "Asia/Jayapura"), "Senin, 17 Agustus 2026"; got != want {
		t.Errorf("FormatDate = %q, want %q", got, want)
	}
	if got, want := flows.FormatDate(dtTexts{}, "en", late, "Asia/Jakarta"), "Monday, 17 August 2026"; got != want {
		t.Errorf("FormatDate = %q, want %q", got, want)
	}
	if got, want := flows.FormatDate(dtTexts{}, "id", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "Asia/Jakarta"), "Minggu, 1 Maret 2026"; got != want {
		t.Errorf("FormatDate = %q, want %q", got, want)
	}
	if got, want := flows.FormatClock("id", late, "Asia/Jayapura"), "05.05 WIT"; got != want {
		t.Errorf("FormatClock = %q, want %q", got, want)
	}
	if got, want := flows.FormatClock("en", late, "Asia/Makassar"), "04:05 WITA"; got != want {
		t.Errorf("FormatClock = %q, want %q", got, want)
	}
}

// What Sinergi prints, Sinergi reads back.
func TestFormatDateTimeParsesBack(t *testing.T) {
	for _, zone := range flows.Zones() {
		loc := flows.LoadZone(zone)
		for _, lang := range []string{"id", "en"} {
			for d := range 14 {
				at := time.Date(2026, 1, 1+d*29, d, d*4, 0, 0, time.UTC)
				s := flows.FormatDateTime(dtTexts{}, lang, at, zone)
				got, err := flows.ParseDateTime(s, loc)
				if err != nil || !got.Equal(at) {
					t.Errorf("ParseDateTime(%q) = %v, %v; want %v", s, got, err, at)
				}
			}
		}
	}
}

func TestZoneLabel(t *testing.T) {
	cases := map[string]string{
		"Asia/Jakarta":  "WIB",
		"Asia/Makassar": "WITA",
		"Asia/Jayapura": "WIT",
		"UTC":           "UTC",
		"Not/AZone":     "Not/AZone",
	}
	for zone, want := range cases {
		if got := flows.ZoneLabel(zone); got != want {
			t.Errorf("ZoneLabel(%q) = %q, want %q", zone, got, want)
		}
	}
	if got := flows.ZoneLabel("Asia/Tokyo"); got != "JST" {
		t.Errorf("ZoneLabel(Asia/Tokyo) = %q, want JST", got)
	}
}

func TestZones(t *testing.T) {
	want := []string{"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"}
	z := flows.Zones()
	if !slices.Equal(z, want) {
		t.Fatalf("Zones() = %v, want %v", z, want)
	}
	z[0] = "changed"
	if flows.Zones()[0] != "Asia/Jakarta" {
		t.Error("Zones() shares its slice")
	}
	for _, zone := range want {
		if _, ok := flows.ZoneLabels[zone]; !ok {
			t.Errorf("%s has no label", zone)
		}
	}
}

func TestLoadZone(t *testing.T) {
	for zone, hours := range map[string]int{"Asia/Jakarta": 7, "Asia/Makassar": 8, "Asia/Jayapura": 9} {
		loc := flows.LoadZone(zone)
		if loc.String() != zone {
			t.Errorf("LoadZone(%q) = %v", zone, loc)
		}
		if _, off := time.Date(2026, 1, 1, 0, 0, 0, 0, loc).Zone(); off != hours*3600 {
			t.Errorf("%s offset %d", zone, off)
		}
	}
	if flows.LoadZone("Not/AZone") != time.UTC || flows.LoadZone("") != time.UTC {
		t.Error("unknown zone is not UTC")
	}

	// Without a zone database the three zones still have the right offset.
	missing := func(string) (*time.Location, error) { return nil, errors.New("no tzdata") }
	for zone, hours := range map[string]int{"Asia/Jakarta": 7, "Asia/Makassar": 8, "Asia/Jayapura": 9} {
		loc := flows.LoadZoneWith(zone, missing)
		name, off := time.Date(2026, 1, 1, 0, 0, 0, 0, loc).Zone()
		if off != hours*3600 || name != flows.ZoneLabels[zone] {
			t.Errorf("fallback %s = %s %d", zone, name, off)
		}
		at := time.Date(2025, 11, 10, 2, 0, 0, 0, time.UTC)
		if got, want := at.In(loc).Format("15:04 MST"), at.In(flows.LoadZone(zone)).Format("15:04 ")+flows.ZoneLabels[zone]; got != want {
			t.Errorf("fallback %s renders %q, want %q", zone, got, want)
		}
	}
	if flows.LoadZoneWith("Europe/Paris", missing) != time.UTC {
		t.Error("fallback of an unknown zone is not UTC")
	}
}

func FuzzParseDateTime(f *testing.F) {
	for _, s := range []string{
		"10/11/2025 09:00", "10-11-2025 9.00", "10.11.2025 09:00", "2025-11-10 09:00",
		"2025-11-10T09:00", "10 Nov 2025 9.00", "10 November 2025 09:00", "10 Nop 2025 9:00",
		"Senin, 10 November 2025 pukul 09.00", "Monday 10 November 2025 at 9:00",
		"10 Agustus 2026 14.30 WIB", "Jum'at 6 Maret 2026 1:00 pm", "31/02/2026 10:00",
		"", "besok", "10/11/25 09:00", "25:00", "12:00", "pukul 17.00", "99 Foo 2026 10:00",
	} {
		f.Add(s)
	}
	loc := flows.LoadZone("Asia/Jakarta")
	day := time.Date(2026, 5, 5, 5, 5, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := flows.ParseClockOn(s, loc, day); err != nil && !errors.Is(err, flows.ErrDateFormat) && !errors.Is(err, flows.ErrDateInvalid) {
			t.Fatalf("ParseClockOn(%q): unexpected error %v", s, err)
		}
		got, err := flows.ParseDateTime(s, loc)
		if err != nil {
			if !errors.Is(err, flows.ErrDateFormat) && !errors.Is(err, flows.ErrDateInvalid) {
				t.Fatalf("ParseDateTime(%q): unexpected error %v", s, err)
			}
			return
		}
		if got.Year() < 2000 || got.Year() > 2100 || got.Second() != 0 || got.Nanosecond() != 0 {
			t.Fatalf("ParseDateTime(%q) = %v out of range", s, got)
		}
		numeric := got.In(loc).Format("02/01/2006 15:04")
		again, err := flows.ParseDateTime(numeric, loc)
		if err != nil || !again.Equal(got) {
			t.Fatalf("ParseDateTime(%q) = %v; its rendering %q parses to %v, %v", s, got, numeric, again, err)
		}
		for _, lang := range []string{"id", "en"} {
			human := flows.FormatDateTime(dtTexts{}, lang, got, "Asia/Jakarta")
			again, err := flows.ParseDateTime(human, loc)
			if err != nil || !again.Equal(got) {
				t.Fatalf("ParseDateTime(%q) = %v; its rendering %q parses to %v, %v", s, got, human, again, err)
			}
		}
	})
}

// The example dates in questions are computed from now: in the future, day
// first with the month in words, and read back by the parser in both
// languages (the bug: "e.g. 10/11/2026 09:00" asked on 30 November 2026).
func TestDateExamplesAreFutureAndUnambiguous(t *testing.T) {
	h := newHarness(t)
	texts := h.Texts
	h.Now = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	h.Text(flowstest.AdminID, "/newworkshop")
	res := h.Text(flowstest.AdminID, "Lokakarya contoh")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.skip_desc"))
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.zone.WIT"))
	ask := res.Replies[len(res.Replies)-1].Text
	refusal := h.Text(flowstest.AdminID, "besok pagi").Replies[0].Text
	for _, m := range []flows.Text{ask, refusal} {
		ex, ok := m.Data["Example"].(flows.When)
		if !ok {
			t.Fatalf("%s has no computed example: %#v", m.ID, m.Data)
		}
		if !ex.At.After(h.Now) || ex.Zone != "Asia/Jayapura" {
			t.Fatalf("%s example %v in %s is not ahead of %v", m.ID, ex.At, ex.Zone, h.Now)
		}
		for _, lang := range []string{"id", "en"} {
			s := ex.Render(texts, lang)
			if strings.Contains(s, "/") || !strings.Contains(s, map[string]string{"id": "Desember", "en": "December"}[lang]) {
				t.Errorf("%s example in %s is %q: want the month in words", m.ID, lang, s)
			}
			back, err := flows.ParseDateTime(s, flows.LoadZone(ex.Zone))
			if err != nil || !back.Equal(ex.At) {
				t.Errorf("%s example %q reads back as %v (%v), want %v", m.ID, s, back, err, ex.At)
			}
			full, err := texts.Text(lang, m.ID, map[string]any{"Example": s}, nil)
			if err != nil || !strings.Contains(full, s) || strings.Contains(full, "/20") {
				t.Errorf("%s in %s: %q (%v)", m.ID, lang, full, err)
			}
		}
	}
	// The commitment due date example is a day alone, also ahead.
	ex := flows.DateExample(h.Now, flows.LoadZone("Asia/Jakarta"), 14, 9, true)
	if s := ex.Render(texts, "en"); s != "14 December 2026" {
		t.Fatalf("date-only example %q", s)
	}
}

// The three zones are read once: a date rendered in a large report costs
// no read of the zone database (#22), and the location is the database's.
func TestLoadZoneOfferedReadOnce(t *testing.T) {
	for _, zone := range flows.Zones() {
		want, err := time.LoadLocation(zone)
		if err != nil {
			t.Skipf("no zone database: %v", err)
		}
		at := time.Date(2026, 12, 10, 2, 30, 0, 0, time.UTC)
		if got := flows.LoadZone(zone); got.String() != zone || at.In(got).Format(time.RFC3339) != at.In(want).Format(time.RFC3339) {
			t.Errorf("LoadZone(%q) = %v", zone, got)
		}
		if n := testing.AllocsPerRun(50, func() { _ = flows.LoadZone(zone) }); n != 0 {
			t.Errorf("LoadZone(%q): %v allocations a call, want 0 (read once)", zone, n)
		}
	}
}
