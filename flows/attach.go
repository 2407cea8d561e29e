package flows

import (
	"bytes"
	"encoding/csv"
	"strings"
	"time"
)

// Invitation is a calendar invitation as the domain sees it: the workshop
// (a copy, as it stands when the reply is made), whose calendar it is for
// and who sends it. A reply that carries one ([Reply.Calendar]) is sent as
// an iCalendar file with the reply's text as caption; the transport makes
// the file (bot/ics).
type Invitation struct {
	Workshop Workshop
	Now      time.Time
	Attendee int64  // the registrant
	Forum    string // the organizer's name
	Bot      string // the bot's username: the organizer's address is its t.me link
	// Sessions of the workshop's agenda to put in the calendar besides the
	// workshop, one event each (the plenary ones and those chosen).
	Sessions []AgendaSession
	// Meetings, when any, are the attendee's partner meetings at the
	// workshop: the file holds one event per meeting instead of the
	// workshop's.
	Meetings []CalendarMeeting
}

// CalendarMeeting is one partner meeting in a calendar file: its id (the
// event's UID is made of it), time, what it is and where.
type CalendarMeeting struct {
	ID          string
	Start, End  time.Time
	Summary     string
	Location    string
	Description string
}

// Invitation is the calendar invitation of workshop w for a registrant,
// sent now by the forum.
func (t *Turn) Invitation(w *Workshop, attendee int64) *Invitation {
	return &Invitation{Workshop: *w, Now: t.In.Now, Attendee: attendee, Forum: t.e.cfg.ForumName, Bot: t.e.cfg.BotUsername}
}

// QRCode is a QR code of a link as the domain sees it. A reply that carries
// one ([Reply.QR]) is sent as a PNG photo with the reply's text as caption;
// the transport draws it (bot/qr).
type QRCode struct {
	Name    string // file name without extension
	Content string // what the code says: a URL
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
