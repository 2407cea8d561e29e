-- Approves or declines a pending registration, once.
-- KEYS: meta, confirmed, waiting, seq, regs, offers, pending
-- ARGV: approve | decline, uid
-- Approved, it is placed as ws_register.lua places a registration:
-- confirmed while seats are left (offered ones are taken) and nobody waits,
-- else at the end of the waiting list (a new registration number either
-- way). Declined, the registration is gone.
-- Returns {'decided'} (not pending: decided already, cancelled, never
-- made), {'cancelled'}, {'declined', registration JSON}, {'confirmed', 0}
-- or {'waiting', 1-based position}.
local uid = ARGV[2]
if not redis.call('ZSCORE', KEYS[7], uid) then
  return {'decided'}
end
local m = redis.call('HMGET', KEYS[1], 'capacity', 'cancelled')
if m[2] == '1' then
  return {'cancelled'}
end
redis.call('ZREM', KEYS[7], uid)
if ARGV[1] == 'decline' then
  local reg = redis.call('HGET', KEYS[5], uid) or ''
  redis.call('HDEL', KEYS[5], uid)
  return {'declined', reg}
end
local cap = tonumber(m[1]) or 0
local seq = redis.call('INCR', KEYS[4])
if cap <= 0 or (redis.call('ZCARD', KEYS[2]) + redis.call('ZCARD', KEYS[6]) < cap and redis.call('ZCARD', KEYS[3]) == 0) then
  redis.call('ZADD', KEYS[2], seq, uid)
  return {'confirmed', 0}
end
redis.call('ZADD', KEYS[3], seq, uid)
return {'waiting', redis.call('ZCARD', KEYS[3])}
