package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	tg "github.com/go-telegram/bot"

	"sinergi/flows"
)

// Broadcast delivery. A broadcast's recipients are frozen into a Redis list
// when it starts; the runner moves one recipient at a time to "in flight",
// copies the message to them through the bot's one Sender (bulk priority:
// interactive replies go first), and records the outcome. Killed at any
// point, a new process resumes where it stopped: what is recorded is not
// sent again, and the one message that was in flight is counted as
// uncertain rather than risked twice.
const (
	broadcastPoll     = time.Second     // how often due broadcasts are looked for
	progressEvery     = 3 * time.Second // edits of the admin's progress message
	broadcastDeadline = 2 * time.Minute // one recipient, retries included
	shutdownGrace     = 3 * time.Second // for the copy in flight when stopping
)

// RunBroadcasts starts due broadcasts until ctx ends. Broadcasts run one
// after another; each at the Sender's rate.
func (b *Bot) RunBroadcasts(ctx context.Context) {
	t := time.NewTicker(broadcastPoll)
	defer t.Stop()
	for {
		ids, err := b.store.DueBroadcasts(ctx, b.cfg.Clock())
		if err != nil && ctx.Err() == nil {
			b.log.Error("due broadcasts", "err", err)
		}
		for _, id := range ids {
			if err := b.runBroadcast(ctx, id); err != nil && ctx.Err() == nil {
				b.log.Error("broadcast", "id", id, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (b *Bot) runBroadcast(ctx context.Context, id string) error {
	bc, st, err := b.store.GetBroadcast(ctx, id)
	if err != nil {
		return err
	}
	if st.Status == flows.BcScheduled {
		rs, err := b.engine.Recipients(ctx, bc)
		if err != nil {
			return err
		}
		if _, err := b.store.StartBroadcast(ctx, id, rs, b.cfg.Clock()); err != nil {
			return err
		}
		b.log.Info("broadcast started", "id", id, "recipients", len(rs), "segment", bc.Segment)
	}
	if n, err := b.store.RecoverBroadcast(ctx, id); err != nil {
		return err
	} else if n > 0 {
		b.log.Warn("broadcast resumed: in-flight message counted as uncertain", "id", id, "uncertain", n)
	}
	if _, st, err = b.store.GetBroadcast(ctx, id); err != nil {
		return err
	}
	admin := b.userLang(ctx, bc.By)
	if st.ProgressMsg == 0 && st.Status == flows.BcRunning {
		if msg, err := b.sendProgress(ctx, bc.FromChat, admin, flows.BroadcastProgress(st, 0)); err == nil {
			_ = b.store.SetProgressMessage(ctx, id, msg)
			st.ProgressMsg = msg
		}
	}
	start, last := time.Now(), time.Now()
	for {
		r, ok, err := b.store.NextRecipient(ctx, id)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		outcome := b.copyTo(ctx, bc, r)
		// The outcome is recorded even while shutting down, so a graceful
		// stop leaves nothing uncertain.
		if err := b.store.Delivered(context.WithoutCancel(ctx), id, r, outcome); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Since(last) >= progressEvery && st.ProgressMsg != 0 {
			last = time.Now()
			if _, cur, err := b.store.GetBroadcast(ctx, id); err == nil {
				b.editProgress(ctx, bc.FromChat, st.ProgressMsg, admin, flows.BroadcastProgress(cur, time.Since(start)))
			}
		}
	}
	final, err := b.store.FinishBroadcast(ctx, id, b.cfg.Clock())
	if err != nil {
		return err
	}
	if st.ProgressMsg != 0 {
		b.editProgress(ctx, bc.FromChat, st.ProgressMsg, admin, flows.BroadcastProgress(final, time.Since(start)))
	}
	if err := b.render.deliver(ctx, bc.FromChat, admin, flows.Reply{Text: flows.BroadcastReport(final)}); err != nil {
		b.log.Warn("broadcast report", "id", id, "err", err)
	}
	b.log.Info("broadcast finished", "id", id, "status", final.Status, "sent", final.Sent, "blocked", final.Blocked, "failed", final.Failed)
	return nil
}

// copyTo delivers one copy and says how it went: sent, blocked (the member
// is marked inactive) or failed.
func (b *Bot) copyTo(ctx context.Context, bc *flows.Broadcast, r flows.Recipient) string {
	// The copy in flight gets a few seconds to finish after ctx ends.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), broadcastDeadline)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(shutdownGrace, cancel) })
	defer stop()
	err := b.sender.Send(sctx, r.UserID, Bulk, "copyMessage", func(ctx context.Context, api *tg.Bot) error {
		_, err := api.CopyMessage(ctx, &tg.CopyMessageParams{ChatID: r.UserID, FromChatID: bc.FromChat, MessageID: r.MessageID})
		return err
	})
	switch {
	case err == nil:
		return "sent"
	case errors.Is(err, ErrBlocked), errors.Is(err, ErrChatNotFound):
		b.undelivered(ctx, r.UserID, err)
		return "blocked"
	case ctx.Err() != nil && sctx.Err() != nil:
		return "uncertain" // stopped mid-send: it may have arrived
	default:
		b.log.Warn("broadcast copy failed", "broadcast", bc.ID, "user", r.UserID, "err", err)
		return "failed"
	}
}

func (b *Bot) userLang(ctx context.Context, id int64) string {
	if u, err := b.store.GetUser(ctx, id); err == nil {
		return u.Lang
	}
	return b.cfg.DefaultLang
}

func (b *Bot) sendProgress(ctx context.Context, chat int64, lang string, t flows.Text) (int, error) {
	id, err := b.render.sendText(ctx, chat, Interactive, lang, flows.Reply{Text: t})
	if err != nil {
		return 0, fmt.Errorf("progress message: %w", err)
	}
	return id, nil
}

func (b *Bot) editProgress(ctx context.Context, chat int64, msg int, lang string, t flows.Text) {
	if err := b.render.deliver(ctx, chat, lang, flows.Reply{EditMessageID: msg, Text: t}); err != nil {
		b.log.Warn("progress message", "err", err)
	}
}
