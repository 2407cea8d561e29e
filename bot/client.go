package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// textClient sends sendMessage, the bot's most frequent call, as a JSON body
// and decodes only the envelope and the new message's id.
//
// go-telegram/bot builds every request as multipart and decodes every
// response into a full models.Message — Telegram echoes the reply keyboard
// back, and a menu of ten buttons made that decoding the largest single cost
// of a reply in profiles. Errors are mapped onto the library's own sentinels
// and types (ErrorForbidden, TooManyRequestsError, …), so the Sender treats
// both paths alike; every other method still goes through go-telegram/bot.
type textClient struct {
	url  string // <api>/bot<token>/sendMessage
	http *http.Client
}

type textMessage struct {
	ChatID             int64                      `json:"chat_id"`
	MessageThreadID    int                        `json:"message_thread_id,omitempty"`
	Text               string                     `json:"text"`
	ParseMode          models.ParseMode           `json:"parse_mode,omitempty"`
	ReplyMarkup        models.ReplyMarkup         `json:"reply_markup,omitempty"`
	LinkPreviewOptions *models.LinkPreviewOptions `json:"link_preview_options,omitempty"`
}

// envelope is a Bot API answer without the body of its result.
type envelope struct {
	OK     bool `json:"ok"`
	Result struct {
		MessageID int `json:"message_id"`
	} `json:"result"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  struct {
		RetryAfter      int `json:"retry_after"`
		MigrateToChatID int `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// send posts the message and returns its id.
func (c *textClient) send(ctx context.Context, m *textMessage) (int, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return 0, fmt.Errorf("encode sendMessage: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("sendMessage request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("error do request for method sendMessage, %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, fmt.Errorf("read sendMessage response: %w", err)
	}
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return 0, fmt.Errorf("error response from telegram for method sendMessage, %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	if env.OK {
		return env.Result.MessageID, nil
	}
	return 0, apiError(env)
}

// apiError maps an error answer the way go-telegram/bot does, so classify
// reads both alike.
func apiError(env envelope) error {
	switch env.ErrorCode {
	case http.StatusForbidden:
		return fmt.Errorf("%w, %s", tg.ErrorForbidden, env.Description)
	case http.StatusBadRequest:
		if env.Parameters.MigrateToChatID != 0 {
			return &tg.MigrateError{Message: fmt.Sprintf("%s: %s", tg.ErrorBadRequest, env.Description), MigrateToChatID: env.Parameters.MigrateToChatID}
		}
		return fmt.Errorf("%w, %s", tg.ErrorBadRequest, env.Description)
	case http.StatusUnauthorized:
		return fmt.Errorf("%w, %s", tg.ErrorUnauthorized, env.Description)
	case http.StatusNotFound:
		return fmt.Errorf("%w, %s", tg.ErrorNotFound, env.Description)
	case http.StatusConflict:
		return fmt.Errorf("%w, %s", tg.ErrorConflict, env.Description)
	case http.StatusTooManyRequests:
		return &tg.TooManyRequestsError{Message: fmt.Sprintf("%s, %s", tg.ErrorTooManyRequests, env.Description), RetryAfter: env.Parameters.RetryAfter}
	}
	return fmt.Errorf("error response from telegram for method sendMessage, %d %s", env.ErrorCode, env.Description)
}
