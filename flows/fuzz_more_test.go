package flows_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// More fuzz targets for hostile input. Their seeds run with every `go test`;
// explore with e.g. `go test -fuzz FuzzCallbackData -fuzztime 10m ./flows/`.
// Seeds may use the placeholders of authzTable ({code}, {cm}, {token} …),
// filled from the fixture, so they reach real objects.

// FuzzDeepLinkPayload routes arbitrary /start payloads — typed, and pasted as
// a t.me link — for each actor: nothing panics or fails, every reply renders
// (harness.check), and a participant changes nothing of anyone else's.
func FuzzDeepLinkPayload(f *testing.F) {
	for _, s := range []string{
		"", "ws_{code}", "ws_{other}", "ws_zzzzzz", "ws_", "checkin_{token}", "checkin_" + strings.Repeat("A", 22),
		"invite_", "invite_" + strings.Repeat("x", 22), "_", "__", "ws__", "ws_{code}_x", "WS_{code}", "checkin_{token}\n",
		"ws_<b>", "ws_../../etc", "ws_" + strings.Repeat("a", 80), "m_grant", "ws_{code} extra", "\u202ews_{code}", "ws_\x00",
	} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, payload string, who uint8) {
		fx := newAuthzFixture(t)
		a := authzActors[int(who)%len(authzActors)]
		payload = fx.fill(payload)
		before := fx.h.Store.OthersSnapshot(t, a.id)
		fx.h.Text(a.id, "/start "+payload)
		fx.h.Text(a.id, "https://t.me/sinergi_test_bot?start="+payload)
		fx.h.Text(a.id, "/cancel")
		if a.id == actParticipant {
			if after := fx.h.Store.OthersSnapshot(t, a.id); after != before {
				t.Fatalf("participant's /start %q changed others' state:\nbefore %s\nafter  %s", payload, before, after)
			}
		}
	})
}

// FuzzCallbackData presses arbitrary callback data as each actor: nothing
// panics or fails, every answer and reply renders, and a participant never
// changes anyone else's state (their own registration, language … may).
func FuzzCallbackData(f *testing.F) {
	for _, r := range authzTable {
		if !r.isCommand() {
			f.Add(r.Action, uint8(0))
			f.Add(r.Action, uint8(1))
		}
	}
	for _, s := range []string{
		"", ":", "::::", "reg:{code}", "ws:{code}", "wl:0", "wl:-1", "wl:99999999999999999999", "mws:-5", "wmr:{code}:-1",
		"wmr:{code}:999", "cms:{code}:{cm}:blocked", "cms:{code}:{cm}:", "cms:{code}::done", "cmo:{code}:{cmp}", "fb:{code}:0",
		"fb:{code}:6", "fb:{code}:", "mm:a:b", "mm:0:-1", "mmf:p:-1", "mmi:2", "mmi:-1", "mmx:3:0:0", "mmp:dy", "mmok:intro00001",
		"set:x", "lang:en", "lang:", "m:", "m:m:m", "s::", "grant:participant", "bcx:", "bcx:{bc}:x", "aud:", "wm:{other}",
		"wmky:{code}:{code}", "rpa:", strings.Repeat("a", 64), "wm:" + strings.Repeat("z", 60), "a\x00:b", "wm:{code}\n",
	} {
		for who := range uint8(4) {
			f.Add(s, who)
		}
	}
	f.Fuzz(func(t *testing.T, data string, who uint8) {
		fx := newAuthzFixture(t)
		a := authzActors[int(who)%len(authzActors)]
		data = fx.fill(data)
		before := fx.h.Store.OthersSnapshot(t, a.id)
		res := fx.h.Send(a.id, flows.Input{Kind: flows.KindCallback, Callback: data, MessageID: 42})
		if a.id == actParticipant {
			if after := fx.h.Store.OthersSnapshot(t, a.id); after != before {
				t.Fatalf("participant's press %q (answer %+v, replies %v) changed others' state:\nbefore %s\nafter  %s",
					data, res.Answer, flowstest.IDs(res), before, after)
			}
		}
		if res.Answer != nil && res.Answer.Text.ID == "" {
			t.Fatalf("press %q: answer without text", data)
		}
	})
}

// FuzzICS: whatever a facilitator types as title, description, venue and
// link, the calendar file parses back with golang-ical and the title,
// description and location round-trip (after icsText's clean-up).
func FuzzICS(f *testing.F) {
	for _, s := range [][4]string{
		{"Lokakarya", "", "Hotel", ""},
		{`Pelatihan, "Data"; hari 1` + "\nsesi", "a\\b;c,d\r\ne", "Jl. Diponegoro No.22, Bandung", "https://meet.example.org/a?x=1,2;y"},
		{"", "", "", ""},
		{"\\", "\\n", ";", "javascript:flowstest.Alert(1)"},
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
		data := flows.ICS(w, flows.Invitation{Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Attendee: 1, Forum: title, Bot: "sinergi_bot"})
		if r, bad := flowstest.HiddenRune(string(data), "\r\n"); bad {
			t.Fatalf("the file keeps %U\n%q", r, data)
		}
		cal, err := ics.ParseCalendar(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("ParseCalendar: %v\n%q", err, data)
		}
		evs := cal.Events()
		if len(evs) != 1 {
			t.Fatalf("%d events in\n%q", len(evs), data)
		}
		ev := &evs[0].ComponentBase
		value := func(p ics.ComponentProperty) string {
			if v := ev.GetProperty(p); v != nil {
				return v.Value
			}
			return ""
		}
		wantTitle := flows.IcsText(title)
		if wantTitle == "" {
			wantTitle = w.Code
		}
		if got := value(ics.ComponentPropertySummary); got != wantTitle {
			t.Fatalf("SUMMARY %q, want %q\n%q", got, wantTitle, data)
		}
		wantDesc := flows.IcsText(desc)
		if l := flows.IcsText(link); l != "" && wantDesc != "" {
			wantDesc += "\n" + l
		} else if l != "" {
			wantDesc = l
		}
		if got := value(ics.ComponentPropertyDescription); got != wantDesc {
			t.Fatalf("DESCRIPTION %q, want %q\n%q", got, wantDesc, data)
		}
		wantLoc := flows.IcsText(venue)
		if wantLoc == "" {
			wantLoc = flows.IcsText(link)
		}
		if got := value(ics.ComponentPropertyLocation); got != wantLoc {
			t.Fatalf("LOCATION %q, want %q\n%q", got, wantLoc, data)
		}
		if u := value(ics.ComponentPropertyUrl); u != "" && u != flows.IcsURI(link) {
			t.Fatalf("URL %q from link %q", u, link)
		}
	})
}
