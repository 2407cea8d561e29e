package telegramtest_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"

	"sinergi/bot/telegramtest"
)

func TestFailNext(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	ctx := ctxT(t)
	s.FailNext("sendMessage", 0, http.StatusTooManyRequests, 3, 1)
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "a"})
	var tooMany *bot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 3 || !strings.Contains(tooMany.Message, "Too Many Requests: retry after 3") {
		t.Fatalf("want TooManyRequestsError retry 3, got %v", err)
	}
	// Exactly n calls fail; retrying inside the announced window is counted.
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "a"}); err != nil {
		t.Fatalf("second call: %v", err)
	}
	if st := s.Stats(); st.SentIntoRetryAfter != 1 || st.Errors[429] != 1 || st.Sent != 1 || st.LimitViolations != 0 {
		t.Fatalf("stats = %+v", st)
	}

	// Chat filter and other codes.
	s.FailNext("sendmessage", 50, http.StatusBadGateway, 0, 2)
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 51, Text: "a"}); err != nil {
		t.Fatalf("other chat affected: %v", err)
	}
	for range 2 {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 50, Text: "a"})
		if err == nil || !strings.Contains(err.Error(), "502 Bad Gateway") {
			t.Fatalf("want 502, got %v", err)
		}
	}
	s.FailNext("answerCallbackQuery", 0, http.StatusBadRequest, 0, 1)
	mustFail(t, postJSON(t, s, "answerCallbackQuery", map[string]any{"callback_query_id": "1"}), 400, "Bad Request: chat not found")
	s.FailNext("getUpdates", 0, http.StatusInternalServerError, 0, 1)
	mustFail(t, postJSON(t, s, "getUpdates", map[string]any{}), 500, "Internal Server Error")
	s.FailNext("sendMessage", 0, http.StatusForbidden, 0, 1)
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 52, Text: "a"}); !errors.Is(err, bot.ErrorForbidden) {
		t.Fatalf("want forbidden, got %v", err)
	}
}

func TestBlockAndDeactivate(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	ctx := ctxT(t)
	s.Block(alice.ID)
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "hi"})
	if !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "bot was blocked by the user") {
		t.Fatalf("blocked: %v", err)
	}
	if _, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: alice.ID, Action: "typing"}); !errors.Is(err, bot.ErrorForbidden) {
		t.Fatalf("chat action to blocked chat: %v", err)
	}
	s.Deactivate(2)
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 2, Text: "hi"})
	if !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "user is deactivated") {
		t.Fatalf("deactivated: %v", err)
	}
	s.Unblock(alice.ID)
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "hi"}); err != nil {
		t.Fatalf("after unblock: %v", err)
	}
	if st := s.Stats(); st.Errors[403] != 3 || st.Sent != 1 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestPerChatLimit(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	ctx := ctxT(t)
	s.SetLimits(telegramtest.Limits{PerChat: time.Second})
	var ok, limited int
	for range 3 {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "x"})
		var tooMany *bot.TooManyRequestsError
		switch {
		case err == nil:
			ok++
		case errors.As(err, &tooMany) && tooMany.RetryAfter == 1:
			limited++
		default:
			t.Fatalf("unexpected error %v", err)
		}
	}
	if ok != 1 || limited != 2 {
		t.Fatalf("ok=%d limited=%d", ok, limited)
	}
	st := s.Stats()
	if st.LimitViolations != 1 || st.SentIntoRetryAfter != 1 || st.Errors[429] != 2 || st.MaxGlobalPerSecond != 3 {
		t.Fatalf("stats = %+v", st)
	}
	// Other chats are not affected; limits do not apply to non-sends.
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 2, Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: alice.ID, Action: "typing"}); err != nil {
		t.Fatal(err)
	}
	// After the window and the gap, sending works again.
	time.Sleep(1100 * time.Millisecond)
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "x"}); err != nil {
		t.Fatalf("after waiting: %v", err)
	}
}

func TestGlobalAndGroupLimits(t *testing.T) {
	s := newServer(t)
	s.SetLimits(telegramtest.Limits{Global: 2, RetryAfter: 5})
	mustOK(t, postJSON(t, s, "sendMessage", map[string]any{"chat_id": 1, "text": "x"}))
	mustOK(t, postJSON(t, s, "sendMessage", map[string]any{"chat_id": 2, "text": "x"}))
	a := postJSON(t, s, "sendMessage", map[string]any{"chat_id": 3, "text": "x"})
	mustFail(t, a, 429, "Too Many Requests: retry after 5")
	if a.Parameters.RetryAfter != 5 {
		t.Fatalf("retry_after = %d", a.Parameters.RetryAfter)
	}
	// A global 429 holds for every chat.
	mustFail(t, postJSON(t, s, "sendMessage", map[string]any{"chat_id": 4, "text": "x"}), 429, "")
	if st := s.Stats(); st.LimitViolations != 1 || st.SentIntoRetryAfter != 1 {
		t.Fatalf("stats = %+v", st)
	}

	s.SetLimits(telegramtest.Limits{GroupPerMinute: 2, Burst: 1})
	mustOK(t, postJSON(t, s, "sendMessage", map[string]any{"chat_id": -10, "text": "x"}))
	mustOK(t, postJSON(t, s, "sendMessage", map[string]any{"chat_id": -10, "text": "x"}))
	mustFail(t, postJSON(t, s, "sendMessage", map[string]any{"chat_id": -10, "text": "x"}), 429, "")
	mustOK(t, postJSON(t, s, "sendMessage", map[string]any{"chat_id": 5, "text": "private chats are not group-limited"}))
}

func TestGlobalLimitViolationsCounted(t *testing.T) {
	s := newServer(t)
	s.SetLimits(telegramtest.Limits{Global: 2, PerChat: time.Minute, Burst: 1})
	mustOK(t, postJSON(t, s, "sendMessage", map[string]any{"chat_id": 1, "text": "x"}))
	mustFail(t, postJSON(t, s, "sendMessage", map[string]any{"chat_id": 1, "text": "per chat"}), 429, "")
	mustOK(t, postJSON(t, s, "sendMessage", map[string]any{"chat_id": 2, "text": "x"}))
	mustFail(t, postJSON(t, s, "sendMessage", map[string]any{"chat_id": 3, "text": "global"}), 429, "")
	if st := s.Stats(); st.LimitViolations != 2 || st.GlobalLimitViolations != 1 {
		t.Fatalf("stats = %+v, want 2 violations of which 1 global", st)
	}
}
