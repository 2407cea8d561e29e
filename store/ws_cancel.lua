-- Cancels a registration; a freed seat (confirmed or offered) goes to the
-- head of the waiting list as promote decides. Needs ws_promote.lua before
-- it.
-- KEYS: meta, confirmed, waiting, seq, regs, checkin, offers, pending
-- ARGV: uid, now (unix ms)
-- Returns {'notfound'}, {'nostart'} (meta written before it held the start:
-- the caller writes it and runs again) or {'ok', registration JSON ('' if
-- none), promoted uid ('' if none)}.
local uid, now = ARGV[1], tonumber(ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 1 and not redis.call('HGET', KEYS[1], 'start') then
  return {'nostart'}
end
local promoted = {}
if redis.call('ZREM', KEYS[2], uid) == 1 or redis.call('ZREM', KEYS[7], uid) == 1 then
  promoted = promote(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[7], now, 1)
elseif redis.call('ZREM', KEYS[3], uid) == 0 and redis.call('ZREM', KEYS[8], uid) == 0 then
  return {'notfound'}
end
local reg = redis.call('HGET', KEYS[5], uid) or ''
redis.call('HDEL', KEYS[5], uid)
redis.call('HDEL', KEYS[6], uid)
return {'ok', reg, promoted[1] or ''}
