package store

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Shared send budget: Telegram's limits (about 30 messages a second for the
// bot, about one a second per chat) hold for the sum of every replica, so
// the buckets live in Redis.
//
//	<p>{tb}:global        string  theoretical arrival time (µs, Redis clock) of the bot-wide bucket
//	<p>{c:<chat>}:tb      string  the same for one chat (in the chat's slot)
//
// Each bucket is a GCRA (generic cell rate algorithm) cell: one number per
// bucket, updated by one script that reads Redis's own clock (TIME), so
// replicas with skewed clocks still share one timeline. A caller reserves
// the next free slot and is told how long to wait for it; a caller that
// would wait longer than it is willing to is refused without reserving.
// That gives priorities without a queue in Redis: interactive replies
// reserve far ahead, bulk work only takes a slot that is (nearly) free now,
// so bulk never gets ahead of a waiting reply.
var (
	reserveScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - (tonumber(ARGV[2]) - 1) * interval - now
if wait < 0 then wait = 0 end
if wait > tonumber(ARGV[3]) then
  return {0, string.format('%.0f', wait)}
end
tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.floor((tat - now) / 1000) + 1000)
return {1, string.format('%.0f', wait)}`)
	pauseScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = now + tonumber(ARGV[1]) + (tonumber(ARGV[2]) - 1) * tonumber(ARGV[3])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur < tat then
  redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.floor((tat - now) / 1000) + 1000)
end
return 1`)
)

// Bucket is one shared rate: interval between sends on average, with a
// burst of up to Burst sends at once after idling.
type Bucket struct {
	key      string
	interval time.Duration
	burst    int
}

// GlobalBucket is the bot-wide bucket: perSecond sends a second.
func (s *Store) GlobalBucket(perSecond float64, burst int) Bucket {
	return Bucket{key: s.p + "{tb}:global", interval: time.Duration(float64(time.Second) / perSecond), burst: max(1, burst)}
}

// ChatBucket is chat's bucket: one send per interval, burst at once.
func (s *Store) ChatBucket(chat int64, interval time.Duration, burst int) Bucket {
	return Bucket{key: s.chatKey(chat, "tb"), interval: interval, burst: max(1, burst)}
}

// Interval is the bucket's average gap between sends.
func (b Bucket) Interval() time.Duration { return b.interval }

// Reserve books the bucket's next free slot if it starts within maxWait and
// returns how long to wait for it (ok true); otherwise it books nothing and
// returns how long until a slot is free (ok false).
func (s *Store) Reserve(ctx context.Context, b Bucket, maxWait time.Duration) (wait time.Duration, ok bool, err error) {
	res, err := reserveScript.Run(ctx, s.rdb, []string{b.key},
		b.interval.Microseconds(), b.burst, maxWait.Microseconds()).Slice()
	if err != nil {
		return 0, false, fmt.Errorf("reserve send slot: %w", err)
	}
	if len(res) != 2 {
		return 0, false, fmt.Errorf("reserve send slot: unexpected reply %v", res)
	}
	granted, _ := res[0].(int64)
	var us int64
	if str, isStr := res[1].(string); isStr {
		_, _ = fmt.Sscan(str, &us)
	}
	return time.Duration(us) * time.Microsecond, granted == 1, nil
}

// Pause keeps the bucket from handing out slots for d (Telegram's
// retry_after), for every replica.
func (s *Store) Pause(ctx context.Context, b Bucket, d time.Duration) error {
	if err := pauseScript.Run(ctx, s.rdb, []string{b.key}, d.Microseconds(), b.burst, b.interval.Microseconds()).Err(); err != nil {
		return fmt.Errorf("pause send budget: %w", err)
	}
	return nil
}
