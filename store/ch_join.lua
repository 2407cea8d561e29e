-- ch_join.lua: uid joins a chapter by its link, if the chapter exists.
-- KEYS[1] {ch}:chapter:<id>   KEYS[2] {ch}:joined:<id>   KEYS[3] {ch}:of:<uid>
-- ARGV[1] uid   ARGV[2] chapter id
-- Returns 1, or 0 when there is no such chapter.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[2])
return 1
