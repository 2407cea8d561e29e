package bot_test

import (
	"context"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
)

// What an action taken in the Mini App tells others (an approval's notice)
// goes the way an update's replies go: committed to the acting user's
// chat's outbox, then sent, once — so a process that stops after the
// commit leaves it to the sweeper instead of losing it.
func TestDeliverGoesThroughTheOutbox(t *testing.T) {
	e := newEnv(t)
	b, _ := e.startBot()
	ctx := context.Background()
	const fac, person = 4401, 4402
	e.fake.SetLatency("sendMessage", 500*time.Millisecond) // the send is under way a while
	done := make(chan error, 1)
	go func() {
		done <- b.Deliver(ctx, fac, []flows.Reply{{ChatID: person, Lang: "en",
			Text: flows.T("ws.approved", "Title", "Lokakarya Air", "Start", "Selasa", "Place", "Kupang")}})
	}()
	e.waitFor("the notice in the facilitator's outbox", func() bool {
		entries, begun, err := e.store.ReadOutbox(ctx, fac)
		return err == nil && len(entries) == 1 && begun != ""
	})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	msgs, err := e.fake.WaitBotMessages(person, 1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	contains(t, msgs[0], "Lokakarya Air")
	e.waitFor("the outbox emptied", func() bool {
		st, err := e.store.LoadState(ctx, fac, fac, 0)
		return err == nil && st.Outbox == 0
	})
	e.fake.SetLatency("sendMessage", 0)
	// The facilitator's next update finds nothing left to send again.
	e.fake.SendText(telegramtest.User{ID: fac, FirstName: "Fasil", LanguageCode: "en"}, "/help")
	if _, err := e.fake.WaitBotMessages(fac, 1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.BotMessages(person)); n != 1 {
		t.Fatalf("%d notices, want 1", n)
	}
	if n := len(e.fake.BotMessages(fac)); n != 1 {
		t.Fatalf("the facilitator got %d messages, want the answer to /help only", n)
	}
}
