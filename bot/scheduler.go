package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"sinergi/flows"
	"sinergi/flows/transport"
)

// Scheduling: due jobs live in a Redis sorted set. Every replica ticks;
// each tick claims a batch atomically with a lease (so two replicas never
// run one job), marks each job's run as begun right before running it,
// sends what it returns at bulk priority, and marks it done. A replica that
// dies mid-batch loses its claims when the lease expires, and the next tick
// anywhere takes over the jobs it had not begun; the one it was running is
// dropped and logged rather than risked twice.
const (
	jobBatch = 100
	jobLease = time.Minute
)

// Tick runs every job due at the bot's clock and returns how many ran.
// Jobs of a kind this build does not run are parked (kept with their due
// time, logged and counted); parked jobs of a kind it runs are first given
// back to the due set.
func (b *Bot) Tick(ctx context.Context) (int, error) {
	now := b.cfg.Clock()
	total := 0
	if n, err := b.store.UnparkJobs(ctx, b.engine.KnowsJob); err != nil {
		return total, err
	} else if n > 0 {
		b.log.Info("parked jobs of a kind this build runs are due again", "jobs", n)
	}
	for {
		jobs, dropped, err := b.store.ClaimDue(ctx, b.owner, now, jobBatch, jobLease)
		if err != nil {
			return total, fmt.Errorf("claim due jobs: %w", err)
		}
		for _, id := range dropped {
			b.log.Warn("job dropped: its replica stopped mid-run, so it may have run", "job", id)
		}
		for _, j := range jobs {
			if err := b.store.BeginJob(ctx, b.owner, j.ID, b.cfg.Clock(), jobLease); err != nil {
				if errors.Is(err, transport.ErrJobLost) {
					continue // lease ran out meanwhile: another replica has it
				}
				return total, err
			}
			// The job runs at the clock of its run: what it says ("in 3
			// hours") is true when it is sent.
			err := b.runJob(ctx, j, b.cfg.Clock())
			if errors.Is(err, flows.ErrUnknownJob) {
				b.metrics.jobsUnknown.Inc()
				b.log.Warn("job of a kind this build does not run: parked for one that does", "job", j.ID, "due", j.Due)
				if perr := b.store.ParkJob(ctx, j); perr != nil {
					return total, perr
				}
				continue
			}
			if err != nil {
				// Nothing was sent: given back, it runs again when the
				// lease expires.
				b.log.Error("job failed", "job", j.ID, "err", err)
				if aerr := b.store.AbortJob(ctx, j.ID); aerr != nil {
					b.log.Error("give job back", "job", j.ID, "err", aerr)
				}
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
	if errors.Is(err, flows.ErrJobLate) {
		// Found too late to matter: nothing to send, the job is done.
		kind, _, _ := strings.Cut(j.ID, "|")
		b.metrics.jobsLate.WithLabelValues(kind).Inc()
		b.log.Info("job dropped: too late", "job", j.ID, "due", j.Due, "err", err)
		return nil
	}
	if err != nil {
		return err
	}
	for _, rep := range replies {
		lang := rep.Lang
		if lang == "" {
			lang = b.cfg.DefaultLang
		}
		if err := b.render.deliver(ctx, rep.ChatID, lang, rep); err != nil {
			b.undelivered(ctx, rep.ChatID, rep.Thread, err)
		}
	}
	return nil
}

// undelivered records a message that could not be sent to chat: a user who
// blocked the bot is marked inactive.
func (b *Bot) undelivered(ctx context.Context, chat int64, thread int, err error) {
	if b.groupUndelivered(ctx, chat, thread, err) {
		return
	}
	if !errors.Is(err, ErrBlocked) && !errors.Is(err, ErrChatNotFound) {
		b.log.Warn("message not delivered", "chat", chat, "err", err)
		return
	}
	if merr := b.store.MarkInactive(ctx, chat); merr != nil {
		b.log.Warn("mark user inactive", "user", chat, "err", merr)
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
