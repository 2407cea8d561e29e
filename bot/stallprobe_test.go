package bot_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/bot/telegramtest"
)

// A broadcast's rate is the shared budget's, as long as the machine lets
// the bot act on time: a sender woken more than slotTolerance (20 ms) after
// its slot gives the slot up (it would risk 31 sends in Telegram's second),
// and a slot given up is a slot lost. On a machine shared with a whole test
// suite (load 10–30 on two cores) goroutines and redis-server wait tens of
// milliseconds for a core now and then, and a rate measured from first to
// last copy falls below 95 % for no fault of the bot's.
//
// stallProbe tells the two apart: it asks for a wake-up every probeEvery
// and a PING of the test's Redis, as a sender does for its slot and its
// booking, and records every time either came more than probeLate late:
// the time from when it was due to probeLate before it came is time in
// which no sender could have sent within probeLate of its slot. The rate the tests hold
// the bot to is its rate over the rest of the time (rateWhileRunnable). A
// sender paced wrongly, or too few senders in flight, is as slow in that
// time as in the rest, and fails.
const (
	probeEvery = 5 * time.Millisecond
	probeLate  = 20 * time.Millisecond // the sender's slotTolerance
)

type stallProbe struct {
	stop chan struct{}
	done chan struct{}

	mu     sync.Mutex
	stalls []stall
}

type stall struct{ from, to time.Time }

// probes is how many probe loops run: the senders' timers live on
// different Ps of the runtime, and a core taken away from one of them
// delays its timers and not another's.
const probes = 4

// startStallProbe runs the probe until the test ends.
func startStallProbe(t *testing.T, rdb *redis.Client) *stallProbe {
	p := &stallProbe{stop: make(chan struct{}), done: make(chan struct{})}
	var wg sync.WaitGroup
	for range probes {
		wg.Go(func() { p.run(rdb) })
	}
	go func() { wg.Wait(); close(p.done) }()
	t.Cleanup(p.halt)
	return p
}

func (p *stallProbe) run(rdb *redis.Client) {
	timer := time.NewTimer(probeEvery)
	defer timer.Stop()
	for {
		due := time.Now().Add(probeEvery)
		timer.Reset(probeEvery)
		select {
		case <-p.stop:
			return
		case <-timer.C:
		}
		if rdb != nil {
			_ = rdb.Ping(context.Background()).Err() // an error is as late as Redis made it
		}
		// A sender whose slot came between due and now-probeLate could
		// not have sent within probeLate of it: that time is stalled.
		if now := time.Now(); now.Sub(due) > probeLate {
			p.mu.Lock()
			p.stalls = append(p.stalls, stall{due, now.Add(-probeLate)})
			p.mu.Unlock()
		}
	}
}

func (p *stallProbe) halt() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	<-p.done
}

// stalled is how much of [from, to] the machine kept any probe loop
// waiting (stalls seen by several loops at once counted once).
func (p *stallProbe) stalled(from, to time.Time) time.Duration {
	p.mu.Lock()
	ss := slices.Clone(p.stalls)
	p.mu.Unlock()
	slices.SortFunc(ss, func(a, b stall) int { return a.from.Compare(b.from) })
	var d time.Duration
	end := from // what is counted so far ends here
	for _, s := range ss {
		a, b := s.from, s.to
		if a.Before(end) {
			a = end
		}
		if b.After(to) {
			b = to
		}
		if b.After(a) {
			d += b.Sub(a)
			end = b
		}
	}
	return d
}

// broadcastRate is what a broadcast's copies to members (not the admin's
// preview) measure: the rate from first to last, and the rate over that
// time less the time the probe found the machine stalled.
type broadcastRate struct {
	copies        int
	span, stalled time.Duration
}

func (r broadcastRate) overall() float64 { return float64(r.copies-1) / r.span.Seconds() }

// whileRunnable is the rate while the machine let the bot run: the copies
// over the span less the stalls.
func (r broadcastRate) whileRunnable() float64 {
	return float64(r.copies-1) / (r.span - r.stalled).Seconds()
}

func (r broadcastRate) String() string {
	return fmt.Sprintf("%d copies in %v: %.1f/s; the machine stalled the probe for %v of it (%.0f %%), %.1f/s in the rest",
		r.copies, r.span.Round(time.Millisecond), r.overall(), r.stalled.Round(time.Millisecond), 100*r.stalled.Seconds()/r.span.Seconds(), r.whileRunnable())
}

func measureRate(fake *telegramtest.Server, p *stallProbe) broadcastRate {
	var first, last time.Time
	n := 0
	for _, c := range fake.CallsOf("copyMessage") {
		if c.Params["chat_id"] == fmt.Sprint(adminID) {
			continue
		}
		n++
		if first.IsZero() || c.At.Before(first) {
			first = c.At
		}
		if c.At.After(last) {
			last = c.At
		}
	}
	return broadcastRate{copies: n, span: last.Sub(first), stalled: p.stalled(first, last)}
}

// checkRate fails t unless the broadcast ran at ≥ want of the ceiling
// while the machine let it run. A machine stalled for most of the run
// leaves too little to judge by: the test is then skipped, saying so.
func checkRate(t *testing.T, r broadcastRate, ceiling, want float64) {
	t.Helper()
	t.Logf("%v (ceiling %v/s: %.1f %% overall, %.1f %% while runnable)", r, ceiling, 100*r.overall()/ceiling, 100*r.whileRunnable()/ceiling)
	if r.stalled > r.span/2 {
		t.Skipf("the machine stalled the probe for %v of the broadcast's %v: too busy to measure a rate", r.stalled, r.span)
	}
	if got := r.whileRunnable(); got < want*ceiling {
		t.Errorf("%.1f/s while the machine let the bot run, under %.0f %% of the %v/s ceiling", got, 100*want, ceiling)
	}
}
