package bot_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
)

// Partner meetings end to end through the fake Bot API: a registered
// organisation sees whom to meet at the workshop, asks for a meeting in a
// slot; the other side (in Indonesian) accepts it; both are told the table;
// the calendar file holds the meeting; the reminder ten minutes before names
// the table, once; after the meeting each side is asked what came of it.
func TestMeetingsEndToEnd(t *testing.T) {
	e := newEnv(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	e.clock.Set(now)
	ctx := context.Background()
	start := time.Date(2026, 12, 10, 2, 0, 0, 0, time.UTC) // 09:00 WIB
	w := &flows.Workshop{Code: flows.NewCode(), Title: "Lokakarya Air", Zone: "Asia/Jakarta", Start: start, End: start.Add(4 * time.Hour),
		Deadline: start, Venue: "Balai Desa", Facilitators: []int64{adminID}, CreatedBy: adminID, Created: now}
	if err := e.store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	setup := &flows.MeetingSetup{Workshop: w.Code, SlotMinutes: 20, MaxPerOrg: 3,
		Windows: []flows.MeetWindow{{Start: start.Add(time.Hour), End: start.Add(2 * time.Hour)}},
		Tables:  []flows.MeetTable{{ID: 1, Name: "Meja Melati"}, {ID: 2, Name: "Meja Kenanga"}}}
	if _, err := e.store.SaveMeetingSetup(ctx, setup, false, now); err != nil {
		t.Fatal(err)
	}
	a := telegramtest.User{ID: 5001, FirstName: "Ayu", LanguageCode: "en"}
	b := telegramtest.User{ID: 5002, FirstName: "Budi", Username: "budi_dana", LanguageCode: "id"}
	e.mmSeed(a.ID, "Yayasan Air", "ngo", []string{"wash"}, []string{"NT"}, []string{"volunteers"}, []string{"funding"})
	e.mmSeed(b.ID, "PT Dana", "csr", []string{"wash"}, []string{"NT"}, []string{"funding"}, []string{"volunteers"})
	if err := e.store.SaveUser(ctx, &flows.User{ID: b.ID, Lang: "id", FirstName: "Budi", Username: "budi_dana", Consent: flows.ConsentVersion}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []telegramtest.User{a, b} {
		if _, err := e.store.Register(ctx, &flows.Registration{Workshop: w.Code, UserID: u.ID, Token: flows.NewToken(), Lang: u.LanguageCode}, now); err != nil {
			t.Fatal(err)
		}
	}
	bt, _ := e.startBot()
	press := func(u telegramtest.User, m telegramtest.Message, label string) {
		t.Helper()
		e.fake.Press(u, m.ID, buttonData(t, m, label))
	}

	// Whom to meet: PT Dana, with the reasons.
	e.fake.SendText(a, "/meetings")
	mine := e.next(a.ID)
	contains(t, mine, "No meetings yet")
	press(a, mine, "Whom to meet here")
	card := e.lastEdited(a.ID)
	contains(t, card, "PT Dana")
	contains(t, card, "they offer funding, which you need")

	// The request: one slot (10:20 WIB), no note.
	press(a, card, "Ask for a meeting")
	slots := e.next(a.ID)
	contains(t, slots, "When would you like to meet PT Dana")
	press(a, slots, "10:20")
	slots = e.mmEdited(a.ID, slots.ID, "✅ 10:20 WIB")
	press(a, slots, "Done")
	press(a, e.next(a.ID), "No note")
	contains(t, e.next(a.ID), "Your request was sent to PT Dana")

	// B sees the request in Indonesian, without A's contact, and accepts.
	req := e.next(b.ID)
	contains(t, req, "Yayasan Air (LSM / yayasan) ingin bertemu Anda di Lokakarya Air")
	for _, row := range req.Buttons {
		for _, bt := range row {
			if bt.URL != "" {
				t.Fatalf("a contact before accepting: %v", req.Buttons)
			}
		}
	}
	press(b, req, "10.20")
	contains(t, e.next(b.ID), "Meja Melati")
	booked := e.next(a.ID)
	contains(t, booked, "Meeting booked with PT Dana")
	contains(t, booked, "Meja Melati")
	contains(t, booked, "@budi_dana")

	// The calendar file holds the meeting.
	e.fake.SendText(a, "/meetings")
	list := e.next(a.ID)
	contains(t, list, "Meja Melati · PT Dana")
	press(a, list, "Calendar file")
	ics := e.next(a.ID)
	if ics.Document == nil || !bytes.Contains(ics.Document.Data, []byte("DTSTART;TZID=Asia/Jakarta:20261210T102000")) ||
		!bytes.Contains(ics.Document.Data, []byte("LOCATION:Meja Melati")) {
		t.Fatalf("calendar file %+v", ics.Document)
	}

	// The reminder ten minutes before, once; the question after.
	slot := start.Add(80 * time.Minute)
	tick := func(at time.Time) int {
		t.Helper()
		e.clock.Set(at)
		n, err := bt.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := tick(slot.Add(-11 * time.Minute)); n != 0 {
		t.Fatalf("%d jobs before their time", n)
	}
	if n := tick(slot.Add(-10 * time.Minute)); n != 2 {
		t.Fatalf("%d reminders, want 2", n)
	}
	contains(t, e.next(a.ID), "In 10 minutes, 10:20 WIB: your meeting with PT Dana at Meja Melati")
	contains(t, e.next(b.ID), "Meja Melati")
	if n := tick(slot.Add(-9 * time.Minute)); n != 0 {
		t.Fatalf("a reminder ran twice: %d", n)
	}
	if n := tick(slot.Add(20 * time.Minute)); n != 2 {
		t.Fatalf("%d questions after the meeting, want 2", n)
	}
	q := e.next(a.ID)
	contains(t, q, "Did you meet PT Dana")
	press(a, q, "Partnership planned")
	contains(t, e.lastEdited(a.ID), "Partnership planned")
	ms, err := e.store.UserMeetings(ctx, w.Code, a.ID)
	if err != nil || len(ms) != 1 || ms[0].OutcomeFrom != flows.OutcomePartnership {
		t.Fatalf("meetings %+v %v", ms, err)
	}

	// The team: the card with the counts, the grid as a picture, a workbook and a CSV.
	fac := telegramtest.User{ID: adminID, FirstName: "Admin", LanguageCode: "en"}
	e.clock.Set(now)
	e.fake.SendText(fac, "/meetsetup")
	choose := e.next(fac.ID)
	press(fac, choose, "Lokakarya Air")
	teamCard := e.lastEdited(fac.ID)
	contains(t, teamCard, "Accepted: 1 · 🤝 Held: 1 · 🌱 Partnerships planned: 1")
	press(fac, teamCard, "Grid")
	pic := e.next(fac.ID)
	if pic.Photo == nil || !bytes.HasPrefix(pic.Photo.Data, []byte("\x89PNG")) {
		t.Fatalf("grid picture %+v", pic)
	}
	contains(t, pic, "Meeting grid · Lokakarya Air")
	e.next(fac.ID) // the workbook
	csv := e.next(fac.ID)
	if csv.Document == nil || !bytes.Contains(csv.Document.Data, []byte("Yayasan Air ↔ PT Dana")) {
		t.Fatalf("grid csv %+v", csv.Document)
	}
}
