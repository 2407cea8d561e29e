-- ch_create.lua: stores a new chapter unless its id is taken.
-- KEYS[1] {ch}:chapter:<id>   KEYS[2] {ch}:all
-- ARGV[1] JSON flows.Chapter   ARGV[2] created unix ms   ARGV[3] id
-- Returns 1, or 0 when the id is taken.
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
