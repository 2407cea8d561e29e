package flows

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Zones Sinergi offers, with their Indonesian labels.
var zoneLabels = map[string]string{"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}

// zoneOrder is the display order of the zones in [zoneLabels].
var zoneOrder = [...]string{"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"}

// zoneOffsets are the UTC offsets, in hours, of the zones in [zoneLabels].
// None of them observes daylight saving time.
var zoneOffsets = map[string]int{"Asia/Jakarta": 7, "Asia/Makassar": 8, "Asia/Jayapura": 9}

// ZoneLabel returns the label people in Indonesia use for a zone: "WIB",
// "WITA" or "WIT" for the zones of [Zones]. For another zone it returns the
// abbreviation [time.Time.Zone] gives for it now, or the zone name itself
// when the zone cannot be loaded.
func ZoneLabel(zone string) string {
	return zoneLabelAt(zone, time.Now())
}

// zoneLabelAt is [ZoneLabel] for the abbreviation in force at t.
func zoneLabelAt(zone string, t time.Time) string {
	if l, ok := zoneLabels[zone]; ok {
		return l
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return zone
	}
	if name, _ := t.In(loc).Zone(); name != "" {
		return name
	}
	return zone
}

// ZoneOffset returns the UTC offset, in hours, of a zone of [Zones] (none
// of them observes daylight saving time); ok is false for another zone.
func ZoneOffset(zone string) (hours int, ok bool) {
	hours, ok = zoneOffsets[zone]
	return hours, ok
}

// Zones returns the IANA names of the zones Sinergi offers, in display
// order: Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT). The
// slice is the caller's.
func Zones() []string {
	return append([]string(nil), zoneOrder[:]...)
}

// LoadZone returns the location of an IANA zone name. When the zone
// database is missing, the three zones of [Zones] fall back to fixed zones
// named WIB, WITA, WIT at +7, +8, +9 hours (they have no daylight saving
// time); any other unknown zone gives UTC. The three zones of [Zones] are
// read from the database once per process (a large report renders
// thousands of dates, each of which read and parsed the zone's file, #22);
// any other is read at every call.
func LoadZone(zone string) *time.Location {
	if loc := offeredZones()[zone]; loc != nil {
		return loc
	}
	return loadZone(zone, time.LoadLocation)
}

// offeredZones are the locations of the zones of [Zones], loaded at the
// first call and never changed.
var offeredZones = sync.OnceValue(func() map[string]*time.Location {
	m := make(map[string]*time.Location, len(zoneOrder))
	for _, z := range zoneOrder {
		m[z] = loadZone(z, time.LoadLocation)
	}
	return m
})

// loadZone is [LoadZone] with the zone database reader as a parameter, so
// that the fallback can be tested.
func loadZone(zone string, load func(string) (*time.Location, error)) *time.Location {
	if loc, err := load(zone); err == nil && loc != nil {
		return loc
	}
	if h, ok := zoneOffsets[zone]; ok {
		return time.FixedZone(zoneLabels[zone], h*3600)
	}
	return time.UTC
}

// Errors of [ParseDateTime] and [ParseClockOn].
var (
	// ErrDateFormat: the text is not a date and time Sinergi understands
	// (including a date without a time, or a 2-digit year).
	ErrDateFormat = errors.New("date format not recognised")
	// ErrDateInvalid: the text has a recognised shape but names no real
	// moment (31/02/2026, 24:61, a weekday that does not match the date,
	// a year outside 2000–2100).
	ErrDateInvalid = errors.New("no such date")
)

// maxDateInput is the longest input the date parsers look at.
const maxDateInput = 100

// monthWords maps lower-case month names and abbreviations, Indonesian and
// English, to month numbers.
var monthWords = map[string]time.Month{
	// Indonesian
	"januari": 1, "februari": 2, "pebruari": 2, "maret": 3, "april": 4, "mei": 5,
	"juni": 6, "juli": 7, "agustus": 8, "september": 9, "oktober": 10,
	"november": 11, "nopember": 11, "desember": 12,
	"peb": 2, "agu": 8, "agt": 8, "agus": 8, "ags": 8, "okt": 10, "nop": 11, "des": 12,
	// English
	"january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7,
	"august": 8, "october": 10, "december": 12,
	"aug": 8, "oct": 10, "dec": 12,
	// shared abbreviations
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "sep": 9, "sept": 9, "nov": 11,
}

// dayWords maps lower-case weekday names and abbreviations, Indonesian and
// English, to weekdays.
var dayWords = map[string]time.Weekday{
	"minggu": time.Sunday, "min": time.Sunday, "ahad": time.Sunday, "sunday": time.Sunday, "sun": time.Sunday,
	"senin": time.Monday, "sen": time.Monday, "monday": time.Monday, "mon": time.Monday,
	"selasa": time.Tuesday, "sel": time.Tuesday, "tuesday": time.Tuesday, "tue": time.Tuesday, "tues": time.Tuesday,
	"rabu": time.Wednesday, "rab": time.Wednesday, "wednesday": time.Wednesday, "wed": time.Wednesday,
	"kamis": time.Thursday, "kam": time.Thursday, "thursday": time.Thursday, "thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday,
	"jumat": time.Friday, "jum": time.Friday, "friday": time.Friday, "fri": time.Friday,
	"sabtu": time.Saturday, "sab": time.Saturday, "saturday": time.Saturday, "sat": time.Saturday,
}

// timeWords may stand between a date and its time ("pukul", "jam", "at",
// the ISO "T"), or before a lone time.
var timeWords = map[string]bool{"pukul": true, "pkl": true, "pk": true, "jam": true, "at": true, "t": true, "@": true}

// zoneWords are zone labels accepted, and ignored, after a time.
var zoneWords = map[string]bool{"wib": true, "wita": true, "wit": true}

// Token kinds of the date lexer.
const (
	tokNum  = 'n' // a run of ASCII digits
	tokWord = 'w' // a run of letters, or "@"
	tokSep  = 's' // one of / - . :
)

type dateToken struct {
	kind byte
	text string
}

// dateTokens splits lower-cased input into numbers, words and separators.
// Spaces and commas only separate tokens; apostrophes inside words vanish
// (jum'at). Any other character makes the input unrecognisable.
func dateTokens(s string) ([]dateToken, error) {
	var toks []dateToken
	s = strings.ToLower(s)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			toks = append(toks, dateToken{tokNum, s[i:j]})
			i = j
		case c == '/' || c == '-' || c == '.' || c == ':':
			toks = append(toks, dateToken{tokSep, s[i : i+1]})
			i++
		case c == '@':
			toks = append(toks, dateToken{tokWord, "@"})
			i++
		case c == ',':
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case unicode.IsSpace(r) || isApostrophe(r):
				i += size
			case unicode.IsLetter(r):
				var w strings.Builder
				for i < len(s) {
					r, size := utf8.DecodeRuneInString(s[i:])
					if !unicode.IsLetter(r) && !isApostrophe(r) {
						break
					}
					if !isApostrophe(r) {
						w.WriteRune(r)
					}
					i += size
				}
				toks = append(toks, dateToken{tokWord, w.String()})
			default:
				return nil, ErrDateFormat
			}
		}
	}
	return toks, nil
}

