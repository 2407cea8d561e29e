package bot_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	ical "github.com/arran4/golang-ical"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
)

// The agenda end to end, against real Redis and the fake Bot API: the team
// adds a parallel session of one seat from the management card; a
// registrant is invited to choose after the confirmation and takes the
// seat; a second is told it is full; the calendar file holds the workshop
// and the session; the scheduler sends the reminder 15 minutes before the
// session, to the one who holds the seat only.
func TestAgendaEndToEnd(t *testing.T) {
	e := newEnv(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	e.clock.Set(now)
	b, _ := e.startBot()
	ctx := context.Background()
	jkt := flows.LoadZone("Asia/Jakarta")
	w := &flows.Workshop{Code: "agdabc", Title: "Lokakarya Air Bersih", Zone: "Asia/Jakarta", Venue: "Hotel Sahid",
		Start: time.Date(2026, 12, 10, 9, 0, 0, 0, jkt), End: time.Date(2026, 12, 10, 12, 0, 0, 0, jkt),
		Deadline: time.Date(2026, 12, 9, 9, 0, 0, 0, jkt), Facilitators: []int64{adminID}, Owner: adminID, CreatedBy: adminID, Created: now}
	if err := e.store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	fac := telegramtest.User{ID: adminID, FirstName: "Fasilitator", LanguageCode: "en"}
	press := func(u telegramtest.User, m telegramtest.Message, label string) {
		t.Helper()
		e.fake.Press(u, m.ID, buttonData(t, m, label))
	}

	// The team adds "FGD Sanitasi", 10:00–11:00 in Ruang 2, one seat.
	e.fake.SendText(fac, "/myworkshops")
	press(fac, e.next(fac.ID), "Lokakarya Air Bersih")
	press(fac, e.next(fac.ID), "Agenda and sessions")
	agenda := e.next(fac.ID)
	contains(t, agenda, "0 sessions")
	press(fac, agenda, "Add a session")
	contains(t, e.next(fac.ID), "title")
	e.fake.SendText(fac, "FGD Sanitasi")
	contains(t, e.next(fac.ID), "09:00 WIB")
	e.fake.SendText(fac, "08:00")
	contains(t, e.next(fac.ID), "within the workshop")
	e.next(fac.ID) // asked again
	e.fake.SendText(fac, "10:00")
	e.next(fac.ID)
	e.fake.SendText(fac, "11:00")
	e.next(fac.ID)
	e.fake.SendText(fac, "Ruang 2")
	press(fac, e.next(fac.ID), "Skip")
	e.next(fac.ID) // capacity?
	e.fake.SendText(fac, "1")
	contains(t, e.next(fac.ID), "FGD Sanitasi")
	contains(t, e.next(fac.ID), "1 of 1 seat left")

	// Two registrants with a profile; the first takes the seat.
	users := []telegramtest.User{{ID: 3101, FirstName: "Ayu", LanguageCode: "id"}, {ID: 3102, FirstName: "Budi", LanguageCode: "en"}}
	for _, u := range users {
		if err := e.store.SaveProfile(ctx, &flows.Profile{UserID: u.ID, FullName: u.FirstName + " Lestari", Organisation: "Yayasan", ConsentVersion: flows.ConsentVersion}); err != nil {
			t.Fatal(err)
		}
		e.fake.SendText(u, "/start ws_agdabc")
		card := e.next(u.ID)
		contains(t, card, "FGD Sanitasi")
		press(u, card, "✅")
		e.skip(u.ID, 3) // confirmation, calendar, QR
		invite := e.next(u.ID)
		press(u, invite, "🗓")
		choose := e.next(u.ID)
		contains(t, choose, "FGD Sanitasi")
		press(u, choose, "➕ FGD Sanitasi")
	}
	contains(t, e.next(users[0].ID), "Anda mendapat kursi di “FGD Sanitasi”")
	contains(t, e.next(users[1].ID), "“FGD Sanitasi” is full")

	// The calendar: the workshop and the chosen session.
	mine := e.next(users[0].ID) // the choose card after joining
	press(users[0], mine, "📅")
	file := e.next(users[0].ID)
	if file.Document == nil {
		t.Fatalf("no calendar file: %q", file.Plain)
	}
	cal, err := ical.ParseCalendar(bytes.NewReader(file.Document.Data))
	if err != nil {
		t.Fatal(err)
	}
	if evs := cal.Events(); len(evs) != 2 || evs[1].GetProperty(ical.ComponentPropertySummary).Value != "FGD Sanitasi" {
		t.Fatalf("calendar events: %d", len(evs))
	}

	// The reminder, 15 minutes before the session, to Ayu only.
	// (The workshop's own reminders run first.)
	e.clock.Set(time.Date(2026, 12, 10, 9, 44, 0, 0, jkt))
	if _, err := b.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(time.Date(2026, 12, 10, 9, 45, 0, 0, jkt))
	if n, err := b.Tick(ctx); err != nil || n != 1 {
		t.Fatalf("tick at the reminder: %d jobs (want Ayu's only), %v", n, err)
	}
	for {
		m := e.next(users[0].ID)
		if strings.Contains(m.Plain, "FGD Sanitasi") && strings.Contains(m.Plain, "Ruang 2") && strings.Contains(m.Plain, "15") {
			break
		}
	}
	msgs := e.fake.BotMessages(users[1].ID)
	for _, m := range msgs {
		if strings.Contains(m.Plain, "⏰") && strings.Contains(m.Plain, "FGD") {
			t.Fatalf("Budi, who holds no seat, was reminded: %q", m.Plain)
		}
	}
}
