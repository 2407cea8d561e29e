package bot_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"sinergi/bot"
	"sinergi/bot/telegramtest"
)

// Flood control holds when the chat's replies are paced (as they are in
// production, about one a second per chat) in polling and webhook mode: a
// burst sent within one second is counted by when it was sent, not by when
// each update's turn came. Before, the pace of the replies let the bucket
// refill between turns, and 12 messages sent at once got 12 answers.
func TestFloodHoldsWhenRepliesArePaced(t *testing.T) {
	for _, mode := range []string{"polling", "webhook"} {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t)
			// Replies paced at 300 ms a chat (after a burst of 3); the
			// bucket refills faster than that (4 a second).
			e.limits.PerChat, e.limits.ChatBurst = 300*time.Millisecond, 3
			e.flood = bot.Flood{Burst: 4, Per: time.Second}
			switch mode {
			case "polling":
				e.start()
			case "webhook":
				ctx, cancel := context.WithCancel(context.Background())
				t.Cleanup(cancel)
				b := e.newBot(ctx)
				t.Cleanup(b.Close)
				var h http.Handler
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
				t.Cleanup(srv.Close)
				var err error
				if h, err = b.Webhook(ctx, srv.URL+"/tg", "s3cret"); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = b.Stop(5 * time.Second) })
			}
			u := telegramtest.User{ID: 1111, FirstName: "Cepat", LanguageCode: "en"}
			sent := time.Now().Unix()
			send := func(date int64) {
				e.fake.Inject(models.Update{Message: &models.Message{
					From: &models.User{ID: u.ID, FirstName: u.FirstName, LanguageCode: u.LanguageCode},
					Chat: models.Chat{ID: u.ID, Type: models.ChatTypePrivate}, Text: "/help", Date: int(date)}})
			}
			for range 12 {
				send(sent)
			}
			// Five seconds later the bucket is full again: this one is
			// answered, after everything sent before it was handled.
			send(sent + 5)
			help, wait := 0, 0
			for help+wait < 6 {
				m := e.next(u.ID)
				switch {
				case strings.Contains(m.Plain, "Sinergi — help"):
					help++
				case strings.Contains(m.Plain, "please wait"):
					wait++
				default:
					t.Fatalf("unexpected %q", m.Plain)
				}
			}
			if help != 5 || wait != 1 {
				t.Fatalf("%d answers and %d slow-down notes to 12 messages at once and one later, want 4+1 and 1", help, wait)
			}
		})
	}
}
