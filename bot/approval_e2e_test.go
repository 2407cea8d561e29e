package bot_test

import (
	"context"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
)

// Approval end to end, against real Redis and the fake Bot API: two
// registrations wait for approval holding no seat; the team approves one
// (the ticket), a second press on the same person is told it was decided
// already, and the other, approved into the full workshop, is told their
// place on the waiting list.
func TestApprovalEndToEnd(t *testing.T) {
	e := newEnv(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	e.clock.Set(now)
	ctx := context.Background()
	w := &flows.Workshop{Code: flows.NewCode(), Title: "Lokakarya Air", Zone: "Asia/Jakarta", Start: now.Add(7 * 24 * time.Hour),
		End: now.Add(7*24*time.Hour + 2*time.Hour), Deadline: now.Add(6 * 24 * time.Hour), Venue: "Balai Desa", Capacity: 1,
		Approval: true, Offers: true, Facilitators: []int64{adminID}, CreatedBy: adminID, Created: now}
	if err := e.store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	ps := []telegramtest.User{{ID: 4001, FirstName: "Ani", LanguageCode: "en"}, {ID: 4002, FirstName: "Bayu", LanguageCode: "en"}}
	for _, p := range ps {
		if err := e.store.SaveUser(ctx, &flows.User{ID: p.ID, Lang: "en", FirstName: p.FirstName, Consent: flows.ConsentVersion, Created: now, Seen: now}); err != nil {
			t.Fatal(err)
		}
		if err := e.store.SaveProfile(ctx, &flows.Profile{UserID: p.ID, FullName: p.FirstName + " Putri", Organisation: "Yayasan " + p.FirstName, ConsentVersion: flows.ConsentVersion}); err != nil {
			t.Fatal(err)
		}
	}
	e.startBot()
	press := func(u telegramtest.User, m telegramtest.Message, label string) {
		t.Helper()
		e.fake.Press(u, m.ID, buttonData(t, m, label))
	}
	for _, p := range ps {
		e.fake.SendText(p, "/start ws_"+w.Code)
		press(p, e.next(p.ID), "Register")
		contains(t, e.next(p.ID), "waits for the organisers' approval")
	}
	if c, _ := e.store.Counts(ctx, w.Code); c != (flows.Counts{Pending: 2}) {
		t.Fatalf("counts %+v", c)
	}

	admin := telegramtest.User{ID: adminID, FirstName: "Fasilitator", LanguageCode: "en"}
	e.fake.SendText(admin, "/start ws_"+w.Code)
	press(admin, e.next(admin.ID), "Manage")
	card := e.next(admin.ID)
	contains(t, card, "awaiting approval: 2")
	press(admin, card, "To approve: 2")
	list := e.next(admin.ID)
	contains(t, list, "2 registrations for Lokakarya Air wait for approval")

	events, cancel := e.fake.Subscribe()
	defer cancel()
	approveAni := buttonData(t, list, "Approve 1")
	e.fake.Press(admin, list.ID, approveAni)
	e.fake.Press(admin, list.ID, approveAni) // pressed twice: the second finds it decided
	var answers []string
	for len(answers) < 2 {
		select {
		case ev := <-events:
			if ev.Kind == telegramtest.EventCallbackAnswer {
				answers = append(answers, ev.Text)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("answers so far %q", answers)
		}
	}
	if answers[0] != "Approved: Ani Putri is registered." || answers[1] != "This registration was already decided (perhaps by another team member) or cancelled. Nothing changed." {
		t.Fatalf("answers %q", answers)
	}
	contains(t, e.next(ps[0].ID), "was approved. You are registered.")
	if ics, qr := e.next(ps[0].ID), e.next(ps[0].ID); ics.Document == nil || qr.Photo == nil {
		t.Fatal("approved without calendar file or QR code")
	}

	e.fake.SendText(admin, "/start ws_"+w.Code)
	press(admin, e.next(admin.ID), "Manage")
	press(admin, e.next(admin.ID), "To approve: 1")
	press(admin, e.next(admin.ID), "Approve 1")
	contains(t, e.next(ps[1].ID), "every seat is taken, so you are number 1 on the waiting list")
	if c, _ := e.store.Counts(ctx, w.Code); c != (flows.Counts{Confirmed: 1, Waiting: 1}) {
		t.Fatalf("counts %+v", c)
	}
}
