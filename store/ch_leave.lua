-- ch_leave.lua: uid leaves a chapter they joined by its link.
-- KEYS[1] {ch}:joined:<id>   KEYS[2] {ch}:of:<uid>
-- ARGV[1] uid   ARGV[2] chapter id
-- Returns 1, or 0 when uid had not joined it by link.
local n = redis.call('SREM', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[2])
return n
