package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"sinergi/flows"
	"sinergi/flows/transport"
)

// An update's replies are committed with its state (the chat's outbox, see
// store/outbox.go) and sent afterwards, each marked begun right before its
// call and taken off the outbox after it. A crash therefore never makes a
// user read a reply twice: what was committed and not sent is sent by
// whoever holds the chat next, and the one send that had begun when the
// process died is dropped and counted as uncertain.

// encode turns a rendered reply into an outbox entry.
func (r *renderer) encode(m *outMsg) ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode reply %s: %w", m.ID, err)
	}
	return b, nil
}

// sendOutbox sends msgs, the whole outbox of chat in order, while lock is
// held, and empties it; release gives the lock up with the last step.
// begun: the first entry is marked begun already (by the commit). Every
// other entry is marked right before its call, in the round trip that takes
// the one before it off the outbox. A reply Telegram refuses for good is
// logged (and a blocked recipient marked) and counts as done. An error means
// the outbox could not be kept up to date (Redis): sending stops, and what
// is left is sent later.
func (b *Bot) sendOutbox(ctx context.Context, chat int64, lock transport.Lock, msgs []outMsg, begun, release bool, failed func(outMsg, error)) error {
	keyboard := 0 // the last message with buttons sent to the chat itself
	for i := range msgs {
		m := msgs[i]
		var ready func(context.Context) error
		if i > 0 || !begun {
			pop := i > 0
			ready = func(ctx context.Context) error {
				if err := b.store.OutboxBegin(ctx, chat, m.ID, pop); err != nil {
					return &beginError{err}
				}
				return nil
			}
		}
		id, err := b.render.send(ctx, m, ready)
		var be *beginError
		switch {
		case errors.As(err, &be):
			return be.err
		case err != nil:
			failed(m, err)
		case m.Chat == chat && len(m.Rows) > 0 && m.Kind == outEdit:
			keyboard = m.Edit
		case m.Chat == chat && len(m.Rows) > 0 && id != 0:
			keyboard = id
		}
	}
	return b.outboxDone(ctx, chat, lock, release, keyboard)
}

// outboxDone empties the outbox, retrying while Redis is briefly away as a
// commit does (the lock is renewed meanwhile).
func (b *Bot) outboxDone(ctx context.Context, chat int64, lock transport.Lock, release bool, keyboard int) error {
	deadline := time.Now().Add(commitRetryFor)
	for backoff := 50 * time.Millisecond; ; backoff = min(2*backoff, time.Second) {
		err := b.store.OutboxDone(ctx, chat, lock, release, keyboard)
		if err == nil || !b.store.Unavailable(err) || time.Now().Add(backoff).After(deadline) {
			return err
		}
		if serr := sleep(ctx, backoff); serr != nil {
			return err
		}
	}
}

// beginError is a failure to mark a send begun: the send did not happen.
type beginError struct{ err error }

func (e *beginError) Error() string { return e.err.Error() }

// resumeOutbox sends what a stopped process left in chat's outbox, while
// lock is held: an entry whose send had begun is dropped (it may have
// arrived), the rest are sent in order.
func (b *Bot) resumeOutbox(ctx context.Context, chat int64, lock transport.Lock, release bool) error {
	entries, begun, err := b.store.ReadOutbox(ctx, chat)
	if err != nil {
		return err
	}
	msgs := make([]outMsg, 0, len(entries))
	for _, e := range entries {
		var m outMsg
		if err := json.Unmarshal(e, &m); err != nil {
			b.log.Error("outbox entry unreadable, dropped", "chat", chat, "err", err)
			b.metrics.outboxDropped.WithLabelValues("unreadable").Inc()
			continue
		}
		msgs = append(msgs, m)
	}
	if len(entries) > 0 && len(msgs) > 0 && msgs[0].ID == begun {
		// Its send began before the stop: it may have arrived. Dropping
		// it keeps every reply at most once.
		b.log.Warn("reply of a stopped process may or may not have arrived; not sent again", "chat", chat, "reply", begun)
		b.metrics.outboxDropped.WithLabelValues("uncertain").Inc()
		msgs = msgs[1:]
		if len(msgs) > 0 {
			if err := b.store.OutboxPop(ctx, chat); err != nil {
				return err
			}
		}
	}
	if len(msgs) == 0 {
		return b.outboxDone(ctx, chat, lock, release, 0)
	}
	b.metrics.outboxResumed.Add(float64(len(msgs)))
	b.log.Info("sending replies a stopped process left", "chat", chat, "replies", len(msgs))
	return b.sendOutbox(ctx, chat, lock, msgs, false, release, func(m outMsg, err error) { b.undelivered(ctx, m.Chat, m.Thread, err) })
}

