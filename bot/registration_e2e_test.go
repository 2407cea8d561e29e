package bot_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
)

// The registration path end to end, against real Redis and the fake Bot API.
func TestWorkshopRegistrationEndToEnd(t *testing.T) {
	e := newEnv(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	e.clock.Set(now)
	b, _ := e.startBot()
	ctx := context.Background()
	fac := telegramtest.User{ID: adminID, FirstName: "Fasilitator", LanguageCode: "en"}
	press := func(u telegramtest.User, m telegramtest.Message, label string) {
		t.Helper()
		e.fake.Press(u, m.ID, buttonData(t, m, label))
	}

	// The facilitator creates a workshop with capacity 2.
	e.fake.SendText(fac, "/newworkshop")
	e.skip(fac.ID, 1)
	contains(t, e.next(fac.ID), "title")
	e.fake.SendText(fac, "Joint Action: Air Bersih & Sanitasi <Flores>")
	press(fac, e.next(fac.ID), "No description")
	press(fac, e.next(fac.ID), "WIB")
	contains(t, e.next(fac.ID), "start")
	e.fake.SendText(fac, "10/12/2026 09:00")
	contains(t, e.next(fac.ID), "Thursday, 10 December 2026 09:00 WIB")
	e.fake.SendText(fac, "12:00")
	e.next(fac.ID)
	e.fake.SendText(fac, "Hotel Sahid, Jakarta")
	e.next(fac.ID)
	e.fake.SendText(fac, "https://zoom.us/j/123")
	press(fac, e.next(fac.ID), "One list for everyone")
	e.next(fac.ID)
	e.fake.SendText(fac, "2")
	press(fac, e.next(fac.ID), "Until the start")
	press(fac, e.next(fac.ID), "No question")
	summary := e.next(fac.ID)
	contains(t, summary, "Joint Action: Air Bersih & Sanitasi <Flores>")
	press(fac, summary, "Save")
	created := e.next(fac.ID)
	contains(t, created, "https://t.me/"+telegramtest.BotUsername+"?start=ws_")
	link := created.Plain[strings.Index(created.Plain, "https://t.me/"):]
	code := strings.TrimPrefix(strings.Fields(link)[0], "https://t.me/"+telegramtest.BotUsername+"?start=ws_")

	// Three participants register through the deep link; the third waits.
	users := []telegramtest.User{
		{ID: 2001, FirstName: "Ayu", LanguageCode: "id"},
		{ID: 2002, FirstName: "Budi", LanguageCode: "en"},
		{ID: 2003, FirstName: "Citra", LanguageCode: "en"},
	}
	for i, u := range users {
		e.fake.SendText(u, "/start ws_"+code)
		card := e.next(u.ID)
		if i < 2 {
			press(u, card, "✅")
		} else {
			press(u, card, "⏳")
		}
		e.skip(u.ID, 2) // "profile first", intro
		e.next(u.ID)    // name?
		e.fake.SendText(u, u.FirstName+" Lestari")
		e.next(u.ID)
		e.fake.SendText(u, "Yayasan "+u.FirstName)
		press(u, e.next(u.ID), map[string]string{"id": "LSM", "en": "NGO"}[u.LanguageCode])
		e.next(u.ID)
		e.fake.SendText(u, "Nusa Tenggara Timur")
		press(u, e.next(u.ID), "✅")
		e.next(u.ID) // profile saved
		got := e.next(u.ID)
		if i < 2 {
			contains(t, got, "Joint Action")
			ics := e.next(u.ID)
			qr := e.next(u.ID)
			if ics.Document == nil || !bytes.Contains(ics.Document.Data, []byte("BEGIN:VCALENDAR")) || qr.Photo == nil || !bytes.HasPrefix(qr.Photo.Data, []byte("\x89PNG")) {
				t.Fatalf("user %d: no calendar file or QR code", u.ID)
			}
		} else {
			contains(t, got, "number 1 on the waiting list")
		}
	}

	// Ayu cancels: the seat is offered to Citra (a new workshop offers
	// freed seats), held for 24 hours, shown in the workshop's zone.
	e.fake.SendText(users[0], "/mine")
	press(users[0], e.next(users[0].ID), "Batalkan")
	press(users[0], e.next(users[0].ID), "Ya, batalkan")
	contains(t, e.next(users[0].ID), "dibatalkan")
	offer := e.next(users[2].ID)
	contains(t, offer, "held for you until Tuesday, 24 November 2026 17:00 WIB")
	if c, _ := e.store.Counts(ctx, code); c.Confirmed != 1 || c.Offered != 1 || c.Waiting != 0 {
		t.Fatalf("counts while offered %+v", c)
	}
	// The facilitator's card shows whom the seat is held for, and until when.
	e.fake.SendText(fac, "/myworkshops")
	press(fac, e.next(fac.ID), "Joint Action")
	contains(t, e.next(fac.ID), "🎟 Citra Lestari — offered until Tuesday, 24 November 2026 17:00 WIB")
	// /mine shows the offer with its buttons; Citra accepts: the ticket.
	e.fake.SendText(users[2], "/mine")
	mine := e.next(users[2].ID)
	contains(t, mine, "A seat is offered to you until Tuesday, 24 November 2026 17:00 WIB")
	press(users[2], mine, "Accept the seat")
	contains(t, e.next(users[2].ID), "You are registered for")
	ics, qr := e.next(users[2].ID), e.next(users[2].ID)
	if ics.Document == nil || qr.Photo == nil {
		t.Fatalf("accepted offer: no calendar file or QR code")
	}
	if c, _ := e.store.Counts(ctx, code); c.Confirmed != 2 || c.Waiting != 0 || c.Offered != 0 {
		t.Fatalf("counts %+v", c)
	}

	// The CSV export has the right rows.
	e.fake.SendText(fac, "/myworkshops")
	press(fac, e.next(fac.ID), "Joint Action")
	card := e.next(fac.ID)
	contains(t, card, "Registered: 2/2")
	press(fac, card, "Export (Excel, CSV)")
	// The Excel workbook first (bot/xlsx tests its cells), then the CSV.
	book := e.next(fac.ID)
	if book.Document == nil || book.Document.Name != "registrants-"+code+".xlsx" || !bytes.HasPrefix(book.Document.Data, []byte("PK")) {
		t.Fatalf("workbook %+v", book)
	}
	doc := e.next(fac.ID)
	if doc.Document == nil || !bytes.HasPrefix(doc.Document.Data, []byte("\xef\xbb\xbf")) {
		t.Fatalf("export %+v", doc)
	}
	rows, err := csv.NewReader(bytes.NewReader(doc.Document.Data[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "Name" || rows[1][0] != "Budi Lestari" || rows[2][0] != "Citra Lestari" ||
		rows[1][2] != "NGO / foundation" || rows[1][5] != "confirmed" || rows[1][4] != "en" {
		t.Fatalf("csv rows %q", rows)
	}

	// Check-in through the QR link: works for the facilitator, refused for a participant.
	reg, err := e.store.GetRegistration(ctx, code, users[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	e.fake.SendText(users[2], "/start checkin_"+reg.Token)
	contains(t, e.next(users[2].ID), "Only this workshop's team")
	e.fake.SendText(fac, "/start checkin_"+reg.Token)
	contains(t, e.next(fac.ID), "Check-in for Joint Action: Air Bersih & Sanitasi <Flores> is not open yet: it opens Thursday, 10 December 2026 07:00 WIB.")
	e.clock.Set(time.Date(2026, 12, 10, 7, 30, 0, 0, flows.LoadZone("Asia/Jakarta")))
	e.fake.SendText(fac, "/start checkin_"+reg.Token)
	contains(t, e.next(fac.ID), "Budi Lestari (Yayasan Budi) checked in")
	contains(t, e.next(users[1].ID), "You are checked in")

	// Reminders fire at the right instants, once.
	ws, _ := e.store.GetWorkshop(ctx, code)
	dayBefore, soon := flows.ReminderTimes(ws)
	tick := func(at time.Time) int {
		t.Helper()
		e.clock.Set(at)
		n, err := b.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Before the reminders only the offer sweep planned when Ayu cancelled
	// (Citra waited) runs, and finds the offer's jobs in place: nothing sent.
	if n := tick(dayBefore.Add(-time.Minute)); n != 1 {
		t.Fatalf("%d jobs before their time, want the offer sweep", n)
	}
	if n := tick(dayBefore); n != 2 {
		t.Fatalf("%d reminders the day before, want 2", n)
	}
	contains(t, e.next(users[1].ID), "starts tomorrow, Thursday, 10 December 2026 09:00 WIB")
	contains(t, e.next(users[2].ID), "starts tomorrow")
	if n := tick(dayBefore.Add(time.Minute)); n != 0 {
		t.Fatalf("reminder ran twice: %d", n)
	}

	// Editing the start time moves the reminders.
	e.clock.Set(now)
	e.fake.SendText(fac, "/myworkshops")
	press(fac, e.next(fac.ID), "Joint Action")
	press(fac, e.next(fac.ID), "✏️ Edit")
	press(fac, e.next(fac.ID), "✏️ Edit")
	press(fac, e.lastEdited(fac.ID), "Start")
	e.next(fac.ID)
	e.fake.SendText(fac, "11/12/2026 10:00")
	press(fac, e.next(fac.ID), "Save")
	contains(t, e.next(fac.ID), "is updated")
	contains(t, e.next(users[1].ID), "has changed")
	due, ok, err := e.store.JobDue(ctx, "wr2|"+code+"|"+"2002")
	if err != nil || !ok || !due.Equal(soon.Add(25*time.Hour)) {
		t.Fatalf("2-hour reminder due %v %v %v, want %v", due, ok, err, soon.Add(25*time.Hour))
	}
}

// lastEdited returns the bot's most recent message in the chat after an
// edit in place (the Edit menu replaces the summary's buttons).
func (e *env) lastEdited(chat int64) telegramtest.Message {
	e.t.Helper()
	var m telegramtest.Message
	e.waitFor("an edited message", func() bool {
		msgs := e.fake.BotMessages(chat)
		if len(msgs) == 0 || !msgs[len(msgs)-1].Edited {
			return false
		}
		m = msgs[len(msgs)-1]
		return true
	})
	return m
}

// Reminders found late — the bot was down, or the clock jumped — still go
// out while the workshop is ahead, saying the time really left; those of a
// workshop that has begun are dropped and counted.
func TestLateRemindersEndToEnd(t *testing.T) {
	e := newEnv(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	e.clock.Set(now)
	b, _ := e.startBot()
	ctx := context.Background()
	jkt := flows.LoadZone("Asia/Jakarta")
	start := time.Date(2026, 11, 26, 9, 0, 0, 0, jkt)
	w := &flows.Workshop{Code: "late23", Title: "Lokakarya", Start: start, End: start.Add(3 * time.Hour), Zone: "Asia/Jakarta",
		Venue: "Jakarta", Deadline: start, Facilitators: []int64{adminID}, CreatedBy: adminID, Created: now}
	if err := e.store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	for _, uid := range []int64{3001, 3002} {
		if _, err := e.store.Register(ctx, &flows.Registration{Workshop: w.Code, UserID: uid, RegisteredAt: now, Token: flows.NewToken(), Lang: "en"}, now); err != nil {
			t.Fatal(err)
		}
		jobs, _ := flows.ReminderJobs(w, uid, now)
		if err := e.store.Schedule(ctx, jobs...); err != nil {
			t.Fatal(err)
		}
	}
	// 3002 will be forgotten by the scheduler for a while: only 3001's jobs run now.
	if err := e.store.Unschedule(ctx, "wr1|late23|3002", "wr2|late23|3002"); err != nil {
		t.Fatal(err)
	}
	// Three days on (the playground's "+3 days"): 20 hours before the
	// start, the day-before reminder is late but still sent, and says so.
	e.clock.Set(start.Add(-20 * time.Hour))
	if n, err := b.Tick(ctx); err != nil || n != 1 {
		t.Fatalf("tick: %d jobs, %v", n, err)
	}
	contains(t, e.next(3001), "Lokakarya starts tomorrow, Thursday, 26 November 2026 09:00 WIB")
	// The 2-hour reminder found half an hour late says what is left.
	e.clock.Set(start.Add(-90 * time.Minute))
	if n, err := b.Tick(ctx); err != nil || n != 1 {
		t.Fatalf("tick: %d jobs, %v", n, err)
	}
	contains(t, e.next(3001), "Lokakarya starts in 90 minutes")
	// … and one found after the start is dropped and counted.
	e.clock.Set(start.Add(-40 * time.Hour))
	if err := e.store.Schedule(ctx, flows.Job{ID: "wr1|late23|3002", Due: start.Add(-24 * time.Hour)}, flows.Job{ID: "wr2|late23|3002", Due: start.Add(-2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(start.Add(time.Minute))
	if n, err := b.Tick(ctx); err != nil || n != 2 {
		t.Fatalf("tick: %d jobs, %v", n, err)
	}
	if got := lateCount(t, e, "wr1") + lateCount(t, e, "wr2"); got != 2 {
		t.Fatalf("dropped-late metric %v, want 2", got)
	}
	if msgs := e.fake.BotMessages(3002); len(msgs) != 0 {
		t.Fatalf("reminders after the start: %v", msgs)
	}
}

// lateCount reads sinergi_jobs_dropped_late_total{kind}.
func lateCount(t *testing.T, e *env, kind string) float64 {
	t.Helper()
	mfs, err := e.metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "sinergi_jobs_dropped_late_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "kind" && l.GetValue() == kind {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
