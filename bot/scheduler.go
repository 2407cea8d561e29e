package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/robfig/cron/v3"

	"sinergi/flows"
)

// Scheduling: due jobs live in a Redis sorted set; every tick claims a batch
// atomically with a lease (so two bot processes never run one job twice), runs
// each through the engine, sends what it returns at bulk priority, and marks
// it done. A job whose process dies mid-run comes back when its lease expires.
const (
	jobBatch = 100
	jobLease = 5 * time.Minute
)

// Tick runs every job due at the bot's clock and returns how many ran.
func (b *Bot) Tick(ctx context.Context) (int, error) {
	now := b.cfg.Clock()
	total := 0
	for {
		jobs, err := b.store.ClaimDue(ctx, now, jobBatch, jobLease)
		if err != nil {
			return total, fmt.Errorf("claim due jobs: %w", err)
		}
		for _, j := range jobs {
			if err := b.runJob(ctx, j, now); err != nil {
				// Left leased: it runs again when the lease expires.
				b.log.Error("job failed", "job", j.ID, "err", err)
				continue
			}
			if err := b.store.JobDone(ctx, j.ID); err != nil {
				return total, fmt.Errorf("job %s done: %w", j.ID, err)
			}
			total++
		}
		if len(jobs) < jobBatch {
			return total, nil
		}
	}
}

func (b *Bot) runJob(ctx context.Context, j flows.Job, now time.Time) (err error) {
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("panic in job", "job", j.ID, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %v", errPanic, p)
		}
	}()
	replies, err := b.engine.RunJob(ctx, j, now)
	if err != nil {
		return err
	}
	for _, rep := range replies {
		lang := rep.Lang
		if lang == "" {
			lang = b.cfg.DefaultLang
		}
		if err := b.render.deliver(ctx, rep.ChatID, lang, rep); err != nil {
			b.undelivered(ctx, rep.ChatID, err)
		}
	}
	return nil
}

// undelivered records a message that could not be sent to chat: a user who
// blocked the bot is marked inactive.
func (b *Bot) undelivered(ctx context.Context, chat int64, err error) {
	if !errors.Is(err, ErrBlocked) && !errors.Is(err, ErrChatNotFound) {
		b.log.Warn("message not delivered", "chat", chat, "err", err)
		return
	}
	u, gerr := b.store.GetUser(ctx, chat)
	if gerr != nil {
		return
	}
	u.Inactive = true
	if serr := b.store.SaveUser(ctx, u); serr != nil {
		b.log.Warn("mark user inactive", "user", chat, "err", serr)
	}
}

// RunScheduler ticks once at start (catching up on what came due while the
// bot was down) and then every minute until ctx ends.
func (b *Bot) RunScheduler(ctx context.Context, loc *time.Location) {
	logger := cronLogger{b.log}
	c := cron.New(cron.WithLocation(loc), cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	tick := func() {
		if n, err := b.Tick(ctx); err != nil {
			b.log.Error("scheduler tick", "err", err)
		} else if n > 0 {
			b.log.Info("scheduler tick", "jobs", n)
		}
	}
	if _, err := c.AddFunc("@every 1m", tick); err != nil {
		b.log.Error("scheduler", "err", err)
		return
	}
	tick()
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
}

// cronLogger adapts slog to cron.Logger.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
