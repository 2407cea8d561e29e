-- Write a partner profile and its suggestion bitmaps at once (SavePartner,
-- and MigratePartners for profiles indexed by the sets of older builds).
-- The profile's bit number (its slot) is taken on its first save: a freed
-- one, lowest first, else a new one; it stays until the profile is deleted.
-- KEYS: 1 profile, 2 slot hash (uid -> slot), 3 slot owners (slot -> uid),
--       4 free slots zset, 5 next-slot counter, then ARGV[4] bitmaps whose
--       bit is cleared, ARGV[5] bitmaps whose bit is set, ARGV[6] sets the
--       uid is removed from (themes it left, the older builds' index sets),
--       ARGV[7] sets the uid is added to (its themes' member sets)
-- ARGV: 1 uid, 2 the profile read before (JSON, "" for none), 3 the new
--       profile (JSON), 4..7 the counts above
-- Returns the slot, or -1 when the profile changed since it was read.
local cur = redis.call('GET', KEYS[1])
if (cur or '') ~= ARGV[2] then return -1 end
local slot = redis.call('HGET', KEYS[2], ARGV[1])
if not slot then
  local free = redis.call('ZPOPMIN', KEYS[4])
  if free[1] then
    slot = free[1]
  else
    slot = tostring(redis.call('INCR', KEYS[5]) - 1)
  end
  redis.call('HSET', KEYS[2], ARGV[1], slot)
  redis.call('HSET', KEYS[3], slot, ARGV[1])
end
local nclear, nset, nsrem, nsadd = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local k = 5
for _ = 1, nclear do
  k = k + 1
  redis.call('SETBIT', KEYS[k], slot, 0)
end
for _ = 1, nset do
  k = k + 1
  redis.call('SETBIT', KEYS[k], slot, 1)
end
for _ = 1, nsrem do
  k = k + 1
  redis.call('SREM', KEYS[k], ARGV[1])
end
for _ = 1, nsadd do
  k = k + 1
  redis.call('SADD', KEYS[k], ARGV[1])
end
redis.call('SET', KEYS[1], ARGV[3])
return tonumber(slot)
