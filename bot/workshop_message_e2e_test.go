package bot_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
)

// A co-facilitator, invited to the workshop's team by its owner's one-time
// link, messages the no-shows after the event from the manage card: the
// copies, formatting kept, reach exactly the registrants who held a seat
// and did not check in — not those who checked in, not the waiting list,
// not another workshop's registrants — through the broadcast runner, which
// reports back to the co-facilitator.
func TestTeamMessagesNoShows(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	const ownerID, coFacID = 4001, 4002
	for _, u := range []*flows.User{
		{ID: ownerID, Lang: "en", Role: flows.RoleFacilitator, FirstName: "Owner", Consent: flows.ConsentVersion, Created: now, Seen: now},
		{ID: coFacID, Lang: "en", FirstName: "Rina", Consent: flows.ConsentVersion, Created: now, Seen: now},
	} {
		if err := e.store.SaveUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	// The workshop ended an hour ago: 6 seats, 10 registered (6 confirmed,
	// 4 waiting), 3 of the confirmed checked in; another workshop's
	// registrant, who did not check in either.
	mk := func(code string, capacity int) *flows.Workshop {
		w := &flows.Workshop{Code: code, Title: "Lokakarya " + code, Zone: "Asia/Jakarta", Start: now.Add(-4 * time.Hour), End: now.Add(-time.Hour),
			Venue: "Balai", Capacity: capacity, Deadline: now.Add(-4 * time.Hour), Facilitators: []int64{ownerID}, CreatedBy: ownerID, Created: now.Add(-48 * time.Hour)}
		if err := e.store.CreateWorkshop(ctx, w); err != nil {
			t.Fatal(err)
		}
		return w
	}
	w := mk("nsw234", 6)
	mk("oth234", 0)
	register := func(code string, id int64) {
		if err := e.store.SaveUser(ctx, &flows.User{ID: id, Lang: "id", FirstName: "P", Consent: flows.ConsentVersion, Created: now, Seen: now, NoUpdates: id == 6003}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Register(ctx, &flows.Registration{Workshop: code, UserID: id, Token: flows.NewToken(), Lang: "id"}, now.Add(-48*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	var noShows []int64
	for i := range 10 {
		id := int64(6000 + i)
		register(w.Code, id)
		switch {
		case i < 3:
			if _, err := e.store.CheckIn(ctx, w.Code, id, w.Start); err != nil {
				t.Fatal(err)
			}
		case i < 6:
			noShows = append(noShows, id) // 6003 turned the secretariat's updates off: still told
		}
	}
	register("oth234", 6100)
	inv := &flows.TeamInvite{Token: "tok-e2e-team", Workshop: w.Code, By: ownerID, Created: now, Expires: now.Add(time.Hour)}
	if err := e.store.CreateTeamInvite(ctx, inv); err != nil {
		t.Fatal(err)
	}
	e.start()

	rina := telegramtest.User{ID: coFacID, FirstName: "Rina", LanguageCode: "en"}
	e.fake.SendText(rina, "/start team_"+w.Code+"_tok-e2e-team")
	joined := e.next(coFacID)
	contains(t, joined, "You are now on the team of Lokakarya nsw234")
	e.fake.Press(rina, joined.ID, buttonData(t, joined, "Manage"))
	card := e.next(coFacID)
	contains(t, card, "Team: 👑 Owner, Rina")
	e.fake.Press(rina, card.ID, buttonData(t, card, "Message registrants"))
	choice := e.next(coFacID)
	e.fake.Press(rina, choice.ID, buttonData(t, choice, "Not checked in (3)"))
	contains(t, e.next(coFacID), "registrants who did not check in of Lokakarya nsw234")
	text := "Materi lokakarya: unduh di sini"
	bold := []models.MessageEntity{{Type: models.MessageEntityTypeBold, Offset: 0, Length: 7}}
	e.fake.SendFormatted(rina, text, bold)
	contains(t, e.next(coFacID), "Preview")
	if preview := e.next(coFacID); preview.Plain != text {
		t.Fatalf("preview %q", preview.Plain)
	}
	confirm := e.next(coFacID)
	contains(t, confirm, "Send it to 3 people (registrants who did not check in of Lokakarya nsw234)?")
	e.fake.Press(rina, confirm.ID, buttonData(t, confirm, "Send"))

	var report telegramtest.Message
	e.waitFor("the report", func() bool {
		for _, m := range e.fake.BotMessages(coFacID) {
			if strings.Contains(m.Plain, "Update sent") {
				report = m
				return true
			}
		}
		return false
	})
	for _, want := range []string{"to 3 members", "delivered: 3", "failed: 0"} {
		contains(t, report, want)
	}
	got := copiesTo(e.fake)
	delete(got, coFacID) // the preview
	var to []int64
	for id, n := range got {
		if n != 1 {
			t.Errorf("%d got %d copies", id, n)
		}
		to = append(to, id)
	}
	slices.Sort(to)
	if !slices.Equal(to, noShows) {
		t.Fatalf("copies went to %v, want the no-shows %v", to, noShows)
	}
	for _, id := range noShows {
		msgs := e.fake.BotMessages(id)
		if len(msgs) != 1 || msgs[0].Plain != text || len(msgs[0].Entities) != 1 || msgs[0].Entities[0] != bold[0] {
			t.Fatalf("%d received %+v", id, msgs)
		}
	}
	if st := e.fake.Stats(); len(st.Errors) != 0 {
		t.Fatalf("API errors: %+v", st.Errors)
	}
}

// The team of a workshop with approval and offers messages those who
// await approval, then the person offered a freed seat: each message
// reaches exactly them, through the broadcast runner.
func TestTeamMessagesPendingAndOffered(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	const ownerID = 4101
	if err := e.store.SaveUser(ctx, &flows.User{ID: ownerID, Lang: "en", Role: flows.RoleFacilitator, FirstName: "Owner", Consent: flows.ConsentVersion, Created: now, Seen: now}); err != nil {
		t.Fatal(err)
	}
	w := &flows.Workshop{Code: "apr234", Title: "Lokakarya apr234", Zone: "Asia/Jakarta", Start: now.Add(72 * time.Hour), End: now.Add(75 * time.Hour),
		Venue: "Balai", Capacity: 1, Deadline: now.Add(72 * time.Hour), Facilitators: []int64{ownerID}, CreatedBy: ownerID, Created: now,
		Offers: true, Approval: true}
	if err := e.store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	// 6200 holds the seat, 6201 was approved onto the waiting list and is
	// offered the seat 6200 frees; 6202 and 6203 await approval.
	for i := range 4 {
		id := int64(6200 + i)
		if err := e.store.SaveUser(ctx, &flows.User{ID: id, Lang: "id", FirstName: "P", Consent: flows.ConsentVersion, Created: now, Seen: now}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Register(ctx, &flows.Registration{Workshop: w.Code, UserID: id, Token: flows.NewToken(), Lang: "id"}, now); err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			if _, err := e.store.DecideRegistration(ctx, w.Code, id, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := e.store.CancelRegistration(ctx, w.Code, 6200, now); err != nil {
		t.Fatal(err)
	}
	e.start()

	owner := telegramtest.User{ID: ownerID, FirstName: "Owner", LanguageCode: "en"}
	reports := func() int {
		n := 0
		for _, m := range e.fake.BotMessages(ownerID) {
			if strings.Contains(m.Plain, "Update sent") {
				n++
			}
		}
		return n
	}
	send := func(button, status string, want []int64) {
		t.Helper()
		e.fake.SendText(owner, "/myworkshops")
		list := e.next(ownerID)
		e.fake.Press(owner, list.ID, "workshops.message:"+w.Code)
		choice := e.next(ownerID)
		e.fake.Press(owner, choice.ID, buttonData(t, choice, button))
		contains(t, e.next(ownerID), status+" of Lokakarya apr234")
		e.fake.SendText(owner, "Pesan untuk "+status)
		e.next(ownerID) // the heading
		e.next(ownerID) // the preview
		confirm := e.next(ownerID)
		r := reports()
		e.fake.Press(owner, confirm.ID, buttonData(t, confirm, "Send"))
		e.waitFor("the copies to "+status, func() bool {
			var to []int64
			for _, id := range []int64{6200, 6201, 6202, 6203} {
				for _, m := range e.fake.BotMessages(id) {
					if m.Plain == "Pesan untuk "+status {
						to = append(to, id)
					}
				}
			}
			return slices.Equal(to, want)
		})
		// The runner's progress and its report come next: read past them.
		e.waitFor("the report", func() bool { return reports() == r+1 })
		e.seen[ownerID] = len(e.fake.BotMessages(ownerID))
	}
	send("Awaiting approval (2)", "registrants awaiting approval", []int64{6202, 6203})
	send("Offered a seat (1)", "people offered a freed seat", []int64{6201})
	// 6201 was also told of the offer; nothing else went to the others.
	for _, id := range []int64{6200, 6202, 6203} {
		if msgs := e.fake.BotMessages(id); len(msgs) > 1 {
			t.Errorf("%d received %d messages", id, len(msgs))
		}
	}
}
