-- uid opened an invitation's link (HoldWorkshopInvite): they hold it, and
-- their registration will use it. Needs ws_inv_lib.lua before it.
-- KEYS: winv:<token>, winvuse:<token>, winvheld, regs
-- ARGV: uid, token
-- Returns 'gone' (no such invitation: unknown or revoked), 'used' (its
-- seats are taken by others) or 'ok'.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 'gone'
end
local quota = tonumber(redis.call('HGET', KEYS[1], 'quota')) or 1
local n, mine = inv_live(KEYS[2], KEYS[4], ARGV[1])
if not mine and n >= quota then
  return 'used'
end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
return 'ok'
