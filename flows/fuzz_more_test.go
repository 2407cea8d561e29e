package flows

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
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
		before := fx.h.store.othersSnapshot(t, a.id)
		fx.h.text(a.id, "/start "+payload)
		fx.h.text(a.id, "https://t.me/sinergi_test_bot?start="+payload)
		fx.h.text(a.id, "/cancel")
		if a.id == actParticipant {
			if after := fx.h.store.othersSnapshot(t, a.id); after != before {
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
		before := fx.h.store.othersSnapshot(t, a.id)
		res := fx.h.send(a.id, Input{Kind: KindCallback, Callback: data, MessageID: 42})
		if a.id == actParticipant {
			if after := fx.h.store.othersSnapshot(t, a.id); after != before {
				t.Fatalf("participant's press %q (answer %+v, replies %v) changed others' state:\nbefore %s\nafter  %s",
					data, res.Answer, ids(res), before, after)
			}
		}
		if res.Answer != nil && res.Answer.Text.ID == "" {
			t.Fatalf("press %q: answer without text", data)
		}
	})
}

// othersSnapshot is the store without what belongs to uid alone: their user,
// profile, partner profile, registrations (and check-in tokens and
// reminders), feedback, commitments and introductions they are party to.
func (m *memStore) othersSnapshot(t *testing.T, uid int64) string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	u := strconv.FormatInt(uid, 10)
	users := map[int64]User{}
	for k, v := range m.users {
		if k != uid {
			users[k] = v
		}
	}
	profiles := map[int64]Profile{}
	for k, v := range m.profiles {
		if k != uid {
			profiles[k] = v
		}
	}
	mine := map[string]bool{} // the user's check-in tokens
	regs := map[string][]Registration{}
	for code, rs := range m.ws.regs {
		for _, r := range rs {
			if r.UserID == uid {
				mine[r.Token] = true
				continue
			}
			regs[code] = append(regs[code], *r)
		}
	}
	tokens := map[string]string{}
	for k, v := range m.ws.tokens {
		if !mine[k] {
			tokens[k] = v
		}
	}
	jobs := map[string]time.Time{}
	for k, v := range m.ws.jobs {
		if !strings.HasSuffix(k, "|"+u) {
			jobs[k] = v
		}
	}
	checkins := map[string]map[int64]time.Time{}
	for code, byUser := range m.ws.checkins {
		for k, v := range byUser {
			if k != uid {
				if checkins[code] == nil {
					checkins[code] = map[int64]time.Time{}
				}
				checkins[code][k] = v
			}
		}
	}
	feedback := map[string]map[int64]Feedback{}
	for code, byUser := range m.ws.feedback {
		for k, v := range byUser {
			if k != uid {
				if feedback[code] == nil {
					feedback[code] = map[int64]Feedback{}
				}
				feedback[code][k] = v
			}
		}
	}
	partners := map[int64]PartnerProfile{}
	for k, v := range m.mm.profiles {
		if k != uid {
			partners[k] = v
		}
	}
	skip := map[int64]map[int64]bool{}
	for k, v := range m.mm.skip {
		if k != uid {
			skip[k] = v
		}
	}
	intros := map[string]Introduction{}
	for k, v := range m.mm.intros {
		if v.From != uid && v.To != uid {
			intros[k] = v
		}
	}
	cms := map[string]Commitment{}
	for k, v := range m.cm {
		if v.Owner != uid && v.By != uid {
			cms[k] = v
		}
	}
	var audit []AuditEntry
	for _, e := range m.audit {
		if e.Actor != uid {
			audit = append(audit, *e)
		}
	}
	b, err := json.Marshal(map[string]any{
		"users": users, "profiles": profiles, "invites": m.invites,
		"workshops": m.ws.ws, "regs": regs, "checkins": checkins, "feedback": feedback, "tokens": tokens, "jobs": jobs,
		"partners": partners, "skip": skip, "intros": intros, "broadcasts": m.bc, "commitments": cms, "audit": audit,
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
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
		w := &Workshop{Code: "ab12cd", Title: title, Description: desc, Venue: venue, OnlineURL: link, Zone: "Asia/Jakarta",
			Start: time.Date(2026, 12, 10, 2, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 10, 5, 0, 0, 0, time.UTC)}
		data := ICS(w, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
		if r, bad := hiddenRune(string(data), "\r\n"); bad {
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
		wantTitle := icsText(title)
		if wantTitle == "" {
			wantTitle = w.Code
		}
		if got := value(ics.ComponentPropertySummary); got != wantTitle {
			t.Fatalf("SUMMARY %q, want %q\n%q", got, wantTitle, data)
		}
		wantDesc := icsText(desc)
		if l := icsText(link); l != "" && wantDesc != "" {
			wantDesc += "\n" + l
		} else if l != "" {
			wantDesc = l
		}
		if got := value(ics.ComponentPropertyDescription); got != wantDesc {
			t.Fatalf("DESCRIPTION %q, want %q\n%q", got, wantDesc, data)
		}
		wantLoc := icsText(venue)
		if wantLoc == "" {
			wantLoc = icsText(link)
		}
		if got := value(ics.ComponentPropertyLocation); got != wantLoc {
			t.Fatalf("LOCATION %q, want %q\n%q", got, wantLoc, data)
		}
		if u := value(ics.ComponentPropertyUrl); u != "" && u != icsURI(link) {
			t.Fatalf("URL %q from link %q", u, link)
		}
	})
}
