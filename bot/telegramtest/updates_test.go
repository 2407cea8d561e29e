package telegramtest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"sinergi/bot/telegramtest"
)

func getUpdates(t *testing.T, s *telegramtest.Server, params map[string]any) []models.Update {
	t.Helper()
	a := postJSON(t, s, "getUpdates", params)
	mustOK(t, a)
	var ups []models.Update
	if err := json.Unmarshal(a.Result, &ups); err != nil {
		t.Fatal(err)
	}
	return ups
}

func ids(ups []models.Update) []int64 {
	out := make([]int64, len(ups))
	for i, u := range ups {
		out[i] = u.ID
	}
	return out
}

func TestGetUpdatesOffsetSemantics(t *testing.T) {
	s := newServer(t)
	u1 := s.SendText(alice, "/start@sinergi_test_bot payload")
	u2 := s.SendSticker(alice)
	u3 := s.SendContact(alice, "+100200300")
	if u2 != u1+1 || u3 != u2+1 {
		t.Fatalf("update ids not monotonic: %d %d %d", u1, u2, u3)
	}

	ups := getUpdates(t, s, map[string]any{})
	if len(ups) != 3 {
		t.Fatalf("want 3, got %v", ids(ups))
	}
	m := ups[0].Message
	if m == nil || m.Chat.ID != alice.ID || m.Chat.Type != models.ChatTypePrivate || m.From.ID != alice.ID ||
		len(m.Entities) != 1 || m.Entities[0].Type != models.MessageEntityTypeBotCommand || m.Entities[0].Length != len("/start@sinergi_test_bot") {
		t.Fatalf("message = %+v", m)
	}
	if ups[1].Message.Sticker == nil || ups[1].Message.Text != "" || ups[2].Message.Contact.PhoneNumber != "+100200300" {
		t.Fatalf("sticker/contact = %+v %+v", ups[1].Message, ups[2].Message)
	}
	// Not confirmed yet: returned again; limit applies.
	if got := ids(getUpdates(t, s, map[string]any{"limit": 2})); len(got) != 2 || got[0] != u1 {
		t.Fatalf("limit 2: %v", got)
	}
	// offset confirms everything below it.
	if got := ids(getUpdates(t, s, map[string]any{"offset": u2})); len(got) != 2 || got[0] != u2 {
		t.Fatalf("offset u2: %v", got)
	}
	if got := ids(getUpdates(t, s, map[string]any{})); len(got) != 2 || got[0] != u2 {
		t.Fatalf("u1 not confirmed: %v", got)
	}
	if got := getUpdates(t, s, map[string]any{"offset": u3 + 1}); len(got) != 0 {
		t.Fatalf("all confirmed, got %v", ids(got))
	}
	if s.PendingUpdates() != 0 {
		t.Fatalf("pending = %d", s.PendingUpdates())
	}

	// Redeliver: same update_id again, whatever the offset.
	s.Redeliver(u1)
	got := getUpdates(t, s, map[string]any{"offset": u3 + 1})
	if len(got) != 1 || got[0].ID != u1 || got[0].Message.Text != "/start@sinergi_test_bot payload" {
		t.Fatalf("redelivered: %+v", got)
	}
	if got := getUpdates(t, s, map[string]any{"offset": u3 + 1}); len(got) != 0 {
		t.Fatalf("redelivered update not confirmed: %v", ids(got))
	}
}

func TestGetUpdatesLongPoll(t *testing.T) {
	s := newServer(t)

	// Wakes up as soon as an update is injected.
	done := make(chan []models.Update)
	go func() {
		a, _ := tryPostJSON(s, "getUpdates", map[string]any{"offset": 1, "timeout": 10})
		var ups []models.Update
		_ = json.Unmarshal(a.Result, &ups)
		done <- ups
	}()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	id := s.SendText(alice, "wake up")
	select {
	case ups := <-done:
		if len(ups) != 1 || ups[0].ID != id {
			t.Fatalf("long poll got %v", ids(ups))
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("long poll woke after %v", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("long poll did not wake up")
	}

	// Times out with [].
	start = time.Now()
	ups := getUpdates(t, s, map[string]any{"offset": id + 1, "timeout": 1})
	if len(ups) != 0 || time.Since(start) < 900*time.Millisecond {
		t.Fatalf("timeout poll: %v after %v", ids(ups), time.Since(start))
	}

	// Ends when the request context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+"/bot"+telegramtest.Token+"/getUpdates",
		strings.NewReader(`{"offset":100,"timeout":30}`))
	req.Header.Set("Content-Type", "application/json")
	start = time.Now()
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("canceled poll did not end")
	}
	if _, err := s.WaitCall(5*time.Second, func(c telegramtest.Call) bool {
		return c.Method == "getUpdates" && c.Params["offset"] == "100"
	}); err != nil {
		t.Fatal(err)
	}
}

func TestGetUpdatesAllowedUpdates(t *testing.T) {
	s := newServer(t)
	s.SendText(alice, "text")
	s.Press(alice, 1, "cb")
	ups := getUpdates(t, s, map[string]any{"allowed_updates": []string{"callback_query"}})
	if len(ups) != 1 || ups[0].CallbackQuery == nil {
		t.Fatalf("allowed_updates: %+v", ups)
	}
}

