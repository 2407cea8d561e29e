-- Forgets uid's part in a workshop's survey: the answers that name them
-- (shared with the team) go, with the marks that they answered and were
-- sent the survey. Anonymous answers (no uid in them) stay.
-- KEYS: svans, svdone, svsent
-- ARGV: uid
local prefix = '{"user":' .. ARGV[1] .. ','
for _, a in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  if string.sub(a, 1, #prefix) == prefix then
    redis.call('LREM', KEYS[1], 0, a)
  end
end
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], 'i:' .. ARGV[1], 'r:' .. ARGV[1])
return 1
