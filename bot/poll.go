package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/go-telegram/bot/models"

	"sinergi/flows/transport"
)

// Polling runs long polling until ctx ends, then finishes the updates in
// flight (up to grace). It owns the offset: each batch of updates is stored in
// the Redis inbox together with the next offset before Telegram is told the
// batch arrived (by the next getUpdates), and an update leaves the inbox only
// in the same transaction that commits its handling. A crash at any point
// loses nothing; what was received and not handled is replayed at start, and
// the dedupe mark keeps a replayed update from being handled twice.
func (b *Bot) Polling(ctx context.Context, grace time.Duration) error {
	if err := b.deleteWebhook(ctx); err != nil {
		return err
	}
	b.start(ctx)
	err := b.pollLoop(ctx)
	if serr := b.stop(grace); serr != nil {
		b.log.Warn("shutdown", "err", serr)
	}
	return err
}

func (b *Bot) pollLoop(ctx context.Context) error {
	// Redis may be away at start: wait for it rather than exit.
	var offset int64
	for backoff := time.Duration(0); ; {
		err := b.replayInbox(ctx)
		if err == nil {
			offset, err = b.store.Offset(ctx)
		}
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		backoff = redisBackoff(backoff)
		b.log.Error("read the inbox (is Redis up?)", "err", err, "retry_in", backoff)
		if sleep(ctx, backoff) != nil {
			return nil
		}
	}
	var backoff time.Duration
	for ctx.Err() == nil {
		if backoff > 0 {
			if sleep(ctx, backoff) != nil {
				break
			}
		}
		batch, retryAfter, err := b.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			backoff = nextBackoff(backoff, retryAfter)
			b.log.Warn("getUpdates", "err", err, "retry_in", backoff)
			continue
		}
		if len(batch) == 0 {
			backoff = 0
			continue
		}
		items := make([]transport.InboxItem, len(batch))
		for i, r := range batch {
			items[i] = transport.InboxItem{ID: r.upd.ID, Raw: r.raw}
		}
		next := batch[len(batch)-1].upd.ID + 1
		if err := b.store.SaveInbox(ctx, items, next); err != nil {
			// Not stored, so not confirmed: the same batch comes again.
			backoff = redisBackoff(backoff)
			b.log.Error("store received updates", "err", err, "retry_in", backoff)
			for _, r := range batch {
				if in, cbID, ok := toInput(r.upd, b.me.Username, b.cfg.Clock()); ok {
					b.unavailable(ctx, in, cbID)
				}
			}
			continue
		}
		backoff = 0
		offset = next
		for _, r := range batch {
			if err := b.submit(ctx, r.upd); err != nil {
				return nil // shutting down; the rest is in the inbox
			}
		}
	}
	return nil
}

func nextBackoff(prev time.Duration, retryAfter int) time.Duration {
	if retryAfter > 0 {
		return time.Duration(retryAfter) * time.Second
	}
	return min(30*time.Second, max(500*time.Millisecond, 2*prev))
}

// redisBackoff paces retries while Redis is away: short, so the bot is
// back within seconds of Redis.
func redisBackoff(prev time.Duration) time.Duration {
	return min(3*time.Second, max(250*time.Millisecond, 2*prev))
}

// replayInbox submits updates received before a restart and not handled.
func (b *Bot) replayInbox(ctx context.Context) error {
	items, err := b.store.Inbox(ctx)
	if err != nil {
		return err
	}
	if len(items) > 0 {
		b.log.Info("replaying received updates", "count", len(items))
	}
	for _, it := range items {
		upd, err := rawUpdate(it.Raw)
		if err != nil {
			b.log.Error("drop undecodable update", "update", it.ID, "err", err)
			if err := b.store.AckInbox(ctx, it.ID); err != nil {
				return err
			}
			continue
		}
		if err := b.submit(ctx, upd); err != nil {
			return nil
		}
	}
	return nil
}

// submit queues an update from the inbox behind its chat's earlier updates.
// An update that could not be committed (Redis away, the chat busy in
// another replica) is tried again with backoff, holding back the chat's
// later updates, until it is or polling stops (it stays in the inbox and
// is replayed at the next start).
func (b *Bot) submit(ctx context.Context, upd *models.Update) error {
	chat := chatOf(upd)
	return b.disp.submit(ctx, job{chatID: chat, run: func(jctx context.Context) {
		for backoff := time.Duration(0); ; {
			err := b.handle(jctx, upd, true)
			if err == nil {
				return
			}
			backoff = redisBackoff(backoff)
			b.log.Error("update not committed", "update", upd.ID, "chat", chat, "err", err, "retry_in", backoff)
			if sleep(ctx, backoff) != nil {
				return
			}
		}
	}})
}

// polled is one update of a getUpdates answer, decoded once, with its raw
// JSON for the inbox.
type polled struct {
	upd *models.Update
	raw []byte
}

// getUpdates is our own long poll (go-telegram/bot's loop confirms updates
// before they are handled).
func (b *Bot) getUpdates(ctx context.Context, offset int64) (batch []polled, retryAfter int, err error) {
	body, _ := json.Marshal(map[string]any{
		"offset":          offset,
		"timeout":         int(b.cfg.PollTimeout / time.Second),
		"limit":           100,
		"allowed_updates": []string{"message", "callback_query", "my_chat_member"},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.cfg.APIURL+"/bot"+b.cfg.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, 0, fmt.Errorf("getUpdates request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.http.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("getUpdates: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, 0, fmt.Errorf("getUpdates body: %w", err)
	}
	var r struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		ErrorCode   int               `json:"error_code"`
		Description string            `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, 0, fmt.Errorf("getUpdates: decode %d response: %w", resp.StatusCode, err)
	}
	if !r.OK {
		b.metrics.TelegramError("getUpdates", r.ErrorCode)
		return nil, r.Parameters.RetryAfter, fmt.Errorf("getUpdates: %d %s", r.ErrorCode, r.Description)
	}
	batch = make([]polled, 0, len(r.Result))
	for _, raw := range r.Result {
		upd, err := rawUpdate(raw)
		if err != nil {
			return nil, 0, fmt.Errorf("getUpdates: %w", err)
		}
		batch = append(batch, polled{upd: upd, raw: raw})
	}
	return batch, 0, nil
}

func (b *Bot) deleteWebhook(ctx context.Context) error {
	ok, err := b.api.DeleteWebhook(ctx, nil)
	if err != nil {
		return fmt.Errorf("deleteWebhook: %w", err)
	}
	if !ok {
		return errors.New("deleteWebhook: refused")
	}
	return nil
}
