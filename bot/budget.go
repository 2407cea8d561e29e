package bot

import (
	"context"
	"sync"
	"time"
)

// Priority orders claims on the shared send budget.
type Priority int

// Priorities: an answer to someone talking to the bot goes before bulk work
// (broadcasts, reminders, notifications of third parties), so a broadcast
// never starves ordinary replies; bulk work gets every token interactive
// traffic leaves unused, so it still runs at the full configured rate.
const (
	Interactive Priority = iota
	Bulk
	// Immediate is interactive and, when the shared budget in Redis is
	// unreachable, goes out paced by this replica alone at once (the
	// "temporarily unavailable" notice); other sends wait for Redis first.
	Immediate
)

// budget hands out send tokens at a fixed rate with a small burst, strictly
// preferring interactive waiters, and can be paused (after a 429 for the
// whole bot). A nil *budget is unlimited.
type budget struct {
	interval time.Duration
	burst    int
	hi, lo   chan struct{}

	mu          sync.Mutex
	pausedUntil time.Time
	wake        chan struct{} // a pause changed
	stop        chan struct{}
}

// newBudget returns a budget of perSecond tokens (nil when perSecond <= 0).
func newBudget(perSecond float64, burst int) *budget {
	if perSecond <= 0 {
		return nil
	}
	if burst < 1 {
		burst = 1
	}
	b := &budget{
		interval: time.Duration(float64(time.Second) / perSecond),
		burst:    burst,
		hi:       make(chan struct{}),
		lo:       make(chan struct{}),
		wake:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
	}
	go b.run()
	return b
}

func (b *budget) close() {
	if b != nil {
		close(b.stop)
	}
}

// pause stops handing out tokens until t.
func (b *budget) pause(until time.Time) {
	if b == nil {
		return
	}
	b.mu.Lock()
	if until.After(b.pausedUntil) {
		b.pausedUntil = until
	}
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// take waits for a token.
func (b *budget) take(ctx context.Context, p Priority) error {
	if b == nil {
		return nil
	}
	ch := b.hi
	if p == Bulk {
		ch = b.lo
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run is the dispenser: a token bucket refilled every interval, offering each
// token to interactive waiters first.
func (b *budget) run() {
	tokens := b.burst
	last := time.Now()
	// grant spends a token. A bucket that has been full for longer than an
	// interval restarts its refill clock, so idle time never adds more than
	// burst tokens; a bucket that just filled keeps it, so timer latency
	// does not slow the rate down.
	grant := func() {
		if now := time.Now(); tokens == b.burst && now.Sub(last) > b.interval {
			last = now
		}
		tokens--
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		now := time.Now()
		if n := int(now.Sub(last) / b.interval); n > 0 {
			tokens = min(b.burst, tokens+n)
			last = last.Add(time.Duration(n) * b.interval)
		}
		b.mu.Lock()
		paused := b.pausedUntil
		b.mu.Unlock()
		var wait time.Duration
		switch {
		case now.Before(paused):
			wait = paused.Sub(now)
		case tokens == 0:
			wait = last.Add(b.interval).Sub(now)
		}
		if wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-b.wake:
				if !timer.Stop() {
					<-timer.C
				}
			case <-b.stop:
				return
			}
			continue
		}
		// A token is available: interactive first, then whoever comes.
		select {
		case b.hi <- struct{}{}:
			grant()
			continue
		default:
		}
		select {
		case b.hi <- struct{}{}:
			grant()
		case b.lo <- struct{}{}:
			grant()
		case <-b.wake:
		case <-b.stop:
			return
		}
	}
}