// isApostrophe reports whether r is an apostrophe people type in "jum'at".
func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == '‘' }

// dateParser walks the tokens of one input.
type dateParser struct {
	toks []dateToken
	pos  int
}

func (p *dateParser) done() bool { return p.pos >= len(p.toks) }

func (p *dateParser) peek() (dateToken, bool) {
	if p.done() {
		return dateToken{}, false
	}
	return p.toks[p.pos], true
}

// word consumes the next token when it is a word in set.
func (p *dateParser) word(set func(string) bool) (string, bool) {
	t, ok := p.peek()
	if !ok || t.kind != tokWord || !set(t.text) {
		return "", false
	}
	p.pos++
	return t.text, true
}

// sep consumes the next token when it is one of the separators in set.
func (p *dateParser) sep(set string) (string, bool) {
	t, ok := p.peek()
	if !ok || t.kind != tokSep || !strings.Contains(set, t.text) {
		return "", false
	}
	p.pos++
	return t.text, true
}

// num consumes the next token when it is a number of minLen..maxLen digits.
func (p *dateParser) num(minLen, maxLen int) (int, bool) {
	t, ok := p.peek()
	if !ok || t.kind != tokNum || len(t.text) < minLen || len(t.text) > maxLen {
		return 0, false
	}
	n, err := strconv.Atoi(t.text)
	if err != nil {
		return 0, false
	}
	p.pos++
	return n, true
}

