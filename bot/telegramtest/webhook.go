package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-telegram/bot/models"
)

const (
	webhookMinBackoff = 50 * time.Millisecond
	webhookMaxBackoff = time.Second
	defaultMaxConns   = 40
)

// webhookState is an active webhook. It is replaced (never reused) when the
// webhook changes; its context is canceled when it stops being active.
type webhookState struct {
	url            string
	secret         string
	maxConns       int
	allowedUpdates []string
	ipAddress      string

	ctx    context.Context
	cancel context.CancelFunc

	inflight      int
	busy          map[int64]bool // chats with a delivery in flight
	lastErrorDate int
	lastError     string
}

// stopWebhookLocked deactivates the current webhook, if any.
func (s *Server) stopWebhookLocked() {
	if s.webhook == nil {
		return
	}
	s.webhook.cancel()
	s.webhook = nil
	s.notifyLocked()
}

func (s *Server) handleSetWebhook(c *Call) (any, *apiError) {
	raw := c.Params["url"]
	drop := c.Params["drop_pending_updates"] == "true"
	if raw == "" {
		if drop {
			s.queue = nil
		}
		s.stopWebhookLocked()
		return true, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, badRequest("bad webhook: invalid webhook URL specified")
	}
	secret := c.Params["secret_token"]
	if len(secret) > 256 {
		return nil, badRequest("secret token is too long")
	}
	for _, r := range secret {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return nil, badRequest("secret token contains unallowed characters")
		}
	}
	maxConns := defaultMaxConns
	if v := c.Params["max_connections"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, badRequest("wrong parameter max_connections")
		}
		maxConns = min(max(n, 1), 100)
	}
	var allowed []string
	if v := c.Params["allowed_updates"]; v != "" {
		if err := json.Unmarshal([]byte(v), &allowed); err != nil {
			return nil, badRequest("can't parse allowed_updates: %v", err)
		}
	}
	if drop {
		s.queue = nil
	}
	s.stopWebhookLocked()
	if s.closed {
		return true, nil
	}
	ctx, cancel := context.WithCancel(s.ctx)
	w := &webhookState{
		url: raw, secret: secret, maxConns: maxConns, allowedUpdates: allowed,
		ipAddress: c.Params["ip_address"], ctx: ctx, cancel: cancel, busy: map[int64]bool{},
	}
	s.webhook = w
	s.wg.Add(1)
	go s.dispatchWebhook(w)
	s.notifyLocked()
	return true, nil
}

func (s *Server) handleDeleteWebhook(c *Call) (any, *apiError) {
	if c.Params["drop_pending_updates"] == "true" {
		s.queue = nil
	}
	s.stopWebhookLocked()
	return true, nil
}

func (s *Server) handleGetWebhookInfo(*Call) (any, *apiError) {
	info := models.WebhookInfo{PendingUpdateCount: len(s.queue)}
	if w := s.webhook; w != nil {
		info.URL = w.url
		info.IPAddress = w.ipAddress
		info.MaxConnections = w.maxConns
		info.AllowedUpdates = w.allowedUpdates
		info.LastErrorDate = w.lastErrorDate
		info.LastErrorMessage = w.lastError
	}
	return info, nil
}

// dispatchWebhook starts deliveries of queued updates while w is active:
// in update_id order, one at a time per chat, at most maxConns at once.
func (s *Server) dispatchWebhook(w *webhookState) {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		if w.ctx.Err() != nil {
			s.mu.Unlock()
			return
		}
		var drop []*queued
		for _, q := range s.queue {
			if w.inflight >= w.maxConns {
				break
			}
			if q.inflight {
				continue
			}
			if !allowedKind(updateKind(&q.upd), w.allowedUpdates) {
				drop = append(drop, q)
				continue
			}
			key := updateChatKey(&q.upd)
			if w.busy[key] {
				continue
			}
			q.inflight = true
			w.busy[key] = true
			w.inflight++
			s.wg.Add(1)
			go s.deliver(w, q, key)
		}
		for _, q := range drop {
			s.removeLocked(q)
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-w.ctx.Done():
			return
		}
	}
}

// deliver POSTs one update until it is accepted or the webhook stops.
func (s *Server) deliver(w *webhookState, q *queued, key int64) {
	defer s.wg.Done()
	release := func() { // with s.mu held
		q.inflight = false
		delete(w.busy, key)
		w.inflight--
		s.notifyLocked()
	}
	body, err := json.Marshal(&q.upd)
	if err != nil { // an invalid injected update: drop it
		s.mu.Lock()
		s.removeLocked(q)
		w.lastErrorDate = int(time.Now().Unix())
		w.lastError = "can't encode update: " + err.Error()
		release()
		s.mu.Unlock()
		return
	}
	backoff := webhookMinBackoff
	for {
		err := s.post(w, body)
		s.mu.Lock()
		switch {
		case err == nil:
			s.removeLocked(q)
			s.stats.WebhookDeliveries++
		case w.ctx.Err() == nil:
			w.lastErrorDate = int(time.Now().Unix())
			w.lastError = err.Error()
			s.stats.WebhookErrors++
		}
		if err == nil || w.ctx.Err() != nil {
			release()
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-w.ctx.Done():
			t.Stop()
		}
		backoff = min(backoff*2, webhookMaxBackoff)
	}
}

func (s *Server) post(w *webhookState, body []byte) error {
	req, err := http.NewRequestWithContext(w.ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if w.secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", w.secret)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("Connection failed: %w", err) //nolint:staticcheck // Telegram's wording
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("Wrong response from the webhook: %s", resp.Status) //nolint:staticcheck // Telegram's wording
	}
	return nil
}

// updateChatKey is the chat an update belongs to (0 when it has none), used
// to keep webhook deliveries ordered per chat.
func updateChatKey(u *models.Update) int64 {
	for _, m := range []*models.Message{u.Message, u.EditedMessage, u.ChannelPost, u.EditedChannelPost, u.BusinessMessage, u.EditedBusinessMessage} {
		if m != nil {
			return m.Chat.ID
		}
	}
	switch {
	case u.CallbackQuery != nil:
		if m := u.CallbackQuery.Message.Message; m != nil {
			return m.Chat.ID
		}
		if m := u.CallbackQuery.Message.InaccessibleMessage; m != nil {
			return m.Chat.ID
		}
		return u.CallbackQuery.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	case u.ChatMember != nil:
		return u.ChatMember.Chat.ID
	case u.ChatJoinRequest != nil:
		return u.ChatJoinRequest.Chat.ID
	}
	return 0
}
