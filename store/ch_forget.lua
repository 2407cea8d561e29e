-- ch_forget.lua: takes uid out of the chapters they joined by link.
-- KEYS[1] {ch}:of:<uid>   KEYS[2..] {ch}:joined:<id> of each id in ARGV[2..]
-- ARGV[1] uid   ARGV[2..] the chapter ids read from KEYS[1] before
-- Returns how many chapters KEYS[1] still names (joined meanwhile: the
-- caller reads again and repeats).
for i = 2, #KEYS do
  redis.call('SREM', KEYS[i], ARGV[1])
  redis.call('SREM', KEYS[1], ARGV[i])
end
return redis.call('SCARD', KEYS[1])
