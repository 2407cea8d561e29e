-- Stores a new pending partner meeting unless the pair has an open one
-- (flows.Meetings), or answers a pending one with another slot, or
-- confirms one the team proposed.
-- KEYS: 1 the meeting (hash), 2 pairs, 3 ids (zset), 4, 5 the sides' sets of
--   ids, 6 conf (hash), 7 slots (zset), 8 the workshop's meta (hash: a
--   cancelled workshop takes no request nor answer, so nothing is booked
--   after its cancellation cancelled the open meetings)
-- ARGV: 1 mode request|propose|confirm, 2 actor, 3 now (unix ms), 4 pair
--   field, 5 meeting id; request: 6.. field, value pairs; propose: 6 slot
local mode, actor, now = ARGV[1], ARGV[2], ARGV[3]
if redis.call('EXISTS', KEYS[6]) == 0 then return 'off' end
if redis.call('HGET', KEYS[8], 'cancelled') == '1' then return 'cancelled' end
if mode == 'request' then
  if redis.call('EXISTS', KEYS[1]) == 1 then return 'exists' end
  if redis.call('HEXISTS', KEYS[2], ARGV[4]) == 1 then return 'open' end
  local fields = {}
  for i = 6, #ARGV do fields[#fields + 1] = ARGV[i] end
  redis.call('HSET', KEYS[1], unpack(fields))
  redis.call('ZADD', KEYS[3], now, ARGV[5])
  redis.call('SADD', KEYS[4], ARGV[5])
  redis.call('SADD', KEYS[5], ARGV[5])
  redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
  return 'ok'
end
local m = redis.call('HMGET', KEYS[1], 'status', 'from', 'to', 'awaiting', 'ok_from', 'ok_to')
if not m[1] then return 'notfound' end
if actor ~= m[2] and actor ~= m[3] then return 'forbidden' end
if mode == 'propose' then
  if m[1] ~= 'pending' then return 'decided' end
  if m[4] ~= actor then return 'forbidden' end
  if not redis.call('ZSCORE', KEYS[7], ARGV[6]) then return 'badslot' end
  local other = m[2]
  if actor == m[2] then other = m[3] end
  redis.call('HSET', KEYS[1], 'slots', ARGV[6], 'awaiting', other)
  return 'ok'
end
if m[1] ~= 'proposed' then return 'decided' end
local okf, okt = m[5] == '1', m[6] == '1'
if actor == m[2] then okf = true else okt = true end
redis.call('HSET', KEYS[1], 'ok_from', okf and '1' or '0', 'ok_to', okt and '1' or '0')
if okf and okt then redis.call('HSET', KEYS[1], 'status', 'accepted', 'decided', now) end
return 'ok'
