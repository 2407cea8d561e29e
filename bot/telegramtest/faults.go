package telegramtest

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// FailNext makes the next n calls of method (e.g. "sendMessage"; matched
// case-insensitively) fail with the given error code. chatID 0 matches calls
// to any chat (and calls without a chat), otherwise only calls whose chat_id
// is chatID match. The descriptions are Telegram's:
//
//	429 "Too Many Requests: retry after N" with parameters.retry_after = retryAfter
//	403 "Forbidden: bot was blocked by the user"
//	400 "Bad Request: chat not found"
//	500 "Internal Server Error", 502 "Bad Gateway", others the HTTP status text
//
// Exactly n calls fail; nothing else is affected. A 429 with retryAfter > 0
// also announces a retry window for the chat of the failed call: sends to
// that chat before it expires are counted in [Stats.SentIntoRetryAfter] (but,
// unlike windows announced by [Server.SetLimits], not rejected). Rules are
// applied in the order they were added; n < 1 adds nothing.
func (s *Server) FailNext(method string, chatID int64, code int, retryAfter int, n int) {
	if n < 1 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRules = append(s.failRules, &failRule{method: method, chatID: chatID, code: code, retryAfter: retryAfter, remaining: n})
}

func faultError(code, retryAfter int) *apiError {
	switch code {
	case http.StatusTooManyRequests:
		return tooManyRequests(retryAfter)
	case http.StatusForbidden:
		return forbidden("bot was blocked by the user")
	case http.StatusBadRequest:
		return badRequest("chat not found")
	case http.StatusUnauthorized:
		return errUnauthorized
	case http.StatusNotFound:
		return errNotFound
	case http.StatusConflict:
		return &apiError{code: code, description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
	case http.StatusInternalServerError:
		return &apiError{code: code, description: "Internal Server Error"}
	case http.StatusBadGateway:
		return &apiError{code: code, description: "Bad Gateway"}
	}
	desc := http.StatusText(code)
	if desc == "" {
		desc = "Error"
	}
	return &apiError{code: code, description: desc}
}

// failNextLocked applies the first matching FailNext rule.
func (s *Server) failNextLocked(method string, chatID int64) *apiError {
	for i, r := range s.failRules {
		if !strings.EqualFold(r.method, method) || (r.chatID != 0 && r.chatID != chatID) {
			continue
		}
		r.remaining--
		if r.remaining <= 0 {
			s.failRules = append(s.failRules[:i:i], s.failRules[i+1:]...)
		}
		if r.code == http.StatusTooManyRequests && r.retryAfter > 0 && chatID != 0 {
			ch := s.chatLocked(chatID)
			if until := time.Now().Add(time.Duration(r.retryAfter) * time.Second); until.After(ch.announcedUntil) {
				ch.announcedUntil = until
			}
		}
		return faultError(r.code, r.retryAfter)
	}
	return nil
}

// Block makes every send (and chat action) to the chat fail with 403
// "Forbidden: bot was blocked by the user" (for a group chat: "Forbidden: bot
// was kicked from the group chat").
func (s *Server) Block(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(chatID).blocked = true
}

// Deactivate makes every send (and chat action) to the chat fail with 403
// "Forbidden: user is deactivated".
func (s *Server) Deactivate(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(chatID).deactivated = true
}

// Unblock undoes [Server.Block] and [Server.Deactivate] for the chat.
func (s *Server) Unblock(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chatLocked(chatID)
	ch.blocked, ch.deactivated = false, false
}

// SetLimits sets the flood limits and resets the limiter state (token buckets
// and announced retry windows; counters are kept). The zero Limits turns
// limiting off.
//
// Enforcement is like Telegram's: a send exceeding a limit is answered 429
// with retry_after = l.RetryAfter and counted in [Stats.LimitViolations]; it
// announces a retry window for the chat (for the Global limit: for all
// chats). A send into an announced window is counted in
// [Stats.SentIntoRetryAfter] and answered 429 again with the remaining
// seconds. PerChat/Burst apply to private chats, GroupPerMinute to groups.
func (s *Server) SetLimits(l Limits) {
	if l.Burst < 1 {
		l.Burst = 1
	}
	if l.RetryAfter < 1 {
		l.RetryAfter = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = l
	s.globalRetryUntil = time.Time{}
	s.acceptedSends = nil
	for _, ch := range s.chats {
		ch.tokens, ch.tokensAt = 0, time.Time{}
		ch.groupSends = nil
		ch.enforcedUntil, ch.announcedUntil = time.Time{}, time.Time{}
	}
}

// preSendLocked runs before anything else for a send call: it measures the
// send rate and handles announced retry windows.
func (s *Server) preSendLocked(chatID int64) *apiError {
	now := time.Now()
	s.attemptedSends = append(pruneBefore(s.attemptedSends, now.Add(-time.Second)), now)
	if n := len(s.attemptedSends); n > s.stats.MaxGlobalPerSecond {
		s.stats.MaxGlobalPerSecond = n
	}
	if now.Before(s.globalRetryUntil) {
		s.stats.SentIntoRetryAfter++
		return tooManyRequests(secondsUntil(now, s.globalRetryUntil))
	}
	if chatID == 0 {
		return nil
	}
	ch := s.chats[chatID]
	if ch == nil {
		return nil
	}
	switch {
	case now.Before(ch.enforcedUntil):
		s.stats.SentIntoRetryAfter++
		return tooManyRequests(secondsUntil(now, ch.enforcedUntil))
	case now.Before(ch.announcedUntil):
		s.stats.SentIntoRetryAfter++
	}
	return nil
}

// admitSendLocked decides whether a valid send to ch goes through: blocked
// chats and flood limits.
func (s *Server) admitSendLocked(ch *chat, c *Call) *apiError {
	if e := s.reachableLocked(ch); e != nil {
		return e
	}
	if _, e := s.groupSendLocked(ch, c); e != nil {
		return e
	}
	l := s.limits
	now := time.Now()
	retry := time.Duration(l.RetryAfter) * time.Second
	if l.Global > 0 {
		s.acceptedSends = pruneBefore(s.acceptedSends, now.Add(-time.Second))
		if len(s.acceptedSends) >= l.Global {
			s.stats.LimitViolations++
			s.stats.GlobalLimitViolations++
			s.globalRetryUntil = now.Add(retry)
			return tooManyRequests(l.RetryAfter)
		}
	}
	switch {
	case ch.isPrivate() && l.PerChat > 0:
		if ch.tokensAt.IsZero() {
			ch.tokens = float64(l.Burst)
		} else {
			ch.tokens = math.Min(float64(l.Burst), ch.tokens+float64(now.Sub(ch.tokensAt))/float64(l.PerChat))
		}
		ch.tokensAt = now
		if ch.tokens < 1 {
			s.stats.LimitViolations++
			ch.enforcedUntil = now.Add(retry)
			return tooManyRequests(l.RetryAfter)
		}
		ch.tokens--
	case !ch.isPrivate() && l.GroupPerMinute > 0:
		ch.groupSends = pruneBefore(ch.groupSends, now.Add(-time.Minute))
		if len(ch.groupSends) >= l.GroupPerMinute {
			s.stats.LimitViolations++
			ch.enforcedUntil = now.Add(retry)
			return tooManyRequests(l.RetryAfter)
		}
		ch.groupSends = append(ch.groupSends, now)
	}
	if l.Global > 0 {
		s.acceptedSends = append(s.acceptedSends, now)
	}
	return nil
}

// reachableLocked reports 403 for blocked and deactivated chats.
func (s *Server) reachableLocked(ch *chat) *apiError {
	switch {
	case ch.deactivated:
		return forbidden("user is deactivated")
	case ch.blocked && ch.isPrivate():
		return forbidden("bot was blocked by the user")
	case ch.blocked:
		return kickedFrom(ch)
	}
	return nil
}

// pruneBefore drops the leading times before t, reusing the slice.
func pruneBefore(ts []time.Time, t time.Time) []time.Time {
	i := 0
	for i < len(ts) && ts[i].Before(t) {
		i++
	}
	if i == 0 {
		return ts
	}
	if i > len(ts)/2 { // compact so the backing array does not grow forever
		return append(ts[:0], ts[i:]...)
	}
	return ts[i:]
}

func secondsUntil(now, t time.Time) int {
	return max(1, int(math.Ceil(t.Sub(now).Seconds())))
}

// RestrictUserLinks makes the server answer a message whose inline keyboard
// links to user id with tg://user?id=<id> as the real server does when that
// user's privacy settings forbid it: 400 "Bad Request:
// BUTTON_USER_PRIVACY_RESTRICTED", and nothing is sent.
func (s *Server) RestrictUserLinks(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.restricted == nil {
		s.restricted = map[int64]bool{}
	}
	s.restricted[id] = true
}

// parseMarkupLocked is parseMarkup plus the checks that depend on the
// server's state (RestrictUserLinks).
func (s *Server) parseMarkupLocked(ch *chat, raw string, inlineOnly bool) (markup, *apiError) {
	m, e := parseMarkup(raw, inlineOnly)
	if e != nil {
		return m, e
	}
	for _, row := range m.buttons {
		for _, b := range row {
			// Mini App buttons only in private chats (Telegram:
			// BUTTON_TYPE_INVALID in groups and channels).
			if b.WebApp != "" && ch != nil && ch.typ != "" && ch.typ != models.ChatTypePrivate {
				return m, badRequest("BUTTON_TYPE_INVALID")
			}
			u, err := url.Parse(b.URL)
			if err != nil || u.Scheme != "tg" || u.Host != "user" {
				continue
			}
			if id, err := strconv.ParseInt(u.Query().Get("id"), 10, 64); err == nil && s.restricted[id] {
				return m, badRequest("BUTTON_USER_PRIVACY_RESTRICTED")
			}
		}
	}
	return m, nil
}