// dateParts are the pieces of a typed date.
type dateParts struct {
	year, month, day int
	weekday          time.Weekday
	hasWeekday       bool
}

// date reads an optional weekday and a date: D/M/YYYY (separators / - .),
// YYYY-M-D, D Month YYYY or Month D YYYY.
func (p *dateParser) date() (dateParts, error) {
	var d dateParts
	p.word(func(w string) bool { return w == "hari" })
	if w, ok := p.word(func(w string) bool { _, ok := dayWords[w]; return ok }); ok {
		d.weekday, d.hasWeekday = dayWords[w], true
		p.sep(".") // "Sen." or "Mon."
	}
	if _, ok := p.word(func(w string) bool { return w == "tanggal" || w == "tgl" }); ok {
		p.sep(".")
	}
	isMonth := func(w string) bool { _, ok := monthWords[w]; return ok }

	t, ok := p.peek()
	if !ok {
		return d, ErrDateFormat
	}
	switch {
	case t.kind == tokNum && len(t.text) == 4: // YYYY-MM-DD
		d.year, _ = p.num(4, 4)
		s, ok := p.sep("-/.")
		if !ok {
			return d, ErrDateFormat
		}
		if d.month, ok = p.num(1, 2); !ok {
			return d, ErrDateFormat
		}
		if _, ok := p.sep(s); !ok {
			return d, ErrDateFormat
		}
		if d.day, ok = p.num(1, 2); !ok {
			return d, ErrDateFormat
		}
	case t.kind == tokNum: // day first
		if d.day, ok = p.num(1, 2); !ok {
			return d, ErrDateFormat
		}
		s, hasSep := p.sep("-/.")
		if w, ok := p.word(isMonth); ok { // 10 Nov 2025, 10-Nov-2025
			d.month = int(monthWords[w])
			if !hasSep {
				s = "." // "10 Nov. 2025"
			}
			if _, ok := p.sep(s); !ok && hasSep {
				return d, ErrDateFormat
			}
		} else { // 10/11/2025
			if !hasSep {
				return d, ErrDateFormat
			}
			if d.month, ok = p.num(1, 2); !ok {
				return d, ErrDateFormat
			}
			if _, ok := p.sep(s); !ok {
				return d, ErrDateFormat
			}
		}
		if d.year, ok = p.num(4, 4); !ok {
			return d, ErrDateFormat
		}
	case t.kind == tokWord && isMonth(t.text): // Month D, YYYY
		w, _ := p.word(isMonth)
		d.month = int(monthWords[w])
		p.sep(".")
		if d.day, ok = p.num(1, 2); !ok {
			return d, ErrDateFormat
		}
		if d.year, ok = p.num(4, 4); !ok {
			return d, ErrDateFormat
		}
	default:
		return d, ErrDateFormat
	}
	return d, nil
}

// clock reads a time of day: an optional "pukul"/"jam"/"at"…, H:MM or H.MM,
// an optional am/pm and an optional zone label, up to the end of input.
func (p *dateParser) clock() (hour, minute int, err error) {
	if w, ok := p.word(func(w string) bool { return timeWords[w] }); ok && (w == "pkl" || w == "pk") {
		p.sep(".")
	}
	hour, ok := p.num(1, 2)
	if !ok {
		return 0, 0, ErrDateFormat
	}
	if _, ok := p.sep(":."); !ok {
		return 0, 0, ErrDateFormat
	}
	if minute, ok = p.num(2, 2); !ok {
		return 0, 0, ErrDateFormat
	}
	if w, ok := p.word(func(w string) bool { return w == "am" || w == "pm" }); ok {
		if hour < 1 || hour > 12 {
			return 0, 0, ErrDateInvalid
		}
		hour %= 12
		if w == "pm" {
			hour += 12
		}
	}
	p.word(func(w string) bool { return zoneWords[w] })
	if !p.done() {
		return 0, 0, ErrDateFormat
	}
	if hour > 23 || minute > 59 {
		return 0, 0, ErrDateInvalid
	}
	return hour, minute, nil
}