func TestConcurrentPollConflict(t *testing.T) {
	s := newServer(t)
	first := make(chan answer)
	go func() { a, _ := tryPostJSON(s, "getUpdates", map[string]any{"timeout": 5}); first <- a }()
	if _, err := s.WaitCall(0, func(telegramtest.Call) bool { return false }); err == nil {
		t.Fatal("WaitCall with no match succeeded")
	}
	time.Sleep(100 * time.Millisecond)
	second := make(chan answer)
	go func() { a, _ := tryPostJSON(s, "getUpdates", map[string]any{"timeout": 1}); second <- a }()
	a := <-first
	mustFail(t, a, http.StatusConflict, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
	mustOK(t, <-second)
}

// TestBotClientPolling drives a real go-telegram bot through long polling:
// messages, button presses with callback answers, redelivery.
func TestBotClientPolling(t *testing.T) {
	s := newServer(t)
	var mu sync.Mutex
	seen := map[int64]int{}
	handler := func(ctx context.Context, b *bot.Bot, u *models.Update) {
		mu.Lock()
		seen[u.ID]++
		mu.Unlock()
		switch {
		case u.Message != nil:
			_, _ = b.SendMessage(ctx, &bot.SendMessageParams{
				ChatID: u.Message.Chat.ID,
				Text:   "echo: " + u.Message.Text,
				ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
					{Text: "OK", CallbackData: "ok"},
				}}},
			})
		case u.CallbackQuery != nil:
			_, _ = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: u.CallbackQuery.ID, Text: "pressed " + u.CallbackQuery.Data})
			if m := u.CallbackQuery.Message.Message; m != nil {
				_, _ = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: m.Chat.ID, MessageID: m.ID, Text: "was: " + m.Text})
			}
		}
	}
	b := newClient(t, s, bot.WithDefaultHandler(handler))
	events, cancelEvents := s.Subscribe()
	defer cancelEvents()
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { b.Start(ctx); close(stopped) }()
	defer func() { cancel(); <-stopped }()

	s.SendText(alice, "hello")
	msgs, err := s.WaitBotMessages(alice.ID, 1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if msgs[0].Text != "echo: hello" || msgs[0].Buttons[0][0].CallbackData != "ok" {
		t.Fatalf("bot reply = %+v", msgs[0])
	}

	s.Press(alice, msgs[0].ID, "ok")
	if _, err := s.WaitCall(5*time.Second, func(c telegramtest.Call) bool {
		return c.Method == "editMessageText" && c.ErrorCode == 0
	}); err != nil {
		t.Fatal(err)
	}
	if m := s.BotMessages(alice.ID)[0]; !m.Edited || m.Text != "was: echo: hello" {
		t.Fatalf("edited = %+v", m)
	}
	tr := s.Transcript(alice.ID)
	if len(tr) != 3 || tr[2].CallbackData != "ok" || tr[2].Text != "OK" || tr[2].CallbackMessageID != msgs[0].ID {
		t.Fatalf("transcript = %+v", tr)
	}

	var kinds []string
	deadline := time.After(5 * time.Second)
	for len(kinds) < 5 {
		select {
		case ev := <-events:
			kinds = append(kinds, ev.Kind)
			if ev.Kind == telegramtest.EventCallbackAnswer && (ev.Text != "pressed ok" || ev.Message.CallbackData != "ok") {
				t.Fatalf("callback answer event = %+v", ev)
			}
		case <-deadline:
			t.Fatalf("events so far: %v", kinds)
		}
	}
	want := []string{"message", "message", "press", "callback_answer", "edit"}
	if strings.Join(kinds, ",") != strings.Join(want, ",") {
		t.Fatalf("events = %v, want %v", kinds, want)
	}

	// A redelivered update reaches the bot a second time.
	id := s.SendText(alice, "once")
	if _, err := s.WaitBotMessages(alice.ID, 2, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	s.Redeliver(id)
	if _, err := s.WaitBotMessages(alice.ID, 3, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	n := seen[id]
	mu.Unlock()
	if n != 2 {
		t.Fatalf("update %d seen %d times", id, n)
	}
}

func TestWaitBotMessagesTimeoutDescribes(t *testing.T) {
	s := newServer(t)
	mustOK(t, postJSON(t, s, "sendMessage", map[string]any{"chat_id": 77, "text": "first"}))
	mustFail(t, postJSON(t, s, "sendMessage", map[string]any{"chat_id": 77, "text": "<b>x", "parse_mode": "HTML"}), 400, "")
	msgs, err := s.WaitBotMessages(77, 2, 100*time.Millisecond)
	if err == nil || len(msgs) != 1 {
		t.Fatalf("want timeout with 1 message, got %v %v", msgs, err)
	}
	for _, want := range []string{"chat 77", `"first"`, "can't parse entities"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestGroupTextAndInject(t *testing.T) {
	s := newServer(t)
	s.SendGroupText(alice, -500, "/help@sinergi_test_bot")
	id := s.Inject(models.Update{ChatJoinRequest: &models.ChatJoinRequest{Chat: models.Chat{ID: -500, Type: models.ChatTypeGroup}}})
	ups := getUpdates(t, s, map[string]any{})
	if len(ups) != 2 || ups[0].Message.Chat.Type != models.ChatTypeGroup || ups[0].Message.Chat.ID != -500 || ups[1].ID != id ||
		ups[1].ChatJoinRequest == nil {
		t.Fatalf("updates = %+v", ups)
	}
	if tr := s.Transcript(-500); len(tr) != 1 || tr[0].Text != "/help@sinergi_test_bot" {
		t.Fatalf("group transcript = %+v", tr)
	}
	custom := s.Inject(models.Update{ID: 1000, Message: &models.Message{ID: 5, Chat: models.Chat{ID: 3, Type: "private"}, Text: "x", Date: 1}})
	if custom != 1000 || s.SendText(alice, "next") != 1001 {
		t.Fatal("explicit update id not respected")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Inject of an unencodable update did not panic")
		}
	}()
	s.Inject(models.Update{MyChatMember: &models.ChatMemberUpdated{}})
}
