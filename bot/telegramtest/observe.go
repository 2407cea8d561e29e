package telegramtest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// eventBuffer is the capacity of a subscription channel.
const eventBuffer = 1024

// sendMethods are the message-producing methods subject to flood limits.
var sendMethods = map[string]bool{
	"sendMessage": true, "sendPhoto": true, "sendDocument": true, "sendAudio": true,
	"sendVideo": true, "sendAnimation": true, "sendVoice": true, "sendSticker": true,
	"sendMediaGroup": true, "copyMessage": true, "forwardMessage": true,
	"editMessageText": true, "editMessageCaption": true, "editMessageReplyMarkup": true,
}

// recordLocked finishes a call: counters, call log and call waiters.
func (s *Server) recordLocked(c *Call, method string, send bool, aerr *apiError) {
	if method == "" {
		method = c.Method
	}
	s.stats.Calls++
	s.stats.ByMethod[method]++
	if aerr != nil {
		c.ErrorCode, c.Error = aerr.code, aerr.description
		s.stats.Errors[aerr.code]++
	} else if send {
		s.stats.Sent++
	}
	if s.record {
		s.calls = append(s.calls, *c)
	}
	for w := range s.waiters {
		w.mu.Lock()
		w.pending = append(w.pending, *c)
		w.mu.Unlock()
		select {
		case w.notify <- struct{}{}:
		default:
		}
	}
	s.notifyLocked()
}

// Calls returns a snapshot of every request received so far (including failed
// ones), in the order they were answered. It is empty for a server created
// [WithoutRecording].
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// CallsOf returns the recorded calls of one method (e.g. "sendMessage").
func (s *Server) CallsOf(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if strings.EqualFold(c.Method, method) {
			out = append(out, c)
		}
	}
	return out
}

// Chats returns the ids of all chats the server knows, in ascending order.
func (s *Server) Chats() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.chats))
}

// Transcript returns both sides of a chat in order: user messages and presses
// injected by the test and messages sent by the bot. An edited message is
// updated in place (Edited is set); a deleted one stays with Deleted set.
func (s *Server) Transcript(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.transcriptLocked(chatID, false)
}

// BotMessages returns the messages the bot sent to a chat (including deleted
// ones, with Deleted set).
func (s *Server) BotMessages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.transcriptLocked(chatID, true)
}

func (s *Server) transcriptLocked(chatID int64, botOnly bool) []Message {
	ch := s.chats[chatID]
	if ch == nil {
		return nil
	}
	out := make([]Message, 0, len(ch.msgs))
	for _, r := range ch.msgs {
		if !botOnly || r.pub.FromBot {
			out = append(out, r.pub)
		}
	}
	return out
}

// WaitBotMessages waits until the bot has sent at least n messages to the chat
// and returns them (see [Server.BotMessages]). On timeout the error describes
// the messages that were there and the failed calls for the chat.
func (s *Server) WaitBotMessages(chatID int64, n int, timeout time.Duration) ([]Message, error) {
	if !s.record {
		return nil, errors.New("telegramtest: WaitBotMessages needs recording, the server was created WithoutRecording")
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		msgs := s.transcriptLocked(chatID, true)
		changed := s.changed
		if len(msgs) >= n {
			s.mu.Unlock()
			return msgs, nil
		}
		select {
		case <-timer.C:
			err := s.describeTimeoutLocked(chatID, n, timeout, msgs)
			s.mu.Unlock()
			return msgs, err
		default:
		}
		s.mu.Unlock()
		select {
		case <-changed:
		case <-timer.C:
			s.mu.Lock()
			msgs = s.transcriptLocked(chatID, true)
			var err error
			if len(msgs) < n {
				err = s.describeTimeoutLocked(chatID, n, timeout, msgs)
			}
			s.mu.Unlock()
			return msgs, err
		}
	}
}

