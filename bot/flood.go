package bot

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Flood is how many updates one user may send in a window before the bot
// slows them down (Burst updates at once, refilled evenly over Per). Zero
// switches flood control off.
type Flood struct {
	Burst int
	Per   time.Duration
}

// floodGuard keeps one token bucket per user; users idle for a while are
// forgotten, so memory follows the active users. Counters need not survive
// a restart: losing them only forgives a flood.
type floodGuard struct {
	limit Flood

	mu    sync.Mutex
	users map[int64]*floodState
	swept time.Time
}

type floodState struct {
	lim    *rate.Limiter
	warned time.Time // when the user was last told to slow down
	used   time.Time
}

func newFloodGuard(f Flood) *floodGuard {
	if f.Burst <= 0 || f.Per <= 0 {
		return nil
	}
	return &floodGuard{limit: f, users: make(map[int64]*floodState)}
}

// allow reports whether uid's update may be handled now, and, when not,
// whether to tell them (once per window).
func (g *floodGuard) allow(uid int64, now time.Time) (ok, warn bool) {
	if g == nil {
		return true, false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	st := g.users[uid]
	if st == nil {
		st = &floodState{lim: rate.NewLimiter(rate.Every(g.limit.Per/time.Duration(g.limit.Burst)), g.limit.Burst)}
		g.users[uid] = st
	}
	st.used = now
	g.sweepLocked(now)
	if st.lim.AllowN(now, 1) {
		return true, false
	}
	if now.Sub(st.warned) >= g.limit.Per {
		st.warned = now
		return false, true
	}
	return false, false
}

func (g *floodGuard) sweepLocked(now time.Time) {
	if now.Sub(g.swept) < time.Minute {
		return
	}
	g.swept = now
	for id, st := range g.users {
		if now.Sub(st.used) > 2*g.limit.Per && now.Sub(st.used) > time.Minute {
			delete(g.users, id)
		}
	}
}

// apologies lets one apology per chat through per interval (Redis outages:
// each redelivery of an update would otherwise apologise again).
type apologies struct {
	every time.Duration
	mu    sync.Mutex
	last  map[int64]time.Time
}

func newApologies(every time.Duration) *apologies {
	return &apologies{every: every, last: make(map[int64]time.Time)}
}

func (a *apologies) allow(chat int64, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if now.Sub(a.last[chat]) < a.every {
		return false
	}
	if len(a.last) > 10_000 { // an outage seen by very many chats: start over
		for id, t := range a.last {
			if now.Sub(t) >= a.every {
				delete(a.last, id)
			}
		}
	}
	a.last[chat] = now
	return true
}