// buildDateTime makes the moment in loc and checks that it is the one typed:
// time.Date normalises 31/02 into March, and a moment that falls in a
// daylight-saving gap does not exist.
func buildDateTime(d dateParts, hour, minute int, loc *time.Location) (time.Time, error) {
	if d.year < 2000 || d.year > 2100 || d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31 ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return time.Time{}, ErrDateInvalid
	}
	t := time.Date(d.year, time.Month(d.month), d.day, hour, minute, 0, 0, loc)
	if t.Year() != d.year || int(t.Month()) != d.month || t.Day() != d.day ||
		t.Hour() != hour || t.Minute() != minute {
		return time.Time{}, ErrDateInvalid
	}
	if d.hasWeekday && t.Weekday() != d.weekday {
		return time.Time{}, ErrDateInvalid
	}
	return t, nil
}

// ParseDateTime reads a date and time typed by a person in Indonesia, in loc
// (UTC when nil). It is forgiving about the shape:
//
//	10/11/2025 09:00, 10-11-2025 9.00, 10.11.2025 09:00, 2025-11-10 09:00,
//	2025-11-10T09:00, 10 Nov 2025 9.00, 10 November 2025 09:00,
//	10 Nop 2025 9:00, Senin, 10 November 2025 pukul 09.00,
//	Monday 10 November 2025 at 9:00, November 10, 2025 9:00 pm,
//	10 Agustus 2026 14.30 WIB
//
// Month names may be Indonesian or English, full or abbreviated, in any
// case. Numeric dates are day first (the Indonesian convention), except
// when they start with a 4-digit year. The time separator is ':' or '.';
// "pukul", "jam", "at" may precede the time, and a trailing WIB/WITA/WIT is
// accepted and ignored (loc decides). A leading weekday must match the date.
//
// It returns [ErrDateFormat] for anything else — a 2-digit year, a date
// without a time, input longer than 100 bytes — and [ErrDateInvalid] for a
// recognised shape naming no real moment (31/02/2026, 24:00, year outside
// 2000–2100).
func ParseDateTime(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	if len(s) > maxDateInput {
		return time.Time{}, ErrDateFormat
	}
	toks, err := dateTokens(s)
	if err != nil {
		return time.Time{}, err
	}
	p := &dateParser{toks: toks}
	d, err := p.date()
	if err != nil {
		return time.Time{}, err
	}
	if p.done() {
		return time.Time{}, ErrDateFormat // callers always need a time
	}
	hour, minute, err := p.clock()
	if err != nil {
		return time.Time{}, err
	}
	return buildDateTime(d, hour, minute, loc)
}

// ParseClockOn reads either a full date and time (as [ParseDateTime]) or
// only a time of day ("12:00", "17.30", "pukul 17.00 WIB"), which then falls
// on the calendar day of day in loc (UTC when nil).
func ParseClockOn(s string, loc *time.Location, day time.Time) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	t, err := ParseDateTime(s, loc)
	if err == nil || !errors.Is(err, ErrDateFormat) || len(s) > maxDateInput {
		return t, err
	}
	toks, terr := dateTokens(s)
	if terr != nil {
		return time.Time{}, terr
	}
	p := &dateParser{toks: toks}
	hour, minute, cerr := p.clock()
	if cerr != nil {
		return time.Time{}, cerr
	}
	y, m, d := day.In(loc).Date()
	return buildDateTime(dateParts{year: y, month: int(m), day: d}, hour, minute, loc)
}

// Fallback weekday and month names, used when texts cannot render them.
var (
	dayNamesID   = [...]string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"}
	dayNamesEN   = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	monthNamesID = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}
	monthNamesEN = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

// isIndonesian reports whether lang is Indonesian ("id", "id-ID").
func isIndonesian(lang string) bool {
	return lang == "id" || strings.HasPrefix(lang, "id-") || strings.HasPrefix(lang, "id_")
}

// localName renders message id through texts, or returns fallback when
// texts is nil, fails or renders nothing.
func localName(texts Texts, lang, id, fallback string) string {
	if texts == nil {
		return fallback
	}
	s, err := texts.Text(lang, id, nil, nil)
	if err != nil || s == "" {
		return fallback
	}
	return s
}

// FormatDate renders the calendar day of at in zone for people: "Senin, 10
// November 2025" — weekday and month names from the messages day.N (Sunday
// = 0) and month.N of texts.
func FormatDate(texts Texts, lang string, at time.Time, zone string) string {
	t := at.In(LoadZone(zone))
	days, months := dayNamesEN, monthNamesEN
	if isIndonesian(lang) {
		days, months = dayNamesID, monthNamesID
	}
	wd := int(t.Weekday())
	day := localName(texts, lang, "day."+strconv.Itoa(wd), days[wd])
	month := localName(texts, lang, "month."+strconv.Itoa(int(t.Month())), months[t.Month()-1])
	return day + ", " + strconv.Itoa(t.Day()) + " " + month + " " + strconv.Itoa(t.Year())
}

