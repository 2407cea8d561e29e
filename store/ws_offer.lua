-- An offered seat answered or run out, or free seats offered. Needs
-- ws_promote.lua before it.
-- KEYS: meta, confirmed, waiting, seq, regs, checkin, offers (, pending: unused)
-- ARGV: action, uid, now (unix ms)
--   accept  confirms uid's offer while it stands (before its expiry and the
--           start); too late, it ends as on expiry and says 'expired'
--   decline ends uid's offer and registration; the seat goes on
--   expire  the same, only once the offer expired (else 'none')
--   fill    first ends every offer that would stand past CUTOFF before the
--           start (the workshop was moved earlier) at that time, then
--           offers every free seat (after a capacity increase)
-- Returns {'none'} (nothing offered to uid), {'confirmed'} (accept: uid is
-- confirmed already), or {'ok' | 'expired', ended registration JSON ('' if
-- none), uid moved up...}.
local act, uid, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local out = {'ok', ''}
if act == 'fill' then
  local start = tonumber(redis.call('HGET', KEYS[1], 'start'))
  if start then
    local late = redis.call('ZRANGEBYSCORE', KEYS[7], '(' .. (start - CUTOFF), '+inf')
    for i = 1, #late do
      redis.call('ZADD', KEYS[7], start - CUTOFF, late[i])
    end
  end
else
  local exp = redis.call('ZSCORE', KEYS[7], uid)
  if not exp then
    if act == 'accept' and redis.call('ZSCORE', KEYS[2], uid) then
      return {'confirmed'}
    end
    return {'none'}
  end
  local start = tonumber(redis.call('HGET', KEYS[1], 'start'))
  local over = now >= tonumber(exp) or (start ~= nil and now >= start)
  if act == 'accept' and not over then
    redis.call('ZREM', KEYS[7], uid)
    redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), uid)
    return out
  end
  if act == 'expire' and not over then
    return {'none'}
  end
  redis.call('ZREM', KEYS[7], uid)
  out[2] = redis.call('HGET', KEYS[5], uid) or ''
  redis.call('HDEL', KEYS[5], uid)
  redis.call('HDEL', KEYS[6], uid)
  if act == 'accept' then
    out[1] = 'expired'
  end
end
local moved = promote(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[7], now, -1)
for i = 1, #moved do
  out[#out + 1] = moved[i]
end
return out
