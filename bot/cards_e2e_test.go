package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"sinergi/bot"
	"sinergi/bot/telegramtest"
	"sinergi/flows"
)

// TestThreeReplicasLiveCardWithinGroupLimit: a workshop's live card in a
// forum topic, three replicas running the scheduler, and a burst of
// registrations (50 people in six minutes for 45 seats): the card is edited
// in place once per minute at most, only when what it shows changed (not
// in the last minute, when only the waiting list grew), by one replica at
// a time, ends "Full — waiting list" (in the forum's language), and
// the group never gets more than Telegram's 20 messages a minute (the fake
// counts every send and edit to the group, and enforces the limit).
func TestThreeReplicasLiveCardWithinGroupLimit(t *testing.T) {
	e := newEnv(t)
	e.fake.SetLimits(telegramtest.Limits{GroupPerMinute: 20, RetryAfter: 2})
	e.limits = bot.DefaultLimits() // 20 a minute per group, shared through Redis
	e.limits.BackoffBase = 50 * time.Millisecond
	now := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	e.clock.Set(now)
	ctx := context.Background()
	const forum = -1002000000001
	admin := telegramtest.User{ID: adminID, FirstName: "Sekretariat", LanguageCode: "en"}
	e.fake.NewSupergroup(forum, "Forum Air", true)
	topic := e.fake.CreateTopic(forum, admin, "Pengumuman")
	w := &flows.Workshop{Code: flows.NewCode(), Title: "Air bersih", Start: now.Add(48 * time.Hour), End: now.Add(50 * time.Hour),
		Zone: "Asia/Jakarta", Venue: "Aula Desa", Capacity: 45, Deadline: now.Add(24 * time.Hour),
		Facilitators: []int64{adminID}, CreatedBy: adminID, Created: now}
	if err := e.store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.LinkChat(ctx, &flows.ChatLink{Chat: forum, Thread: topic, Title: "Forum Air", Type: "supergroup",
		Purpose: flows.PurposeForum, By: adminID, At: now}); err != nil {
		t.Fatal(err)
	}
	replicas := []*bot.Bot{}
	first, _ := e.startBot()
	replicas = append(replicas, first, e.newReplica(2*time.Second).bot, e.newReplica(2*time.Second).bot)

	e.fake.SendText(admin, "/announce")
	m := e.next(admin.ID)
	e.fake.Press(admin, m.ID, buttonData(t, m, "Air bersih"))
	m = e.next(admin.ID)
	e.fake.Press(admin, m.ID, buttonData(t, m, "Forum Air #"))
	contains(t, e.next(admin.ID), "Posting the card of Air bersih in Forum Air")
	card := e.nth(forum, 1)
	if card.ThreadID != topic || !strings.Contains(card.Plain, "Sisa 45 kursi") || card.Buttons[0][0].URL != "https://t.me/"+telegramtest.BotUsername+"?start=ws_"+w.Code {
		t.Fatalf("card: %+v", card)
	}
	e.waitFor("the card recorded", func() bool {
		cs, err := e.store.Cards(ctx, w.Code)
		return err == nil && len(cs) == 1 && cs[0].MessageID == card.ID
	})

	edits := func() []telegramtest.Call {
		var out []telegramtest.Call
		for _, c := range e.fake.CallsOf("editMessageText") {
			if c.Params["chat_id"] == fmt.Sprint(forum) && c.ErrorCode == 0 {
				out = append(out, c)
			}
		}
		return out
	}
	uid := int64(5000)
	const rounds = 6
	for round := 1; round <= rounds; round++ {
		// A burst of registrations, as many updates at once would make them.
		var wg sync.WaitGroup
		for range 9 - 4*(round/6) {
			uid++
			id := uid
			wg.Go(func() {
				if _, err := e.store.Register(ctx, &flows.Registration{Workshop: w.Code, UserID: id, RegisteredAt: now,
					Token: flows.NewToken(), Lang: "id"}, e.clock.Now()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		// A minute later every replica's scheduler ticks at once.
		now = now.Add(time.Minute)
		e.clock.Set(now)
		for _, b := range replicas {
			wg.Go(func() {
				if _, err := b.Tick(ctx); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if round < rounds {
			e.waitForN(fmt.Sprintf("edit of round %d", round), 20*time.Second, func() int { return len(edits()) }, round)
		}
	}
	got := edits()
	last := e.fake.BotMessages(forum)[0]
	st := e.fake.Stats()
	t.Logf("%d registrations, %d card edits, last: %q", uid-5000, len(got), last.Plain)
	if len(got) != rounds-1 {
		t.Errorf("%d edits for %d changes", len(got), rounds-1)
	}
	if !strings.Contains(last.Plain, "Penuh — daftar tunggu") || !last.Edited || len(last.Buttons) != 1 {
		t.Errorf("last card: %q %v", last.Plain, last.Buttons)
	}
	for i := range got {
		n := 0
		for _, c := range got[i:] {
			if c.At.Sub(got[i].At) < time.Minute {
				n++
			}
		}
		if n > 20 {
			t.Errorf("%d edits within a minute of %v", n, got[i].At)
		}
	}
	if st.LimitViolations != 0 || st.Errors[429] != 0 || st.Errors[400] != 0 {
		t.Errorf("limits or edits refused: %+v", st)
	}
}