// FormatClock renders the time of day of at in zone: "09.00 WIB" in
// Indonesian, "09:00 WIB" otherwise.
func FormatClock(lang string, at time.Time, zone string) string {
	t := at.In(LoadZone(zone))
	layout := "15:04"
	if isIndonesian(lang) {
		layout = "15.04"
	}
	return t.Format(layout) + " " + zoneLabelAt(zone, t)
}

// FormatDateTime renders a moment in a zone for people: "Senin, 10 November
// 2025 09.00 WIB" in Indonesian, "Monday, 10 November 2025 09:00 WIB" in
// English; see [FormatDate] and [FormatClock].
func FormatDateTime(texts Texts, lang string, at time.Time, zone string) string {
	return FormatDate(texts, lang, at, zone) + " " + FormatClock(lang, at, zone)
}

// FormatTyped writes the day of at in zone as a person types it, day first
// and the month in words ("10 November 2025"), with the time of day when
// clock is set ("10 November 2025 09.00" in Indonesian, "… 09:00" in
// English). [ParseDateTime] reads it back in either language.
func FormatTyped(texts Texts, lang string, at time.Time, zone string, clock bool) string {
	t := at.In(LoadZone(zone))
	months := monthNamesEN
	if isIndonesian(lang) {
		months = monthNamesID
	}
	month := localName(texts, lang, "month."+strconv.Itoa(int(t.Month())), months[t.Month()-1])
	s := strconv.Itoa(t.Day()) + " " + month + " " + strconv.Itoa(t.Year())
	if !clock {
		return s
	}
	layout := "15:04"
	if isIndonesian(lang) {
		layout = "15.04"
	}
	return s + " " + t.Format(layout)
}

// DateExample is an example answer for a date question asked at now: the
// day days ahead at hour:00 in loc, written as a person types it (with
// DateOnly, the day alone). Examples in prompts are always in the future
// and cannot be read two ways.
func DateExample(now time.Time, loc *time.Location, days, hour int, dateOnly bool) When {
	d := now.In(loc).AddDate(0, 0, days)
	at := time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, loc)
	return When{At: at, Zone: loc.String(), Typed: true, DateOnly: dateOnly}
}

// TimeLeft says how far at is from now, as a reminder sent at now puts it:
// "tomorrow" or "in 3 days" when at falls on a later calendar day in zone,
// else "in 3 hours" (from two hours on, to the nearest hour) or "in 90
// minutes". It is computed when a message is
// sent, so a reminder that goes out late still says the truth.
func TimeLeft(now, at time.Time, zone string) Text {
	loc := LoadZone(zone)
	n, a := now.In(loc), at.In(loc)
	days := int(time.Date(a.Year(), a.Month(), a.Day(), 12, 0, 0, 0, loc).Sub(
		time.Date(n.Year(), n.Month(), n.Day(), 12, 0, 0, 0, loc)).Round(24*time.Hour) / (24 * time.Hour))
	left := at.Sub(now)
	switch {
	case days == 1:
		return T("when.tomorrow")
	case days > 1:
		return counted("when.in_days", days)
	case left >= 2*time.Hour:
		return counted("when.in_hours", int(left.Round(time.Hour)/time.Hour))
	}
	return counted("when.in_minutes", max(1, int((left+time.Minute-1)/time.Minute)))
}

// DaysLeft says which day due is, seen from now in zone: "today",
// "tomorrow" or "in 3 days" (due on a later calendar day).
func DaysLeft(now, due time.Time, zone string) Text {
	loc := LoadZone(zone)
	n, d := now.In(loc), due.In(loc)
	days := int(time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, loc).Sub(
		time.Date(n.Year(), n.Month(), n.Day(), 12, 0, 0, 0, loc)).Round(24*time.Hour) / (24 * time.Hour))
	switch {
	case days <= 0:
		return T("when.today")
	case days == 1:
		return T("when.tomorrow")
	}
	return counted("when.in_days", days)
}

// counted is message id with count n, in its plural form.
func counted(id string, n int) Text {
	t := T(id, "Count", n)
	t.Count = n
	return t
}
