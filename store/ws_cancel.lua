-- Cancels a registration; a freed confirmed seat goes to the head of the
-- waiting list (not while the workshop is cancelled). Needs ws_promote.lua
-- before it.
-- KEYS: meta, confirmed, waiting, seq, regs, checkin
-- ARGV: uid
-- Returns {'notfound'} or {'ok', registration JSON ('' if none), promoted uid ('' if none)}.
local uid = ARGV[1]
local promoted = {}
if redis.call('ZREM', KEYS[2], uid) == 1 then
  local m = redis.call('HMGET', KEYS[1], 'capacity', 'cancelled')
  if m[2] ~= '1' then
    promoted = promote(KEYS[2], KEYS[3], KEYS[4], tonumber(m[1]) or 0, 1)
  end
elseif redis.call('ZREM', KEYS[3], uid) == 0 then
  return {'notfound'}
end
local reg = redis.call('HGET', KEYS[5], uid) or ''
redis.call('HDEL', KEYS[5], uid)
redis.call('HDEL', KEYS[6], uid)
return {'ok', reg, promoted[1] or ''}
