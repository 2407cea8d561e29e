-- Registers through the invitation uid holds (RegisterInvited): the
-- invitation is checked and one of its seats taken in the same step as
-- ws_register.lua's registration. Go puts ws_inv_lib.lua before it and
-- ws_register.lua, as the function register (its "local invited = false"
-- made true: the invite-only workshop lets this registration through), in
-- place of the marker line below; the keys and arguments of ws_register.lua come first,
-- this script takes its own off their ends.
-- KEYS: ws_register.lua's, then winvheld, winv:<token>, winvuse:<token>, regs
-- ARGV: ws_register.lua's, then token, now (unix ms), uid
-- Returns ws_register.lua's reply, or {'noinvite'} (uid holds no
-- invitation, or holds another one now), {'invgone'} (revoked) or
-- {'invused'} (its seats are taken): nothing registered then.
local regs = table.remove(KEYS)
local use = table.remove(KEYS)
local inv = table.remove(KEYS)
local held = table.remove(KEYS)
local uid = table.remove(ARGV)
local now = table.remove(ARGV)
local token = table.remove(ARGV)
--register--
if redis.call('HGET', held, uid) ~= token then
  return {'noinvite'}
end
if redis.call('EXISTS', inv) == 0 then
  return {'invgone'}
end
local quota = tonumber(redis.call('HGET', inv, 'quota')) or 1
local n, mine = inv_live(use, regs, uid)
if not mine and n >= quota then
  return {'invused'}
end
local out = register()
if out[1] == 'confirmed' or out[1] == 'waiting' or out[1] == 'pending' then
  redis.call('ZADD', use, now, uid)
end
return out
