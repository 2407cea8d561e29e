package flows

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	ics "github.com/arran4/golang-ical"
	qrcode "github.com/skip2/go-qrcode"
)

// icsLocal is the iCalendar DATE-TIME form of a local time (with a TZID).
const icsLocal = "20060102T150405"

// Invitation says whose calendar file it is and who sends it.
type Invitation struct {
	Now      time.Time
	Attendee int64  // the registrant
	Forum    string // the organizer's name
	Bot      string // the bot's username: the organizer's address is its t.me link
}

// Invitation is the calendar invitation of a workshop for a registrant,
// sent now by the forum.
func (t *Turn) Invitation(attendee int64) Invitation {
	return Invitation{Now: t.In.Now, Attendee: attendee, Forum: t.e.cfg.ForumName, Bot: t.e.cfg.BotUsername}
}

// ICS returns an iCalendar file (RFC 5546 PUBLISH, RFC 5545, CRLF line ends)
// with one VEVENT for the workshop: ORGANIZER the forum (its address the
// bot's t.me link), a UID stable per workshop and per registrant
// (<code>-<hash of the registrant>@<bot>.t.me, so a changed date updates
// the event in the registrant's calendar instead of adding another), SEQUENCE
// the workshop's count of date and place changes, DTSTAMP now,
// DTSTART/DTEND in the workshop's local time with TZID=<w.Zone> and a
// VTIMEZONE for that zone, SUMMARY the title, DESCRIPTION the description
// (and the online link), LOCATION the venue (or the online link when there
// is no venue), URL the online link, and a display alarm one hour before.
//
// A zone other than those of [Zones] is written in UTC instead (no TZID),
// since only for those zones is the VTIMEZONE known to be exact. DTEND is
// left out when the end is not after the start.
func ICS(w *Workshop, inv Invitation) []byte {
	now := inv.Now
	cal := ics.NewCalendarFor("Sinergi")
	cal.SetProductId("-//Sinergi//Workshop//EN")
	cal.SetMethod(ics.MethodPublish)
	cal.SetCalscale("GREGORIAN")

	hours, local := zoneOffsets[w.Zone]
	if local {
		tz := cal.AddTimezone(w.Zone)
		std := tz.AddStandard()
		off := fmt.Sprintf("+%02d00", hours)
		std.AddProperty(ics.ComponentPropertyDtStart, "19700101T000000")
		std.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), off)
		std.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), off)
		std.AddProperty(ics.ComponentProperty(ics.PropertyTzname), zoneLabels[w.Zone])
	}

	ev := cal.AddEvent(icsUID(w.Code, inv.Attendee, inv.Bot))
	ev.SetDtStampTime(now)
	ev.SetSequence(w.Sequence)
	forum := icsParam(inv.Forum)
	if forum == "" {
		forum = "Sinergi"
	}
	ev.SetProperty(ics.ComponentPropertyOrganizer, "https://t.me/"+icsUsername(inv.Bot), ics.WithCN(forum))
	setTime := func(p ics.ComponentProperty, t time.Time) {
		if local {
			ev.SetProperty(p, t.In(LoadZone(w.Zone)).Format(icsLocal), ics.WithTZID(w.Zone))
		} else {
			ev.SetProperty(p, t.UTC().Format("20060102T150405Z"))
		}
	}
	setTime(ics.ComponentPropertyDtStart, w.Start)
	if w.End.After(w.Start) {
		setTime(ics.ComponentPropertyDtEnd, w.End)
	}

	title := icsText(w.Title)
	if title == "" {
		title = icsText(w.Code)
	}
	ev.SetSummary(title)

	link := icsText(w.OnlineURL)
	desc := icsText(w.Description)
	if link != "" {
		if desc != "" {
			desc += "\n"
		}
		desc += link
	}
	if desc != "" {
		ev.SetDescription(desc)
	}
	if venue := icsText(w.Venue); venue != "" {
		ev.SetLocation(venue)
	} else if link != "" {
		ev.SetLocation(link)
	}
	if u := icsURI(w.OnlineURL); u != "" {
		ev.SetURL(u)
	}
	if w.Cancelled {
		ev.SetStatus(ics.ObjectStatusCancelled)
	}

	alarm := ev.AddAlarm()
	alarm.SetAction(ics.ActionDisplay)
	alarm.SetTrigger("-PT1H")
	alarm.SetProperty(ics.ComponentPropertyDescription, title)

	return []byte(cal.Serialize(ics.WithNewLineWindows))
}

