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
// stallProbe tells the two apart: its loops ask for a wake-up every
// probeEvery and a PING of the test's Redis, as a sender does for its slot
// and its booking, and record every time either came more than probeLate
// late. The rate the tests hold the bot to is its rate in the bins of
// rateBin that no stall touched (nor the afterStall before them:
// measureRate). A sender paced wrongly, or too few senders in flight, is
// as slow in those bins as in the rest, and fails.
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
		if now := time.Now(); now.Sub(due) > probeLate {
			p.mu.Lock()
			p.stalls = append(p.stalls, stall{due, now})
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

// overlaps reports whether any probe loop was kept waiting at some time
// in [from, to] (from when it was due to when it came).
func (p *stallProbe) overlaps(from, to time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.stalls {
		if s.from.Before(to) && s.to.After(from) {
			return true
		}
	}
	return false
}

// Rates are judged in bins of rateBin; a bin is left out when a stall
// touched it or the afterStall before it (the senders late for their slots
// book again, three slots on).
const (
	rateBin    = 250 * time.Millisecond
	afterStall = 250 * time.Millisecond
)

// broadcastRate is what a broadcast's copies to members (not the admin's
// preview) measure: the rate from first to last, and the rate in the bins
// of that time in which the machine let the bot run.
type broadcastRate struct {
	copies       int
	span         time.Duration
	judged       time.Duration // the bins no stall touched
	judgedCopies int           // the copies in them
}

func (r broadcastRate) overall() float64 { return float64(r.copies-1) / r.span.Seconds() }

// whileRunnable is the rate while the machine let the bot run: the copies
// in the bins no stall touched, over those bins.
func (r broadcastRate) whileRunnable() float64 {
	if r.judged == 0 {
		return 0
	}
	return float64(r.judgedCopies) / r.judged.Seconds()
}

func (r broadcastRate) String() string {
	return fmt.Sprintf("%d copies in %v: %.1f/s; %v of it (%.0f %%) untouched by a stall of the machine, %d copies in it: %.1f/s",
		r.copies, r.span.Round(time.Millisecond), r.overall(), r.judged, 100*r.judged.Seconds()/r.span.Seconds(), r.judgedCopies, r.whileRunnable())
}

func measureRate(fake *telegramtest.Server, p *stallProbe) broadcastRate {
	var at []time.Time
	for _, c := range fake.CallsOf("copyMessage") {
		if c.Params["chat_id"] != fmt.Sprint(adminID) {
			at = append(at, c.At)
		}
	}
	slices.SortFunc(at, time.Time.Compare)
	if len(at) < 2 {
		return broadcastRate{copies: len(at)}
	}
	first, last := at[0], at[len(at)-1]
	r := broadcastRate{copies: len(at), span: last.Sub(first)}
	i := 0
	for from := first; !from.Add(rateBin).After(last); from = from.Add(rateBin) {
		to := from.Add(rateBin)
		n := 0
		for ; i < len(at) && at[i].Before(to); i++ {
			n++
		}
		if !p.overlaps(from.Add(-afterStall), to) {
			r.judged += rateBin
			r.judgedCopies += n
		}
	}
	return r
}

// leastJudged is how much of a broadcast must be untouched by stalls,
// at least, for its rate to be judged (at 28/s, a second holds 28 copies:
// one more or less is 4 %), and leastShare the share of it.
const (
	leastJudged = time.Second
	leastShare  = 0.25
)

// checkRate fails t unless the broadcast ran at ≥ want of the ceiling
// while the machine let it run. A machine that stalled most of the run
// leaves too little to judge by: the test is then skipped, saying so.
func checkRate(t *testing.T, r broadcastRate, ceiling, want float64) {
	t.Helper()
	t.Logf("%v (ceiling %v/s: %.1f %% overall, %.1f %% while runnable)", r, ceiling, 100*r.overall()/ceiling, 100*r.whileRunnable()/ceiling)
	if r.judged < leastJudged || r.judged.Seconds() < leastShare*r.span.Seconds() {
		t.Skipf("stalls of the machine touched all but %v of the broadcast's %v: too busy to measure a rate", r.judged, r.span)
	}
	if got := r.whileRunnable(); got < want*ceiling {
		t.Errorf("%.1f/s while the machine let the bot run, under %.0f %% of the %v/s ceiling", got, 100*want, ceiling)
	}
}
