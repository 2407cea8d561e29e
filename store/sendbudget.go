package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows/transport"
)

// Shared send budget: Telegram's limits (about 30 messages a second for the
// bot, about one a second per chat) hold for the sum of every replica, so
// the buckets live in Redis.
//
//	<p>{tb}:global        string  theoretical arrival time (µs, Redis clock) of the bot-wide cell
//	<p>{tb}:c:<chat>      string  the same for one chat (expires once the chat's cell is full again)
//
// Each bucket is a GCRA (generic cell rate algorithm) cell: one number,
// updated by a script that reads Redis's own clock (TIME), so replicas with
// skewed clocks share one timeline. All cells share the hash tag {tb}, so
// one script books a send in the chat's cell and the bot's cell at the
// same instant — the later of the two — and a message never goes out on
// time for one limit and late for the other (two separate bookings would
// let the chat's spacing shrink by however long the global wait was).
//
// A caller reserves the next instant both cells allow and is told how long
// to wait for it; a caller that would wait longer than it is willing to is
// refused without booking anything. That gives priorities without a queue
// in Redis: interactive replies book far ahead, bulk work only takes an
// instant that is (nearly) free now, so bulk never gets ahead of a waiting
// reply.
var (
	// reserveScript: KEYS the cells, the bot's last; ARGV maxWait (µs), then
	// interval (µs) and burst per cell. Every cell but the last must allow
	// a send now: booking a chat's cell ahead would drag the bot's cell
	// along and leave its slots before that instant unused (a GCRA cell is
	// one number and cannot hold a gap). The last cell may be booked up to
	// maxWait ahead. All cells are booked at the same instant.
	reserveScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local at = now
local tats = {}
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i])
  local burst = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat < now then tat = now end
  tats[i] = tat
  local allow = tat - (burst - 1) * interval
  if i < #KEYS and allow > now then
    return {0, string.format('%.0f', allow - now)}
  end
  if allow > at then at = allow end
end
local wait = at - now
if wait > tonumber(ARGV[1]) then
  return {0, string.format('%.0f', wait)}
end
for i = 1, #KEYS do
  local tat = tats[i]
  if at > tat then tat = at end
  tat = tat + tonumber(ARGV[2 * i])
  redis.call('SET', KEYS[i], string.format('%.0f', tat), 'PX', math.floor((tat - now) / 1000) + 1000)
end
return {1, string.format('%.0f', wait)}`)
	pauseScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
for i = 1, #KEYS do
  local tat = now + tonumber(ARGV[1]) + (tonumber(ARGV[2 * i + 1]) - 1) * tonumber(ARGV[2 * i])
  local cur = tonumber(redis.call('GET', KEYS[i]) or '0')
  if cur < tat then
    redis.call('SET', KEYS[i], string.format('%.0f', tat), 'PX', math.floor((tat - now) / 1000) + 1000)
  end
end
return 1`)
)

// Buckets are transport.Bucket values: Key is the bucket's key below.

// GlobalBucket is the bot-wide bucket: perSecond sends a second.
func (s *Store) GlobalBucket(perSecond float64, burst int) transport.Bucket {
	return transport.Bucket{Key: s.p + "{tb}:global", Interval: time.Duration(float64(time.Second) / perSecond), Burst: max(1, burst)}
}

// ChatBucket is chat's bucket: one send per interval, burst at once.
func (s *Store) ChatBucket(chat int64, interval time.Duration, burst int) transport.Bucket {
	return transport.Bucket{Key: s.p + "{tb}:c:" + strconv.FormatInt(chat, 10), Interval: interval, Burst: max(1, burst)}
}

func budgetArgs(lead int64, bs []transport.Bucket) (keys []string, args []any) {
	args = append(args, lead)
	for _, b := range bs {
		if b.Key == "" {
			continue
		}
		keys = append(keys, b.Key)
		args = append(args, b.Interval.Microseconds(), b.Burst)
	}
	return keys, args
}

// Reserve books a send in every given bucket at one instant and returns
// how long to wait for it (ok true): the first instant the last bucket (the
// bot's) allows, if within maxWait, provided the others (the chat's) allow
// a send now. Otherwise it books nothing and returns how long until a
// retry can succeed (ok false). Zero Buckets are skipped; the buckets must
// be of one Store.
func (s *Store) Reserve(ctx context.Context, maxWait time.Duration, bs ...transport.Bucket) (wait time.Duration, ok bool, err error) {
	keys, args := budgetArgs(maxWait.Microseconds(), bs)
	if len(keys) == 0 {
		return 0, true, nil
	}
	res, err := reserveScript.Run(ctx, s.rdb, keys, args...).Slice()
	if err != nil {
		return 0, false, fmt.Errorf("reserve send slot: %w", err)
	}
	if len(res) != 2 {
		return 0, false, fmt.Errorf("reserve send slot: unexpected reply %v", res)
	}
	granted, _ := res[0].(int64)
	var us int64
	if str, isStr := res[1].(string); isStr {
		us, _ = strconv.ParseInt(str, 10, 64)
	}
	return time.Duration(us) * time.Microsecond, granted == 1, nil
}

// Pause keeps the buckets from handing out slots for d (Telegram's
// retry_after), for every replica.
func (s *Store) Pause(ctx context.Context, d time.Duration, bs ...transport.Bucket) error {
	keys, args := budgetArgs(d.Microseconds(), bs)
	if len(keys) == 0 {
		return nil
	}
	if err := pauseScript.Run(ctx, s.rdb, keys, args...).Err(); err != nil {
		return fmt.Errorf("pause send budget: %w", err)
	}
	return nil
}

// sendersKey is the set of replicas that sent recently:
//
//	<p>{tb}:senders       zset    replica token -> last heartbeat (unix ms, Redis clock)
func (s *Store) sendersKey() string { return s.p + "{tb}:senders" }

var heartbeatScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return redis.call('ZCARD', KEYS[1])`)

// Heartbeat records that the replica owner is sending and returns how many
// replicas did within window (itself included): while the shared budget is
// unreachable, each replica paces itself at its share.
func (s *Store) Heartbeat(ctx context.Context, owner string, window time.Duration) (int, error) {
	n, err := heartbeatScript.Run(ctx, s.rdb, []string{s.sendersKey()}, owner, window.Milliseconds()).Int()
	if err != nil {
		return 0, fmt.Errorf("send budget heartbeat: %w", err)
	}
	return n, nil
}
