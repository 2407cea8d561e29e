package bot

import (
	"bytes"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/locales"
)

// The files a reply describes are made by the renderer before the commit:
// a calendar invitation as the .ics document, a QR code and a progress
// chart as PNG photos,
// each with the reply's text as caption; a QR code that cannot be drawn is
// an error (the caller says "internal error" once).
func TestPrepareAttachments(t *testing.T) {
	texts, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := &renderer{texts: texts, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	w := flows.Workshop{Code: "ab12cd", Title: "Air & Sanitasi", Zone: "Asia/Jakarta", Start: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)}
	inv := &flows.Invitation{Workshop: w, Now: w.Start.AddDate(0, 0, -7), Attendee: 7, Forum: "Forum", Bot: "sinergi_bot"}

	ms, err := r.prepareAll(7, "en", flows.Reply{Text: flows.T("ws.ics_caption"), Calendar: inv})
	if err != nil || len(ms) != 1 {
		t.Fatalf("calendar: %v, %d messages", err, len(ms))
	}
	m := ms[0]
	if m.Kind != outDoc || m.File != "workshop-ab12cd.ics" || !bytes.Contains(m.Data, []byte("SUMMARY:Air & Sanitasi\r\n")) || m.Text == "" {
		t.Errorf("calendar message %s %q %q\n%s", m.Kind, m.File, m.Text, m.Data)
	}

	link := "https://t.me/sinergi_bot?start=checkin_0123456789abcdef"
	ms, err = r.prepareAll(7, "en", flows.Reply{Text: flows.T("ws.qr_caption", "Title", w.Title, "Link", link), QR: &flows.QRCode{Name: "checkin-ab12cd", Content: link}})
	if err != nil || len(ms) != 1 {
		t.Fatalf("qr: %v, %d messages", err, len(ms))
	}
	m = ms[0]
	if m.Kind != outPhoto || m.File != "checkin-ab12cd.png" || !bytes.HasPrefix(m.Data, []byte("\x89PNG")) || !strings.Contains(m.Text, "Air &amp; Sanitasi") {
		t.Errorf("qr message %s %q %q", m.Kind, m.File, m.Text)
	}

	ch := &flows.Chart{Name: "report-ab12cd", Tally: flows.Tally{Total: 2, Done: 1, Blocked: 1}, Labels: flows.ChartLabels{Title: "Air"}}
	ms, err = r.prepareAll(7, "en", flows.Reply{Text: flows.T("rp.chart_caption", "Title", w.Title), Chart: ch})
	if err != nil || len(ms) != 1 {
		t.Fatalf("chart: %v, %d messages", err, len(ms))
	}
	if m = ms[0]; m.Kind != outPhoto || m.File != "report-ab12cd.png" || !bytes.HasPrefix(m.Data, []byte("\x89PNG")) || m.Text == "" {
		t.Errorf("chart message %s %q %q", m.Kind, m.File, m.Text)
	}

	if _, err := r.prepareAll(7, "en", flows.Reply{QR: &flows.QRCode{Name: "x", Content: ""}}); err == nil {
		t.Error("an empty QR code rendered")
	}
}