// icsUID is the event's UID: per workshop and per registrant, the same for
// every version, globally unique (the bot's t.me host), and without the
// registrant's Telegram id in clear.
func icsUID(code string, attendee int64, bot string) string {
	sum := sha256.Sum256([]byte(code + ":" + strconv.FormatInt(attendee, 10)))
	return icsText(code) + "-" + hex.EncodeToString(sum[:8]) + "@" + icsUsername(bot) + ".t.me"
}

// icsParam makes s safe as a parameter value (the organizer's CN): one
// line, none of the characters a parameter cannot hold unquoted (the
// library escapes them in a way readers refuse), spaces collapsed.
func icsParam(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune("\",;:\\'\n\t", r) {
			return ' '
		}
		return r
	}, cleanKeep(s, "\n\t"))
	return strings.Join(strings.Fields(s), " ")
}

// icsUsername is a Telegram username as it may appear in a URI ("sinergi"
// when there is none).
func icsUsername(bot string) string {
	u := strings.Map(func(r rune) rune {
		if r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
			return r
		}
		return -1
	}, bot)
	if u == "" {
		return "sinergi"
	}
	return u
}

// icsText makes s safe as an iCalendar TEXT value before the library
// escapes it: valid UTF-8, line breaks as "\n" only, tabs as spaces, no other control
// characters (which RFC 5545 does not allow and the library would not
// escape), terminal escapes or invisible format characters ([CleanText]).
func icsText(s string) string {
	return cleanKeep(s, "\n") // a tab becomes a space
}

// icsURI returns raw as a URI value when it is an absolute http(s) URL,
// else "" (a URI value is not escaped, so a broken one could corrupt the
// file).
func icsURI(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	s := u.String()
	// No space, no control character (C0, DEL, C1) and no invisible
	// format character: a URI value is written as it is.
	if strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || (r >= 0x7f && r <= 0x9f) || unicode.Is(unicode.Cf, r) }) {
		return ""
	}
	return s
}

// QRPNG encodes content (a URL) as a 512×512 PNG QR code with medium error
// correction. It fails when content is empty or too long for a QR code.
func QRPNG(content string) ([]byte, error) {
	if content == "" {
		return nil, fmt.Errorf("qr code: empty content")
	}
	png, err := qrcode.Encode(content, qrcode.Medium, 512)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	return png, nil
}

// utf8BOM makes Excel open a CSV file as UTF-8.
const utf8BOM = "\xEF\xBB\xBF"

// CSV returns a UTF-8 CSV file with a byte-order mark (so that Excel opens
// it as UTF-8) and CRLF line ends, header first. Every cell that starts
// with = + - @, a tab or a carriage return is prefixed with a single quote
// so that a spreadsheet does not run it as a formula (OWASP CSV injection);
// "+62 812…" therefore appears as text, which is what a phone number
// should be. Control characters other than tabs and line breaks, terminal
// escapes and invisible format characters are dropped ([CleanText]);
// carriage returns inside cells are dropped (line breaks are written as
// CRLF), and a row of one empty cell is written as "" so that
// CSV readers do not skip it as a blank line.
func CSV(header []string, rows [][]string) []byte {
	var buf bytes.Buffer
	buf.WriteString(utf8BOM)
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	write := func(row []string) {
		safe := make([]string, len(row))
		for i, cell := range row {
			safe[i] = csvCell(cell)
		}
		if len(safe) == 1 && safe[0] == "" {
			cw.Flush()
			buf.WriteString("\"\"\r\n")
			return
		}
		_ = cw.Write(safe) // writes to a bytes.Buffer cannot fail
	}
	if len(header) > 0 {
		write(header)
	}
	for _, row := range rows {
		write(row)
	}
	cw.Flush()
	return buf.Bytes()
}

// csvCell cleans a cell like [CleanText] (keeping tabs and line breaks) and
// neutralises a cell that a spreadsheet would read as a formula.
func csvCell(s string) string {
	s = cleanKeep(s, "\t\n\r")
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
