package bot_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
)

// Surveys end to end, against real Redis and the fake Bot API: the
// request planned at registration goes out after the workshop's end to
// the attendee only; they answer the default survey with the buttons and
// a comment, anonymously; the team's results come with the chart (a PNG
// photo) and the answers as a workbook and CSV, the comment listed without
// a name.
func TestSurveysEndToEnd(t *testing.T) {
	e := newEnv(t)
	start := time.Date(2026, 12, 10, 2, 0, 0, 0, time.UTC)
	e.clock.Set(start.Add(-time.Hour))
	ctx := context.Background()
	w := &flows.Workshop{Code: flows.NewCode(), Title: "Lokakarya Air Bersih", Zone: "Asia/Jakarta", Start: start,
		End: start.Add(3 * time.Hour), Deadline: start, Venue: "Balai Desa", Facilitators: []int64{adminID}, Owner: adminID,
		CreatedBy: adminID, Created: start.Add(-10 * 24 * time.Hour)}
	if err := e.store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	ps := []telegramtest.User{{ID: 5101, FirstName: "Ani", LanguageCode: "en"}, {ID: 5102, FirstName: "Absen", LanguageCode: "id"}}
	for i, p := range ps {
		if err := e.store.SaveUser(ctx, &flows.User{ID: p.ID, Lang: p.LanguageCode, FirstName: p.FirstName, Consent: flows.ConsentVersion, Created: start, Seen: start}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Register(ctx, &flows.Registration{Workshop: w.Code, UserID: p.ID, RegisteredAt: start.Add(-48 * time.Hour), Token: flows.NewToken(), Lang: p.LanguageCode}, start.Add(-48*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := flows.PlanReminders(ctx, e.store, w, p.ID, start.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, err := e.store.CheckIn(ctx, w.Code, p.ID, start.Add(-30*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.clock.Set(w.End.Add(time.Minute))
	b, _ := e.startBot()
	if n, err := b.Tick(ctx); err != nil || n != 2 {
		t.Fatalf("tick: %d jobs, %v", n, err)
	}
	ani := ps[0]
	inv := e.next(ani.ID)
	contains(t, inv, "Lokakarya Air Bersih is over — how was it? The survey has 4 questions.")
	e.fake.Press(ani, inv.ID, buttonData(t, inv, "📝 Answer the survey"))
	q := e.next(ani.ID)
	for !strings.Contains(q.Plain, "1/4") {
		q = e.next(ani.ID)
	}
	contains(t, q, "Overall, how was the workshop?")
	e.fake.Press(ani, q.ID, buttonData(t, q, "5"))
	q = e.next(ani.ID)
	for !strings.Contains(q.Plain, "2/4") {
		q = e.next(ani.ID)
	}
	e.fake.Press(ani, q.ID, buttonData(t, q, "4"))
	q = e.next(ani.ID)
	for !strings.Contains(q.Plain, "3/4") {
		q = e.next(ani.ID)
	}
	e.fake.Press(ani, q.ID, buttonData(t, q, "Maybe"))
	q = e.next(ani.ID)
	for !strings.Contains(q.Plain, "4/4") {
		q = e.next(ani.ID)
	}
	e.fake.SendText(ani, "More time for <questions>")
	share := e.next(ani.ID)
	contains(t, share, "may the workshop team see your name")
	e.fake.Press(ani, share.ID, buttonData(t, share, "No, stay anonymous"))
	done := e.next(ani.ID)
	for !strings.Contains(done.Plain, "Thank you") {
		done = e.next(ani.ID)
	}
	contains(t, done, "saved, without your name")
	// The absentee was asked whether they joined online? No: the workshop
	// has no online link, so they got nothing.
	if m := e.fake.BotMessages(ps[1].ID); len(m) != 0 {
		t.Fatalf("the absentee got %d messages", len(m))
	}

	admin := telegramtest.User{ID: adminID, FirstName: "Fasilitator", LanguageCode: "en"}
	e.fake.SendText(admin, "/survey")
	list := e.next(admin.ID)
	e.fake.Press(admin, list.ID, buttonData(t, list, "Lokakarya Air Bersih"))
	card := e.next(admin.ID)
	contains(t, card, "1 answer so far")
	e.fake.Press(admin, card.ID, buttonData(t, card, "📊 Results"))
	res := e.next(admin.ID)
	contains(t, res, "1 answer from 1 who attended")
	contains(t, res, "⭐ 5.0/5 from 1 rating")
	contains(t, res, "• More time for <questions>")
	if strings.Contains(res.Plain, "Ani") {
		t.Fatalf("the anonymous answer names its author: %s", res.Plain)
	}
	chart := e.next(admin.ID)
	if chart.Media != "photo" || chart.Photo == nil || !bytes.HasPrefix(chart.Photo.Data, []byte("\x89PNG")) {
		t.Fatalf("chart %s %+v", chart.Media, chart.Photo)
	}
	book := e.next(admin.ID)
	csv := e.next(admin.ID)
	if book.Document == nil || csv.Document == nil || !strings.Contains(string(csv.Document.Data), "More time for <questions>") || !strings.Contains(string(csv.Document.Data), "(anonymous)") {
		t.Fatalf("table files %+v / %+v", book.Document, csv.Document)
	}
}
