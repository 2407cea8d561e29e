-- Marks the send to one claimed recipient as begun, right before the
-- message goes out: only while the broadcast runs and the caller still
-- holds the claim (lease not run out). From here on the recipient is never
-- sent to again by anyone; the lease is extended for the send.
-- KEYS: state, claims, owner, sending
-- ARGV: owner token, item, lease (ms)
-- Returns "ok", "stop" (not running: cancelled) or "lost" (claim taken
-- over, or its send begun already by another holder).
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then
  return 'stop'
end
if redis.call('HGET', KEYS[3], ARGV[2]) ~= ARGV[1] then
  return 'lost'
end
-- Begun already: the claim ran out while one of this replica's senders
-- held it, and the replica claimed it again for another. The first to
-- begin sends; the other holds a stale claim.
if redis.call('HEXISTS', KEYS[4], ARGV[2]) == 1 then
  return 'lost'
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local score = redis.call('ZSCORE', KEYS[2], ARGV[2])
if not score or tonumber(score) <= now then
  return 'lost'
end
redis.call('HSET', KEYS[4], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[2])
return 'ok'
