-- Delete a partner profile: its bits in the suggestion bitmaps, its slot
-- (freed for the next new profile), its "not interested" set.
-- KEYS: 1 profile, 2 slot hash, 3 slot owners, 4 free slots zset,
--       5 "not interested" set, then the bitmaps whose bit is cleared
-- ARGV: 1 uid, 2 the profile read before (JSON, "" for none)
-- Returns 1, 0 when there was no profile, -1 when it changed since it was read.
local cur = redis.call('GET', KEYS[1])
if (cur or '') ~= ARGV[2] then return -1 end
if not cur then return 0 end
local slot = redis.call('HGET', KEYS[2], ARGV[1])
if slot then
  for k = 6, #KEYS do
    redis.call('SETBIT', KEYS[k], slot, 0)
  end
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('HDEL', KEYS[3], slot)
  redis.call('ZADD', KEYS[4], slot, slot)
end
redis.call('DEL', KEYS[1], KEYS[5])
return 1
