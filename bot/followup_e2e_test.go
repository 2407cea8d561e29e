package bot_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"sync"
	"testing"
	"time"

	"sinergi/bot"
	"sinergi/bot/telegramtest"
	"sinergi/flows"
)

// Follow-up end to end: collection, commitments (one on behalf of another),
// reminders at the right local time from two schedulers sharing one Redis,
// status answers, one escalation, and the report.
func TestFollowUpEndToEnd(t *testing.T) {
	e := newEnv(t)
	jkt := flows.LoadZone("Asia/Jakarta")
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, jkt)
	e.clock.Set(now)
	ctx := context.Background()
	w := &flows.Workshop{Code: "fuwrk2", Title: "Lokakarya Desa", Zone: "Asia/Jakarta", Start: now.Add(-4 * time.Hour), End: now.Add(-time.Hour),
		Deadline: now.Add(-4 * time.Hour), Venue: "Balai Desa", Facilitators: []int64{adminID}, CreatedBy: adminID, Created: now}
	if err := e.store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	w.Deadline = now.Add(time.Hour) // registration was open when they registered
	_, _ = e.store.UpdateWorkshop(ctx, w)
	ps := []telegramtest.User{{ID: 3001, FirstName: "Ani", LanguageCode: "en"}, {ID: 3002, FirstName: "Bayu", LanguageCode: "en"}, {ID: 3003, FirstName: "Cici", LanguageCode: "id"}}
	for _, p := range ps {
		_ = e.store.SaveUser(ctx, &flows.User{ID: p.ID, Lang: p.LanguageCode, FirstName: p.FirstName, Created: now, Seen: now})
		_ = e.store.SaveProfile(ctx, &flows.Profile{UserID: p.ID, FullName: p.FirstName + " Putri", Organisation: "Yayasan " + p.FirstName, ConsentVersion: flows.ConsentVersion})
		if _, err := e.store.Register(ctx, &flows.Registration{Workshop: w.Code, UserID: p.ID, Token: flows.NewToken(), Lang: p.LanguageCode}, now); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.CheckIn(ctx, w.Code, p.ID, now); err != nil {
			t.Fatal(err)
		}
	}
	botA, _ := e.startBot()
	botB := e.newBot(ctx) // a second process: its scheduler shares the Redis
	defer botB.Close()
	admin := telegramtest.User{ID: adminID, FirstName: "Fasilitator", LanguageCode: "en"}
	press := func(u telegramtest.User, m telegramtest.Message, label string) {
		t.Helper()
		e.fake.Press(u, m.ID, buttonData(t, m, label))
	}

	// The facilitator opens collection: all three are invited.
	e.fake.SendText(admin, "/start ws_"+w.Code)
	press(admin, e.next(admin.ID), "Manage")
	press(admin, e.next(admin.ID), "Collect commitments")
	contains(t, e.next(admin.ID), "sent to 3 participants")
	for _, p := range ps {
		e.next(p.ID) // the invitation
	}

	// Ani commits herself, then writes one down for Bayu.
	ani, bayu := ps[0], ps[1]
	commit := func(what, owner string) {
		t.Helper()
		press(ani, e.fake.BotMessages(ani.ID)[0], "Add my commitment")
		e.skip(ani.ID, 1)
		e.next(ani.ID)
		e.fake.SendText(ani, what)
		press(ani, e.next(ani.ID), owner)
		e.next(ani.ID)
		e.fake.SendText(ani, "30/11/2026")
		press(ani, e.next(ani.ID), "Skip")
		press(ani, e.next(ani.ID), "Skip")
		press(ani, e.next(ani.ID), "Save")
		e.next(ani.ID)
	}
	commit("Pemetaan 20 keluarga rentan", "Me")
	commit("Data baseline desa", "Bayu Putri")
	proposal := e.next(bayu.ID)
	contains(t, proposal, "Data baseline desa")
	press(bayu, proposal, "I take it on")
	contains(t, e.next(bayu.ID), "Confirmed")
	e.next(ani.ID) // "Bayu accepted"

	// Both schedulers tick at each moment; every reminder arrives once.
	tickBoth := func(at time.Time) int {
		t.Helper()
		e.clock.Set(at)
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for _, b := range []*bot.Bot{botA, botB} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := b.Tick(ctx)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		return total
	}
	count := func(u telegramtest.User, text string) int {
		n := 0
		for _, m := range e.fake.BotMessages(u.ID) {
			if strings.Contains(m.Plain, text) {
				n++
			}
		}
		return n
	}
	threeDays := time.Date(2026, 11, 27, 9, 0, 0, 0, jkt)
	if n := tickBoth(threeDays.Add(-time.Minute)); n != 0 {
		t.Fatalf("%d jobs before 09:00 WIB", n)
	}
	tickBoth(threeDays)
	tickBoth(threeDays.Add(time.Minute))
	e.waitFor("3-day reminders", func() bool { return count(ani, "Due in 3 days") == 1 && count(bayu, "Due in 3 days") == 1 })
	tickBoth(time.Date(2026, 11, 30, 9, 0, 0, 0, jkt))
	e.waitFor("due-day reminders", func() bool { return count(ani, "Due today") == 1 && count(bayu, "Due today") == 1 })

	// Ani answers from the reminder: on track, with a note.
	var due telegramtest.Message
	for _, m := range e.fake.BotMessages(ani.ID) {
		if strings.Contains(m.Plain, "Due today") {
			due = m
		}
	}
	press(ani, due, "On track")
	e.waitFor("note question", func() bool { return count(ani, "Add a short note") == 1 })
	e.fake.SendText(ani, "12 dari 20 keluarga sudah dipetakan")
	e.waitFor("thanks", func() bool { return count(ani, "your update is recorded") == 1 })

	// A week overdue: the facilitator is told once per commitment.
	tickBoth(time.Date(2026, 12, 7, 9, 0, 0, 0, jkt))
	tickBoth(time.Date(2026, 12, 7, 10, 0, 0, 0, jkt))
	e.waitFor("escalations", func() bool { return count(admin, "A week overdue") == 2 })
	time.Sleep(200 * time.Millisecond)
	if n := count(admin, "A week overdue"); n != 2 {
		t.Fatalf("%d escalations, want 2", n)
	}
	if count(ani, "Due in 3 days") != 1 || count(ani, "Due today") != 1 {
		t.Fatal("a reminder was sent twice")
	}

	// The report: counts, chart, CSV rows.
	e.fake.SendText(admin, "/report")
	press(admin, e.waitMsg(admin.ID, "Report of which workshop"), "Lokakarya Desa")
	rep := e.waitMsg(admin.ID, "2 commitments, 0% done")
	contains(t, rep, "overdue, whatever the status: 2")
	chart := e.waitMsg(admin.ID, "Status of the commitments")
	if chart.Photo == nil || !bytes.HasPrefix(chart.Photo.Data, []byte("\x89PNG")) {
		t.Fatal("no PNG chart")
	}
	if book := e.waitMsg(admin.ID, "status history (Excel workbook"); book.Document == nil || !strings.HasSuffix(book.Document.Name, ".xlsx") {
		t.Fatalf("workbook %+v", book)
	}
	doc := e.waitMsg(admin.ID, "The same as CSV")
	rows, err := csv.NewReader(bytes.NewReader(doc.Document.Data[3:])).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("csv %q %v", rows, err)
	}
	byWhat := map[string][]string{rows[1][0]: rows[1], rows[2][0]: rows[2]}
	if r := byWhat["Pemetaan 20 keluarga rentan"]; r == nil || r[1] != "Ani Putri" || !strings.Contains(r[9], "on track: 12 dari 20 keluarga") {
		t.Fatalf("csv %q", rows)
	}
	if r := byWhat["Data baseline desa"]; r == nil || r[1] != "Bayu Putri" || !strings.Contains(r[9], "accepted by the owner") {
		t.Fatalf("csv %q", rows)
	}
}

// waitMsg waits for the bot's latest message in the chat containing text.
func (e *env) waitMsg(chat int64, text string) telegramtest.Message {
	e.t.Helper()
	var got telegramtest.Message
	e.waitFor("a message containing "+text, func() bool {
		msgs := e.fake.BotMessages(chat)
		for i := len(msgs) - 1; i >= 0; i-- {
			if strings.Contains(msgs[i].Plain, text) {
				got = msgs[i]
				return true
			}
		}
		return false
	})
	return got
}
