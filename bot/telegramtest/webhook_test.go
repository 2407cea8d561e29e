package telegramtest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"sinergi/bot/telegramtest"
)

func TestWebhookDeliveryWithRetry(t *testing.T) {
	s := newServer(t)
	var mu sync.Mutex
	var attempts int
	var got []models.Update
	var secrets []string
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		attempts++
		secrets = append(secrets, r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		if attempts == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		var u models.Update
		if err := json.Unmarshal(body, &u); err == nil {
			got = append(got, u)
		}
	}))
	defer receiver.Close()

	b := newClient(t, s)
	ctx := ctxT(t)
	if ok, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: receiver.URL + "/hook", SecretToken: "s3cr3t"}); err != nil || !ok {
		t.Fatalf("setWebhook: %v", err)
	}
	mustFail(t, postJSON(t, s, "getUpdates", map[string]any{}), http.StatusConflict,
		"Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")

	first := s.SendText(alice, "one")
	second := s.SendText(alice, "two")
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivered %d updates", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	if got[0].ID != first || got[1].ID != second || got[0].Message.Text != "one" || attempts != 3 {
		t.Fatalf("attempts=%d got=%+v", attempts, got)
	}
	for _, sec := range secrets {
		if sec != "s3cr3t" {
			t.Fatalf("secret header = %q", sec)
		}
	}
	mu.Unlock()

	info, err := b.GetWebhookInfo(ctx)
	if err != nil || info.URL != receiver.URL+"/hook" || info.PendingUpdateCount != 0 || info.LastErrorMessage == "" {
		t.Fatalf("webhook info = %+v, %v", info, err)
	}
	if st := s.Stats(); st.WebhookDeliveries != 2 {
		t.Fatalf("stats = %+v", st)
	}

	if _, err := b.DeleteWebhook(ctx, &bot.DeleteWebhookParams{}); err != nil {
		t.Fatal(err)
	}
	id := s.SendText(alice, "polled")
	if ups := getUpdates(t, s, map[string]any{}); len(ups) != 1 || ups[0].ID != id {
		t.Fatalf("after deleteWebhook: %v", ids(ups))
	}
}

func TestWebhookWithBotClient(t *testing.T) {
	s := newServer(t)
	handler := func(ctx context.Context, b *bot.Bot, u *models.Update) {
		if u.Message != nil {
			_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "got " + u.Message.Text})
		}
	}
	b := newClient(t, s, bot.WithDefaultHandler(handler), bot.WithWebhookSecretToken("tok"))
	hook := httptest.NewServer(b.WebhookHandler())
	defer hook.Close()
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { b.StartWebhook(ctx); close(stopped) }()
	defer func() { cancel(); <-stopped }()
	if _, err := b.SetWebhook(ctxT(t), &bot.SetWebhookParams{URL: hook.URL, SecretToken: "tok"}); err != nil {
		t.Fatal(err)
	}
	s.SendText(alice, "ping")
	msgs, err := s.WaitBotMessages(alice.ID, 1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if msgs[0].Text != "got ping" {
		t.Fatalf("reply = %+v", msgs[0])
	}
}

func TestWebhookStopsOnClose(t *testing.T) {
	s := telegramtest.New()
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer receiver.Close()
	mustOK(t, postJSON(t, s, "setWebhook", map[string]any{"url": receiver.URL}))
	s.SendText(alice, "never accepted")
	time.Sleep(150 * time.Millisecond)
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs while a delivery is being retried")
	}
	if s.PendingUpdates() != 1 {
		t.Fatalf("pending = %d", s.PendingUpdates())
	}
}

func TestSubscribe(t *testing.T) {
	s := newServer(t)
	events, cancel := s.Subscribe()
	mustOK(t, postJSON(t, s, "sendMessage", map[string]any{"chat_id": 3, "text": "v1"}))
	mustOK(t, postJSON(t, s, "editMessageText", map[string]any{"chat_id": 3, "message_id": 1, "text": "v2"}))
	mustOK(t, postJSON(t, s, "deleteMessage", map[string]any{"chat_id": 3, "message_id": 1}))
	want := []struct{ kind, text string }{{"message", "v1"}, {"edit", "v2"}, {"delete", "v2"}}
	for _, w := range want {
		select {
		case ev := <-events:
			if ev.Kind != w.kind || ev.Message.Text != w.text || ev.Message.ChatID != 3 || !ev.Message.FromBot {
				t.Fatalf("event = %+v, want %s %s", ev, w.kind, w.text)
			}
		case <-time.After(time.Second):
			t.Fatal("no event")
		}
	}
	cancel()
	cancel()
	if _, ok := <-events; ok {
		t.Fatal("channel not closed by cancel")
	}

	// A slow subscriber loses the oldest events, the server never blocks.
	slow, _ := s.Subscribe()
	for i := range 1100 {
		s.SendText(alice, "m"+string(rune('a'+i%26)))
	}
	first := <-slow
	if first.Message.ID == 1 {
		t.Fatal("oldest event was not dropped")
	}
	s.Close()
	n := 1
	for range slow {
		n++
	}
	if n != 1024 {
		t.Fatalf("buffered %d events", n)
	}
}

func TestWebhookErrorsCounted(t *testing.T) {
	s := newServer(t)
	var mu sync.Mutex
	fails := 2
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer receiver.Close()
	mustOK(t, postJSON(t, s, "setWebhook", map[string]any{"url": receiver.URL}))
	s.SendText(alice, "retried twice")
	deadline := time.Now().Add(5 * time.Second)
	for s.Stats().WebhookDeliveries < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("not delivered: %+v", s.Stats())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st := s.Stats(); st.WebhookErrors != 2 || st.WebhookDeliveries != 1 {
		t.Fatalf("stats = %+v, want 2 webhook errors and 1 delivery", st)
	}
}
