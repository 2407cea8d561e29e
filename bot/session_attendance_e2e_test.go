package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
)

// Per-session attendance end to end, against real Redis and the fake Bot
// API: the workshop has an agenda (two plenary sessions, two parallel
// discussions); the participant chooses a discussion from /mine; the team
// marks them at it from the session's list (the message edited in place);
// the certificate's PDF lists the plenary sessions and that discussion,
// not the other.
func TestSessionAttendanceEndToEnd(t *testing.T) {
	e := newEnv(t)
	start := time.Date(2026, 12, 10, 2, 0, 0, 0, time.UTC)
	e.clock.Set(start.Add(-48 * time.Hour))
	ctx := context.Background()
	w := &flows.Workshop{Code: flows.NewCode(), Title: "Lokakarya Air Bersih", Zone: "Asia/Jakarta", Start: start,
		End: start.Add(3 * time.Hour), Deadline: start, Venue: "Balai Desa", Facilitators: []int64{adminID}, Owner: adminID,
		CreatedBy: adminID, Created: start.Add(-10 * 24 * time.Hour)}
	if err := e.store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	for _, s := range []flows.AgendaSession{
		{ID: "s00000001", Title: "Pembukaan", Start: start, End: start.Add(30 * time.Minute)},
		{ID: "s00000002", Title: "Diskusi Tata Kelola Air", Start: start.Add(30 * time.Minute), End: start.Add(90 * time.Minute), Capacity: 10},
		{ID: "s00000003", Title: "Diskusi Sanitasi Sekolah", Start: start.Add(30 * time.Minute), End: start.Add(90 * time.Minute), Capacity: 10},
		{ID: "s00000004", Title: "Penutupan", Start: start.Add(2 * time.Hour), End: start.Add(3 * time.Hour)},
	} {
		if _, err := e.store.SaveSession(ctx, w.Code, s, flows.MaxSessions); err != nil {
			t.Fatal(err)
		}
	}
	salih := telegramtest.User{ID: 5101, FirstName: "Salih", LanguageCode: "en"}
	if err := e.store.SaveUser(ctx, &flows.User{ID: salih.ID, Lang: "en", FirstName: "Salih", Consent: flows.ConsentVersion, Created: start, Seen: start}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SaveProfile(ctx, &flows.Profile{UserID: salih.ID, FullName: "Ṣāliḥ Nuruddin Ḥasibuan", Organisation: "Yayasan Air", ConsentVersion: flows.ConsentVersion}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Register(ctx, &flows.Registration{Workshop: w.Code, UserID: salih.ID, RegisteredAt: start.Add(-48 * time.Hour), Token: flows.NewToken(), Lang: "en"}, start.Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.startBot()

	// The participant chooses the water discussion from /mine.
	e.fake.SendText(salih, "/mine")
	mine := e.next(salih.ID)
	e.fake.Press(salih, mine.ID, buttonData(t, mine, "🗓 Sessions: Lokakarya Air Bersih"))
	choose := e.next(salih.ID)
	e.fake.Press(salih, choose.ID, buttonData(t, choose, "Diskusi Tata Kelola Air"))
	e.waitFor("the sign-up", func() bool {
		chosen, err := e.store.ChosenSessions(ctx, w.Code, salih.ID)
		return err == nil && len(chosen) == 1
	})
	if chosen, err := e.store.ChosenSessions(ctx, w.Code, salih.ID); err != nil || len(chosen) != 1 || chosen[0] != "s00000002" {
		t.Fatalf("chosen %v, %v", chosen, err)
	}

	// At the workshop: checked in at the door; the team marks them at the
	// discussion from its list.
	e.clock.Set(start.Add(45 * time.Minute))
	if _, err := e.store.CheckIn(ctx, w.Code, salih.ID, start.Add(-10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	admin := telegramtest.User{ID: adminID, FirstName: "Fasilitator", LanguageCode: "en"}
	e.fake.SendText(admin, "/attendance")
	pick := e.next(admin.ID)
	e.fake.Press(admin, pick.ID, buttonData(t, pick, "Lokakarya Air Bersih"))
	list := e.next(admin.ID)
	contains(t, list, "By session")
	e.fake.Press(admin, list.ID, buttonData(t, list, "🗂 Sessions"))
	sessions := e.next(admin.ID)
	contains(t, sessions, "Diskusi Tata Kelola Air: 0 / 1")
	e.fake.Press(admin, sessions.ID, buttonData(t, sessions, "Diskusi Tata Kelola Air"))
	session := e.next(admin.ID)
	contains(t, session, "0 of 1 attended")
	e.fake.Press(admin, session.ID, buttonData(t, session, "⬜ Ṣāliḥ Nuruddin Ḥasibuan"))
	e.mmEdited(admin.ID, session.ID, "✅ Ṣāliḥ Nuruddin Ḥasibuan (Yayasan Air)")
	marks, err := e.store.SessionMarks(ctx, w.Code)
	if _, ok := marks["s00000002"][salih.ID]; err != nil || !ok || len(marks) != 1 {
		t.Fatalf("marks %v, %v", marks, err)
	}

	// After the workshop: the certificate lists the sessions attended.
	e.clock.Set(w.End.Add(time.Hour))
	e.fake.SendText(salih, "/certificates")
	certs := e.next(salih.ID)
	for !strings.Contains(certs.Plain, "certificate of attendance") {
		certs = e.next(salih.ID)
	}
	e.fake.Press(salih, certs.ID, buttonData(t, certs, "🎓 Get: Lokakarya Air Bersih"))
	confirm := e.next(salih.ID)
	e.fake.Press(salih, confirm.ID, buttonData(t, confirm, "✅ Right: make the certificate"))
	doc := e.next(salih.ID)
	for doc.Document == nil {
		doc = e.next(salih.ID)
	}
	text := pdfText(t, doc.Document.Data)
	for _, want := range []string{"Sesi yang diikuti / Sessions attended", "Pembukaan", "Diskusi Tata Kelola Air", "Penutupan"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Sanitasi") {
		t.Errorf("the PDF lists a session not attended:\n%s", text)
	}
}
