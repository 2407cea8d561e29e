package bot

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// maxUpdateBytes bounds a webhook body; real updates are a few kilobytes.
const maxUpdateBytes = 1 << 20

// Webhook sets the webhook (with its secret token) and returns the handler
// Telegram posts to. The handler answers 200 only after the update is
// committed; on failure it answers 503 so Telegram delivers it again, a
// request without the right X-Telegram-Bot-Api-Secret-Token gets 401, and a
// body that is not an update with a positive update_id gets 400.
// Stop (after the HTTP server stopped taking requests) finishes the rest.
func (b *Bot) Webhook(ctx context.Context, url, secret string) (http.Handler, error) {
	_, err := b.api.SetWebhook(ctx, &tg.SetWebhookParams{
		URL: url, SecretToken: secret,
		AllowedUpdates: []string{"message", "callback_query", "my_chat_member"},
	})
	if err != nil {
		return nil, fmt.Errorf("setWebhook: %w", err)
	}
	b.start(ctx)
	return b.webhookHandler(secret), nil
}

// Stop waits for updates in flight, up to grace.
func (b *Bot) Stop(grace time.Duration) error { return b.stop(grace) }

func (b *Bot) webhookHandler(secret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		raw, err := io.ReadAll(io.LimitReader(r.Body, maxUpdateBytes))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		upd, err := webhookUpdate(raw)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		done := make(chan error, 1)
		err = b.disp.submit(r.Context(), job{chatID: chatOf(upd), run: func(ctx context.Context) {
			done <- b.handle(ctx, upd, false)
		}})
		if err != nil {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		select {
		case err = <-done:
		case <-r.Context().Done():
			return // Telegram gave up waiting and will redeliver; dedupe covers it
		}
		if err != nil {
			b.log.Error("webhook update not committed", "update", upd.ID, "err", err)
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// webhookUpdate decodes a webhook body. An update without a positive
// update_id is refused (400, never handled): Telegram numbers every update
// from a positive start, and an update handled under id 0 would mark that id
// as seen for its chat.
func webhookUpdate(raw []byte) (*models.Update, error) {
	var id struct {
		ID *int64 `json:"update_id"`
	}
	if err := json.Unmarshal(raw, &id); err != nil {
		return nil, errors.New("bad update")
	}
	if id.ID == nil || *id.ID <= 0 {
		return nil, errors.New("update without a positive update_id")
	}
	upd, err := rawUpdate(raw)
	if err != nil {
		return nil, errors.New("bad update")
	}
	return upd, nil
}

// chatOf is the chat an update belongs to (0 when none), the unit of ordering.
func chatOf(upd *models.Update) int64 {
	switch {
	case upd.Message != nil:
		return upd.Message.Chat.ID
	case upd.EditedMessage != nil:
		return upd.EditedMessage.Chat.ID
	case upd.CallbackQuery != nil:
		if m := upd.CallbackQuery.Message.Message; m != nil {
			return m.Chat.ID
		}
		if m := upd.CallbackQuery.Message.InaccessibleMessage; m != nil {
			return m.Chat.ID
		}
		return upd.CallbackQuery.From.ID
	}
	return 0
}
