package bot_test

import (
	"context"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
)

// A co-facilitator joins the workshop's team by the owner's one-time link,
// checks a participant in at the door, and gets the escalation when the
// participant's commitment is blocked, as the owner does.
func TestCoFacilitatorChecksInAndIsEscalated(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	const ownerID, coFacID, partID = 4101, 4102, 3101
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []*flows.User{
		{ID: ownerID, Lang: "en", Role: flows.RoleFacilitator, FirstName: "Owner", Consent: flows.ConsentVersion, Created: now, Seen: now},
		{ID: coFacID, Lang: "en", FirstName: "Rina", Consent: flows.ConsentVersion, Created: now, Seen: now},
		{ID: partID, Lang: "en", FirstName: "Ani", Consent: flows.ConsentVersion, Created: now, Seen: now},
	} {
		must(e.store.SaveUser(ctx, u))
	}
	must(e.store.SaveProfile(ctx, &flows.Profile{UserID: partID, FullName: "Ani Putri", Organisation: "Yayasan Ani", ConsentVersion: flows.ConsentVersion}))
	// Check-in is open: the workshop starts in an hour.
	w := &flows.Workshop{Code: "tmck23", Title: "Lokakarya Tim", Zone: "Asia/Jakarta", Start: now.Add(time.Hour), End: now.Add(3 * time.Hour),
		Venue: "Balai", Deadline: now.Add(time.Hour), Facilitators: []int64{ownerID}, CreatedBy: ownerID, Created: now.Add(-time.Hour)}
	must(e.store.CreateWorkshop(ctx, w))
	reg := &flows.Registration{Workshop: w.Code, UserID: partID, Token: "tok-ani-0123456789abcdefgh", Lang: "en"}
	_, err := e.store.Register(ctx, reg, now)
	must(err)
	must(e.store.CreateTeamInvite(ctx, &flows.TeamInvite{Token: "tok-e2e-join", Workshop: w.Code, By: ownerID, Created: now, Expires: now.Add(time.Hour)}))
	e.start()

	rina := telegramtest.User{ID: coFacID, FirstName: "Rina", LanguageCode: "en"}
	e.fake.SendText(rina, "/start team_"+w.Code+"_tok-e2e-join")
	contains(t, e.next(coFacID), "You are now on the team of Lokakarya Tim")
	contains(t, e.next(ownerID), "Rina joined the team of Lokakarya Tim")

	// At the door.
	e.fake.SendText(rina, "/start checkin_"+reg.Token)
	contains(t, e.next(coFacID), "Ani Putri (Yayasan Ani) checked in to Lokakarya Tim")
	if r, err := e.store.GetRegistration(ctx, w.Code, partID); err != nil || r.CheckedInAt.IsZero() {
		t.Fatalf("not checked in: %+v, %v", r, err)
	}

	// Ani's commitment is blocked: the whole team hears of it.
	c := &flows.Commitment{ID: "c1", Workshop: w.Code, What: "Tandon air hujan", Owner: partID, By: partID,
		Due: now.AddDate(0, 1, 0), Status: flows.CmOpen, Created: now}
	must(e.store.SaveCommitment(ctx, c))
	ani := telegramtest.User{ID: partID, FirstName: "Ani", LanguageCode: "en"}
	e.fake.Press(ani, 1, "followup.status:"+w.Code+":c1:blocked")
	contains(t, e.next(coFacID), "Blocked: Ani Putri (Yayasan Ani) — Tandon air hujan")
	contains(t, e.next(ownerID), "Blocked: Ani Putri (Yayasan Ani) — Tandon air hujan")
}
