package telegramtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/go-telegram/bot"

	"sinergi/bot/telegramtest"
)

var alice = telegramtest.User{ID: 1001, FirstName: "Alice", Username: "alice", LanguageCode: "en"}

// answer is a raw Bot API answer.
type answer struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter      int   `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
	status int
}

func newServer(t *testing.T, opts ...telegramtest.Option) *telegramtest.Server {
	t.Helper()
	s := telegramtest.New(opts...)
	t.Cleanup(s.Close)
	return s
}

func newClient(t *testing.T, s *telegramtest.Server, opts ...bot.Option) *bot.Bot {
	t.Helper()
	base := []bot.Option{
		bot.WithServerURL(s.URL()),
		bot.WithSkipGetMe(),
		bot.WithErrorsHandler(func(error) {}),
	}
	b, err := bot.New(telegramtest.Token, append(base, opts...)...)
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	return b
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// postJSON calls a method with a JSON body.
func postJSON(t *testing.T, s *telegramtest.Server, method string, params any) answer {
	t.Helper()
	body, err := json.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, s.URL()+"/bot"+telegramtest.Token+"/"+method, "application/json", bytes.NewReader(body))
}

// postForm calls a method with an urlencoded body.
func postForm(t *testing.T, s *telegramtest.Server, method string, vals url.Values) answer {
	t.Helper()
	return do(t, s.URL()+"/bot"+telegramtest.Token+"/"+method, "application/x-www-form-urlencoded", bytes.NewReader([]byte(vals.Encode())))
}

func do(t *testing.T, u, contentType string, body io.Reader) answer {
	t.Helper()
	a, err := tryDo(u, contentType, body)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// tryPostJSON is postJSON for goroutines other than the test's.
func tryPostJSON(s *telegramtest.Server, method string, params any) (answer, error) {
	body, err := json.Marshal(params)
	if err != nil {
		return answer{}, err
	}
	return tryDo(s.URL()+"/bot"+telegramtest.Token+"/"+method, "application/json", bytes.NewReader(body))
}

func tryDo(u, contentType string, body io.Reader) (answer, error) {
	resp, err := http.Post(u, contentType, body)
	if err != nil {
		return answer{}, fmt.Errorf("POST %s: %w", u, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		return answer{}, fmt.Errorf("decode %s: %w", raw, err)
	}
	a.status = resp.StatusCode
	return a, nil
}

func mustOK(t *testing.T, a answer) {
	t.Helper()
	if !a.OK {
		t.Fatalf("want ok, got %d %s", a.ErrorCode, a.Description)
	}
}

func mustFail(t *testing.T, a answer, code int, desc string) {
	t.Helper()
	if a.OK || a.ErrorCode != code || a.status != code || (desc != "" && a.Description != desc) {
		t.Fatalf("want %d %q, got ok=%v %d (HTTP %d) %q", code, desc, a.OK, a.ErrorCode, a.status, a.Description)
	}
}
