package bot

import (
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
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
//
// The buckets run on the time each update was sent (see sentAt), not on the
// time its turn comes: a chat's updates are handled one at a time, and each
// reply waits for the chat's send pace (about one message a second), so by
// the time the 40th of 40 messages sent within a second is handled, 40
// seconds have passed — a bucket fed the handling time would never run dry.
// Webhook mode is paced the same way from outside (Telegram sends a chat's
// next update only after the previous one was answered).
type floodGuard struct {
	limit Flood

	mu    sync.Mutex
	users map[int64]*floodState
	swept time.Time
}

type floodState struct {
	lim    *rate.Limiter
	warned time.Time // when the user was last told to slow down
	used   time.Time // the user's latest update (bucket time, never earlier than before)
	lastID int64     // the highest update id counted
}

func newFloodGuard(f Flood) *floodGuard {
	if f.Burst <= 0 || f.Per <= 0 {
		return nil
	}
	return &floodGuard{limit: f, users: make(map[int64]*floodState)}
}

// sentAt is when an update was sent, for flood control: a message's date
// (Telegram's clock, whole seconds), else now (button presses carry no
// date).
func sentAt(upd *models.Update, now time.Time) time.Time {
	if m := upd.Message; m != nil && m.Date > 0 {
		return time.Unix(int64(m.Date), 0)
	}
	return now
}

// allow reports whether uid's update id, sent at, may be handled now, and,
// when not, whether to tell them (once per window). An update is counted
// once: one not newer than the newest counted (Telegram delivering it
// again, or the inbox replaying it) passes without counting. The user's
// bucket time never goes back (an old date, a skew between Telegram's clock
// and ours).
func (g *floodGuard) allow(uid, id int64, at time.Time) (ok, warn bool) {
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
	if at.Before(st.used) {
		at = st.used
	}
	st.used = at
	g.sweepLocked(at)
	if id > 0 && id <= st.lastID {
		return true, false
	}
	st.lastID = max(st.lastID, id)
	if st.lim.AllowN(at, 1) {
		return true, false
	}
	if at.Sub(st.warned) >= g.limit.Per {
		st.warned = at
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