func (s *Server) describeTimeoutLocked(chatID int64, n int, timeout time.Duration, msgs []Message) error {
	var b strings.Builder
	fmt.Fprintf(&b, "telegramtest: timed out after %v waiting for %d bot message(s) in chat %d; got %d", timeout, n, chatID, len(msgs))
	for _, m := range msgs {
		fmt.Fprintf(&b, "\n  #%d %q", m.ID, shorten(m.Text, 120))
		if m.Media != "" {
			fmt.Fprintf(&b, " [%s]", m.Media)
		}
		if m.Edited {
			b.WriteString(" (edited)")
		}
		if m.Deleted {
			b.WriteString(" (deleted)")
		}
	}
	var failed []string
	for _, c := range s.calls {
		if c.ErrorCode == 0 || c.Method == "getUpdates" {
			continue
		}
		if id, ok := parseChatID(c.Params["chat_id"]); ok && id == chatID {
			failed = append(failed, fmt.Sprintf("%s -> %d %s", c.Method, c.ErrorCode, c.Error))
		}
	}
	if len(failed) > 5 {
		failed = failed[len(failed)-5:]
	}
	if len(failed) > 0 {
		b.WriteString("\n  failed calls for the chat:")
		for _, f := range failed {
			b.WriteString("\n    " + f)
		}
	}
	return errors.New(b.String())
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// callWaiter receives every call recorded while a WaitCall is pending.
type callWaiter struct {
	mu      sync.Mutex
	pending []Call
	notify  chan struct{}
}

// WaitCall waits until a call matching match has been answered and returns
// it. Calls recorded before WaitCall was called are considered first (oldest
// first), so an already made call matches immediately. match is called
// without any lock held.
func (s *Server) WaitCall(timeout time.Duration, match func(Call) bool) (Call, error) {
	w := &callWaiter{notify: make(chan struct{}, 1)}
	s.mu.Lock()
	past := slices.Clone(s.calls)
	s.waiters[w] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.waiters, w)
		s.mu.Unlock()
	}()
	for _, c := range past {
		if match(c) {
			return c, nil
		}
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		w.mu.Lock()
		batch := w.pending
		w.pending = nil
		w.mu.Unlock()
		for _, c := range batch {
			if match(c) {
				return c, nil
			}
		}
		select {
		case <-w.notify:
		case <-timer.C:
			return Call{}, fmt.Errorf("telegramtest: no matching call within %v", timeout)
		}
	}
}

// subscription is one Subscribe channel.
type subscription struct {
	ch chan Event
}

// Subscribe returns a channel of chat events (see the Event* constants) and a
// function to cancel the subscription. The channel is buffered (1024 events);
// when a subscriber falls behind, the OLDEST buffered event is dropped to make
// room, so a slow subscriber never blocks the server. The channel is closed by
// cancel and by [Server.Close]; cancel may be called more than once.
func (s *Server) Subscribe() (events <-chan Event, cancel func()) {
	sub := &subscription{ch: make(chan Event, eventBuffer)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		close(sub.ch)
		return sub.ch, func() {}
	}
	s.subs[sub] = struct{}{}
	return sub.ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, ok := s.subs[sub]; ok {
			delete(s.subs, sub)
			close(sub.ch)
		}
	}
}

// emitLocked delivers an event to all subscribers without blocking.
func (s *Server) emitLocked(ev Event) {
	for sub := range s.subs {
		select {
		case sub.ch <- ev:
			continue
		default:
		}
		select { // full: drop the oldest event
		case <-sub.ch:
		default:
		}
		select {
		case sub.ch <- ev:
		default:
		}
	}
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.ByMethod = maps.Clone(s.stats.ByMethod)
	st.Errors = maps.Clone(s.stats.Errors)
	return st
}

// MenuButton is the menu button set for chatID with setChatMenuButton (its
// JSON object), or "" when none was set for that chat.
func (s *Server) MenuButton(chatID int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.menuButtons[chatID])
}
