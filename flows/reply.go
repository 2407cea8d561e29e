package flows

import "time"

// Text is a localised message: a message id from locales and its data. The
// renderer HTML-escapes every string value in Data, renders nested Text values
// in the same language, and passes [HTML] values through unchanged.
type Text struct {
	ID   string
	Data map[string]any
	// Count selects the plural form of a counted message (one with "one"
	// and "other" forms); when nil, Data["Count"] is the count. Counted
	// messages show their count as {{.Count}}.
	Count any
}

// T builds a Text from an id and alternating key/value pairs.
func T(id string, kv ...any) Text {
	t := Text{ID: id}
	if len(kv) > 0 {
		t.Data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			t.Data[k] = kv[i+1]
		}
	}
	return t
}

// HTML is trusted markup produced by code (never by users); the renderer
// inserts it without escaping.
type HTML string

// Button is an inline keyboard button: a callback button when Data is set, a
// link when URL is set, a Mini App when WebApp is set (private chats only).
// Label is either a localised Text or, when Literal is set, a literal string
// (a province or organisation name).
type Button struct {
	Label   Text
	Literal string
	Data    string
	URL     string
	WebApp  string // the Mini App's https URL (web_app button)
}

// MenuApp is the chat's menu button set to open a Mini App
// (setChatMenuButton, type web_app) in the reply's chat; with no URL, set
// back to Telegram's default.
type MenuApp struct {
	Label Text
	URL   string
}

// Attachment is a file sent with a reply.
type Attachment struct {
	Name string
	Data []byte
}

// Reply is an intent to say something; the transport turns it into a
// Telegram call.
type Reply struct {
	ChatID  int64  // 0: the chat of the input
	Lang    string // "": the language of the input's user
	Text    Text
	Buttons [][]Button
	// Thread is the forum topic to post into (message_thread_id); a reply
	// to the input's chat (ChatID 0) goes into the input's topic.
	Thread int
	// Posted, when set, is handed back with the sent message's id to the
	// capability that set OnChats (ChatEvents.Posted): a live card whose
	// message it will edit.
	Posted string

	// EditMessageID, when set, edits that message of the bot instead of
	// sending a new one (used after a button press).
	EditMessageID int
	// ClearButtons with EditMessageID removes the keyboard of that message
	// and leaves its text as it is.
	ClearButtons bool

	// Copy, when set, copies that message (copyMessage) instead of sending
	// Text: a broadcast's preview.
	Copy *MessageRef

	Document *Attachment // sent as a file with Text as caption
	// Calendar, a calendar invitation, is sent as an iCalendar file with
	// Text as caption (see [Invitation]).
	Calendar *Invitation
	// QR is sent as a PNG photo of the QR code with Text as caption.
	QR *QRCode
	// Table, an export, is sent as an Excel workbook with Text as caption
	// and then as CSV for other programs (see [Table]).
	Table *Table
	Photo *Attachment // sent as a photo with Text as caption
	// Chart, a workshop's progress, is sent as a picture with Text as
	// caption (see [Chart]).
	Chart *Chart
	// Certificate, a certificate of attendance, is sent as a PDF document
	// with Text as caption (see [CertificateDoc]).
	Certificate *CertificateDoc

	// MenuApp, when set, sets the chat's menu button to the Mini App; a
	// reply with no Text and no Buttons only sets it.
	MenuApp *MenuApp

	// Grid, a workshop's meeting grid, is sent as a picture with Text as
	// caption (see [Grid]).
	Grid *Grid

	// Bulk marks a reply that is not an answer to the recipient (a
	// notification to someone else); the sender gives such messages lower
	// priority than interactive answers.
	Bulk bool
}

// Answer is the answer to a button press (a toast, or an alert when Alert).
type Answer struct {
	Text  Text
	Alert bool
}

// When is a moment shown in a time zone, rendered in the reader's language:
// "Senin, 10 November 2025 09.00 WIB" / "Monday, 10 November 2025 09:00 WIB".
// With DateOnly only the date; with ClockOnly only the time and zone. With
// Typed it is written the way a person types it in an answer — day first,
// the month in words, no weekday and no zone: "10 November 2025 09.00" —
// which the date parser reads back ([ParseDateTime]).
type When struct {
	At        time.Time
	Zone      string
	DateOnly  bool
	ClockOnly bool
	Typed     bool
}

// Render formats w for lang.
func (w When) Render(texts Texts, lang string) string {
	switch {
	case w.Typed:
		return FormatTyped(texts, lang, w.At, w.Zone, !w.DateOnly)
	case w.DateOnly:
		return FormatDate(texts, lang, w.At, w.Zone)
	case w.ClockOnly:
		return FormatClock(lang, w.At, w.Zone)
	}
	return FormatDateTime(texts, lang, w.At, w.Zone)
}

// MessageRef names a message in a chat.
type MessageRef struct {
	Chat      int64
	MessageID int
}
