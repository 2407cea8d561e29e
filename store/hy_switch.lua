-- Moves a registration of a hybrid workshop to its other mode, keeping one
-- place. Needs ws_promote.lua before it.
-- KEYS: meta, confirmed, waiting, offers, pending (the mode left),
--       meta, confirmed, waiting, offers, pending (the mode joined), seq
-- ARGV: uid, now (unix ms), give up (1: when no seat is free there, join
--       that mode's waiting list, giving up the place held)
-- Confirmed or waiting, they are confirmed in the mode joined when a seat is
-- free there and nobody waits for one, else (give up only) put at the end of
-- its waiting list; a confirmed seat left goes to the head of its mode's
-- waiting list as promote decides. Pending, they stay pending in the other
-- mode. Offered, they accept or decline first.
-- Returns {'notfound'}, {'same'}, {'offered'}, {'cancelled'}, {'started'},
-- {'full', people waiting there} or {'confirmed' | 'waiting' | 'pending',
-- 1-based position (waiting), uid moved up...}.
local uid, now, giveup = ARGV[1], tonumber(ARGV[2]), ARGV[3] == '1'
local m = redis.call('HMGET', KEYS[6], 'capacity', 'cancelled', 'start')
if not m[1] then
  return {'notfound'}
end
if redis.call('ZSCORE', KEYS[4], uid) then
  return {'offered'}
end
local conf = redis.call('ZSCORE', KEYS[2], uid)
local wait = redis.call('ZSCORE', KEYS[3], uid)
local pend = redis.call('ZSCORE', KEYS[5], uid)
if not (conf or wait or pend) then
  for i = 7, 10 do
    if redis.call('ZSCORE', KEYS[i], uid) then
      return {'same'}
    end
  end
  return {'notfound'}
end
if m[2] == '1' then
  return {'cancelled'}
end
local start = tonumber(m[3])
if start and now >= start then
  return {'started'}
end
if pend then
  redis.call('ZREM', KEYS[5], uid)
  redis.call('ZADD', KEYS[10], redis.call('INCR', KEYS[11]), uid)
  return {'pending', '0'}
end
local cap = tonumber(m[1]) or 0
local free = cap <= 0 or (redis.call('ZCARD', KEYS[7]) + redis.call('ZCARD', KEYS[9]) < cap and redis.call('ZCARD', KEYS[8]) == 0)
if not free and not giveup then
  return {'full', tostring(redis.call('ZCARD', KEYS[8]))}
end
local out
if free then
  redis.call('ZADD', KEYS[7], redis.call('INCR', KEYS[11]), uid)
  out = {'confirmed', '0'}
else
  redis.call('ZADD', KEYS[8], redis.call('INCR', KEYS[11]), uid)
  out = {'waiting', tostring(redis.call('ZCARD', KEYS[8]))}
end
if conf then
  redis.call('ZREM', KEYS[2], uid)
  local moved = promote(KEYS[1], KEYS[2], KEYS[3], KEYS[11], KEYS[4], now, 1)
  for i = 1, #moved do
    out[#out + 1] = moved[i]
  end
else
  redis.call('ZREM', KEYS[3], uid)
end
return out
