package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
)

// A live card in a basic group that becomes a supergroup continues there:
// the old message cannot be edited, so the card is posted anew in the
// supergroup, its new message id recorded, and edited in place from then
// on; the old group is not edited again. Telegram tells of the upgrade in
// two ways, and each is followed: the migration's service message (polling
// reads it), or, when that has not been read, the 400 with
// migrate_to_chat_id that answers the card's edit.
func TestLiveCardFollowsMigratedGroupE2E(t *testing.T) {
	for _, viaUpdate := range []bool{true, false} {
		name := "400 on the edit"
		if viaUpdate {
			name = "migration update"
		}
		t.Run(name, func(t *testing.T) { liveCardMigration(t, viaUpdate) })
	}
}

func liveCardMigration(t *testing.T, viaUpdate bool) {
	e := newEnv(t)
	now := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	e.clock.Set(now)
	ctx := context.Background()
	const basic, super = -4201, -1002000004201
	admin := telegramtest.User{ID: adminID, FirstName: "Sekretariat", LanguageCode: "en"}
	e.fake.NewGroup(basic, "Bab NTT")
	e.fake.SetMember(basic, admin, telegramtest.StatusCreator)
	w := &flows.Workshop{Code: flows.NewCode(), Title: "Air bersih", Start: now.Add(48 * time.Hour), End: now.Add(50 * time.Hour),
		Zone: "Asia/Jakarta", Venue: "Aula Desa", Capacity: 10, Deadline: now.Add(24 * time.Hour),
		Facilitators: []int64{adminID}, CreatedBy: adminID, Created: now}
	if err := e.store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.LinkChat(ctx, &flows.ChatLink{Chat: basic, Title: "Bab NTT", Type: "group", Purpose: flows.PurposeForum, By: adminID, At: now}); err != nil {
		t.Fatal(err)
	}
	b, stop := e.startBot()
	e.fake.SendText(admin, "/start")
	e.next(admin.ID)
	e.fake.SendText(admin, "/announce")
	m := e.next(admin.ID)
	e.fake.Press(admin, m.ID, buttonData(t, m, "Air bersih"))
	m = e.next(admin.ID)
	e.fake.Press(admin, m.ID, buttonData(t, m, "Bab NTT"))
	contains(t, e.next(admin.ID), "Posting the card of Air bersih in Bab NTT")
	contains(t, e.nth(basic, 1), "Sisa 10 kursi")

	if viaUpdate {
		e.fake.MigrateGroup(basic, super)
		e.waitFor("the link moved", func() bool { ls := e.groupLinks(); return len(ls) == 1 && ls[0].Chat == super })
	} else {
		// The bot stops reading updates: the upgrade is learnt from the
		// edit Telegram refuses.
		stop()
		e.fake.MigrateGroup(basic, super)
		b = e.newBot(ctx)
		t.Cleanup(b.Close)
	}
	uid := int64(6000)
	register := func() {
		uid++
		if _, err := e.store.Register(ctx, &flows.Registration{Workshop: w.Code, UserID: uid, RegisteredAt: now,
			Token: flows.NewToken(), Lang: "id"}, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	tick := func() {
		now = now.Add(time.Minute)
		e.clock.Set(now)
		if _, err := b.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	cardsIn := func(chat int64) []telegramtest.Message {
		var out []telegramtest.Message
		for _, m := range e.fake.BotMessages(chat) {
			if strings.Contains(m.Plain, "Air bersih") {
				out = append(out, m)
			}
		}
		return out
	}
	register()
	tick()
	e.waitFor("the card posted anew in the supergroup", func() bool {
		cs := cardsIn(super)
		return len(cs) == 1 && strings.Contains(cs[0].Plain, "Sisa 9 kursi")
	})
	posted := cardsIn(super)[0]
	e.waitFor("the new card recorded", func() bool {
		cs, err := e.store.Cards(ctx, w.Code)
		return err == nil && len(cs) > 0 && cs[0].Chat == super && cs[0].MessageID == posted.ID
	})
	register()
	tick()
	e.waitFor("the card edited in place in the supergroup", func() bool {
		cs := cardsIn(super)
		return len(cs) == 1 && cs[0].ID == posted.ID && cs[0].Edited && strings.Contains(cs[0].Plain, "Sisa 8 kursi")
	})
	tick() // nothing changed: nothing sent
	if cs, err := e.store.Cards(ctx, w.Code); err != nil || len(cs) != 1 || cs[0].Chat != super || cs[0].MessageID != posted.ID {
		t.Fatalf("cards: %+v %v", cs, err)
	}
	oldEdits, superEdits := 0, 0
	for _, c := range e.fake.CallsOf("editMessageText") {
		switch c.Params["chat_id"] {
		case fmt.Sprint(basic):
			oldEdits++
		case fmt.Sprint(super):
			superEdits++
		}
	}
	want := 1 // the edit Telegram refused, once
	if viaUpdate {
		want = 0
	}
	if oldEdits != want || superEdits != 1 {
		t.Fatalf("edits: %d in the old group (want %d), %d in the supergroup (want 1)", oldEdits, want, superEdits)
	}
	if n := len(cardsIn(basic)); n != 1 {
		t.Fatalf("%d cards in the old group", n)
	}
}
