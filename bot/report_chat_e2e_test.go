package bot_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
)

// The progress report posted into a workshop's facilitators' topic from
// the report screen, through the fake Bot API: the text, the PNG chart and
// the files (the workbook and its CSV twin, which once went to the
// General topic) land in that topic; the facilitator is told privately.
func TestReportPostedInFacilitatorsTopicE2E(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	now := time.Now()
	w := &flows.Workshop{Code: "rpchat", Title: "Lokakarya Desa", Zone: "Asia/Jakarta", Start: now.Add(-4 * time.Hour), End: now.Add(-time.Hour),
		Deadline: now.Add(-4 * time.Hour), Facilitators: []int64{adminID}, Owner: adminID, CreatedBy: adminID, Created: now}
	if err := e.store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	for i, st := range []string{flows.CmDone, flows.CmOpen} {
		if err := e.store.SaveCommitment(ctx, &flows.Commitment{ID: "c" + string(rune('1'+i)), Workshop: w.Code, What: "Pemetaan", Owner: 3001,
			Due: now.Add(7 * 24 * time.Hour), Status: st, Created: now}); err != nil {
			t.Fatal(err)
		}
	}
	const forum = -1002000000701
	admin := telegramtest.User{ID: adminID, FirstName: "Fasilitator", LanguageCode: "en"}
	e.fake.NewSupergroup(forum, "Tim Fasilitator", true)
	e.fake.SetMember(forum, admin, telegramtest.StatusCreator)
	topic := e.fake.CreateTopic(forum, admin, "Laporan")
	if _, err := e.store.LinkChat(ctx, &flows.ChatLink{Chat: forum, Thread: topic, Title: "Tim Fasilitator", Type: "supergroup",
		Purpose: flows.PurposeReports, Workshop: w.Code, By: adminID, At: now}); err != nil {
		t.Fatal(err)
	}
	e.start()
	e.fake.AddBot(forum, admin, true)
	e.fake.SendText(admin, "/start")
	e.next(admin.ID)
	e.fake.SendText(admin, "/report")
	m := e.waitMsg(admin.ID, "Report of which workshop")
	e.fake.Press(admin, m.ID, buttonData(t, m, "Lokakarya Desa"))
	rep := e.waitMsg(admin.ID, "2 commitments, 50% done")
	e.fake.Press(admin, rep.ID, buttonData(t, rep, "Post in the facilitators' chat"))
	e.waitMsg(admin.ID, "is posted in its facilitators' chat")
	var text, chart, csvDoc bool
	e.waitFor("the report in the topic", func() bool {
		for _, m := range e.fake.BotMessages(forum) {
			if m.ThreadID != topic {
				continue
			}
			text = text || strings.Contains(m.Plain, "2 komitmen")
			chart = chart || m.Photo != nil && bytes.HasPrefix(m.Photo.Data, []byte("\x89PNG"))
			csvDoc = csvDoc || m.Document != nil && strings.HasSuffix(m.Document.Name, ".csv")
		}
		return text && chart && csvDoc
	})
	for _, m := range e.fake.BotMessages(forum) {
		if m.ThreadID != topic && !strings.Contains(m.Plain, "/linkgroup") {
			t.Fatalf("outside the topic: %+v", m)
		}
	}
}

// A large workshop's progress report reaches the facilitator through the
// Bot API, which refuses a message over 4096 characters: the message (its
// lists cut to what fits, saying how many more lines the spreadsheet has),
// the chart and both files. With 150 overdue commitments the message was
// about 16,000 characters and never arrived (#22).
func TestLargeReportArrivesE2E(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	now := time.Now()
	w := &flows.Workshop{Code: "rpbig", Title: "Lokakarya Besar", Zone: "Asia/Jakarta", Start: now.Add(-10 * 24 * time.Hour), End: now.Add(-10*24*time.Hour + time.Hour),
		Deadline: now.Add(-10 * 24 * time.Hour), Facilitators: []int64{adminID}, Owner: adminID, CreatedBy: adminID, Created: now}
	if err := e.store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	const n = 150
	for i := range n {
		if err := e.store.SaveCommitment(ctx, &flows.Commitment{ID: "c" + strconv.Itoa(i), Workshop: w.Code, What: "Pemetaan sumber air bersih desa nomor " + strconv.Itoa(i),
			Owner: int64(3001 + i%30), Due: now.Add(-3 * 24 * time.Hour), Status: flows.CmOpen, Created: now,
			History: []flows.StatusEntry{{At: now, Status: flows.CmOpen, Note: "menunggu data dari dinas kesehatan"}}}); err != nil {
			t.Fatal(err)
		}
	}
	admin := telegramtest.User{ID: adminID, FirstName: "Fasilitator", LanguageCode: "en"}
	e.start()
	e.fake.SendText(admin, "/start")
	e.next(admin.ID)
	e.fake.SendText(admin, "/report")
	m := e.waitMsg(admin.ID, "Report of which workshop")
	e.fake.Press(admin, m.ID, buttonData(t, m, "Lokakarya Besar"))
	var text, chart, xlsxDoc, csvDoc bool
	e.waitFor("the report, its chart and both files", func() bool {
		for _, m := range e.fake.BotMessages(admin.ID) {
			text = text || strings.Contains(m.Plain, "150 commitments") && strings.Contains(m.Plain, "more lines (the spreadsheet has every commitment)")
			chart = chart || m.Photo != nil && bytes.HasPrefix(m.Photo.Data, []byte("\x89PNG"))
			xlsxDoc = xlsxDoc || m.Document != nil && strings.HasSuffix(m.Document.Name, ".xlsx")
			csvDoc = csvDoc || m.Document != nil && strings.HasSuffix(m.Document.Name, ".csv") && bytes.Count(m.Document.Data, []byte("Pemetaan")) == n
		}
		return text && chart && xlsxDoc && csvDoc
	})
}