// outboxSweepEvery is how often a replica looks for outboxes left behind
// (those committed more than a lock lease ago: their process had time to
// send them, or died and lost its lock); outboxBatch how many it takes at
// a time.
const (
	outboxSweepEvery = 5 * time.Second
	outboxBatch      = 100
)

// runOutboxSweeper sends the outboxes that processes left behind (they
// stopped between a commit and its last reply, and the chat has not written
// since) until ctx ends.
func (b *Bot) runOutboxSweeper(ctx context.Context) {
	t := time.NewTicker(outboxSweepEvery)
	defer t.Stop()
	for {
		if err := b.sweepOutboxes(ctx); err != nil && ctx.Err() == nil {
			b.log.Warn("outbox sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweepOutboxes takes over the outboxes committed longer than a lock lease
// ago whose chat is free; a chat whose lock is held is being served.
func (b *Bot) sweepOutboxes(ctx context.Context) error {
	chats, err := b.store.PendingOutboxes(ctx, time.Now().Add(-b.cfg.LockLease), outboxBatch)
	if err != nil {
		return err
	}
	for _, chat := range chats {
		lock, err := b.locks.Acquire(ctx, chat, 0)
		if errors.Is(err, transport.ErrLockBusy) {
			continue
		}
		if err != nil {
			return err
		}
		err = b.resumeOutbox(ctx, chat, lock, true)
		if rerr := lock.Release(context.WithoutCancel(ctx)); rerr != nil && err == nil {
			err = rerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Deliver sends what an action user took outside a chat (the Mini App)
// tells others (each reply with its chat and language) the way an update's
// replies go: committed to user's private chat's outbox under its lock,
// then sent (outbox.go). A process that stops after the commit leaves
// them to the chat's next update or the sweeper, so none is lost and none
// sent twice. An error means nothing was committed (nor sent).
func (b *Bot) Deliver(ctx context.Context, user int64, replies []flows.Reply) error {
	if len(replies) == 0 {
		return nil
	}
	// Not one of Telegram's update ids (those are positive): the commit's
	// dedupe mark and the outbox entries' ids stay apart from theirs.
	upd := -time.Now().UnixNano()
	lock, st, err := b.locks.LockAndLoad(ctx, user, user, upd, b.cfg.LockWait)
	if err != nil {
		return fmt.Errorf("deliver for %d: %w", user, err)
	}
	defer func() {
		if rerr := lock.Release(context.WithoutCancel(ctx)); rerr != nil {
			b.log.Warn("release chat lock", "chat", user, "err", rerr) // it expires
		}
	}()
	if st.Outbox > 0 {
		if err := b.resumeOutbox(ctx, user, lock, false); err != nil {
			return fmt.Errorf("deliver for %d: %w", user, err)
		}
	}
	var msgs []outMsg
	for _, rep := range replies {
		lang := rep.Lang
		if lang == "" {
			lang = b.cfg.DefaultLang
		}
		ms, err := b.render.prepareAll(rep.ChatID, lang, rep)
		if err != nil {
			b.log.Error("render reply", "chat", rep.ChatID, "err", err)
			continue
		}
		msgs = append(msgs, ms...)
	}
	if len(msgs) == 0 {
		return nil
	}
	commit := transport.Commit{ChatID: user, UpdateID: upd, Lock: lock, Outbox: make([][]byte, len(msgs))}
	for i := range msgs {
		msgs[i].ID = strconv.FormatInt(upd, 10) + "." + strconv.Itoa(i)
		if commit.Outbox[i], err = b.render.encode(&msgs[i]); err != nil {
			return err
		}
	}
	commit.OutboxBegun = msgs[0].ID
	if err := b.commit(ctx, commit); err != nil {
		return fmt.Errorf("deliver for %d: %w", user, err)
	}
	ctx = context.WithoutCancel(ctx) // committed: sent whatever the caller does now
	if err := b.sendOutbox(ctx, user, lock, msgs, true, true, func(m outMsg, err error) {
		b.undelivered(ctx, m.Chat, m.Thread, err)
	}); err != nil {
		b.log.Warn("replies left in the outbox", "chat", user, "err", err)
	}
	return nil
}
