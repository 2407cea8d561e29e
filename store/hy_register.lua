-- Registers a user in one mode of a hybrid workshop: ws_register.lua on that
-- mode's lists (its meta holds its capacity), refusing someone on either
-- mode's lists. Keep it alike with ws_register.lua.
-- KEYS: meta, confirmed, waiting, seq, regs, offers, pending (the mode
--       joined), confirmed, waiting, offers, pending (the other mode)
-- ARGV: uid, now (unix ms), registration JSON
-- Returns as ws_register.lua.
local m = redis.call('HMGET', KEYS[1], 'capacity', 'closed', 'cancelled', 'deadline', 'approval', 'invite')
if not m[1] then
  return {'notfound'}
end
if m[3] == '1' then
  return {'cancelled'}
end
-- An invite-only workshop registers only through an invitation: this line
-- reads true where ws_inv_register.lua wraps this script (store/invites.go).
local invited = false
if m[6] == '1' and not invited then
  return {'noinvite'}
end
local deadline = tonumber(m[4]) or 0
if m[2] == '1' or (deadline ~= 0 and tonumber(ARGV[2]) >= deadline) then
  return {'shut'}
end
local uid = ARGV[1]
for _, i in ipairs({2, 3, 6, 7, 8, 9, 10, 11}) do
  if redis.call('ZSCORE', KEYS[i], uid) then
    return {'dup', redis.call('HGET', KEYS[5], uid) or ''}
  end
end
local cap = tonumber(m[1]) or 0
local seq = redis.call('INCR', KEYS[4])
local out
if m[5] == '1' then
  redis.call('ZADD', KEYS[7], seq, uid)
  out = {'pending', 0}
elseif cap <= 0 or (redis.call('ZCARD', KEYS[2]) + redis.call('ZCARD', KEYS[6]) < cap and redis.call('ZCARD', KEYS[3]) == 0) then
  redis.call('ZADD', KEYS[2], seq, uid)
  out = {'confirmed', 0}
else
  redis.call('ZADD', KEYS[3], seq, uid)
  out = {'waiting', redis.call('ZCARD', KEYS[3])}
end
redis.call('HSET', KEYS[5], uid, ARGV[3])
return out
