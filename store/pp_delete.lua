-- Delete a partner profile: its bits in the suggestion bitmaps, its slot
-- (freed for the next new profile), its "not interested" set and the
-- reverse entries of those marks.
-- KEYS: 1 profile, 2 slot hash, 3 slot owners, 4 free slots zset,
--       5 "not interested" set, then ARGV[3] bitmaps whose bit is cleared,
--       then sets uid is removed from: its themes' member sets and the
--       {pp}:skippedby sets of the uids in 5
-- ARGV: 1 uid, 2 the profile read before (JSON, "" for none), 3 the count
--       of bitmaps, 4 the size of 5 when it was read
-- Returns 1, 0 when there was no profile, -1 when the profile or the marks
-- changed since they were read.
local cur = redis.call('GET', KEYS[1])
if (cur or '') ~= ARGV[2] or redis.call('SCARD', KEYS[5]) ~= tonumber(ARGV[4]) then return -1 end
if not cur then return 0 end
local nbits = tonumber(ARGV[3])
local slot = redis.call('HGET', KEYS[2], ARGV[1])
if slot then
  for k = 6, 5 + nbits do
    redis.call('SETBIT', KEYS[k], slot, 0)
  end
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('HDEL', KEYS[3], slot)
  redis.call('ZADD', KEYS[4], slot, slot)
end
for k = 6 + nbits, #KEYS do
  redis.call('SREM', KEYS[k], ARGV[1])
end
redis.call('DEL', KEYS[1], KEYS[5])
return 1
