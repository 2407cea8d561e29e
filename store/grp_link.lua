-- Link a chat (and topic) to Sinergi: KEYS[1] {grp}:links, KEYS[2] {grp}:off;
-- ARGV[1] the field "<chat>:<thread>", ARGV[2] the link's JSON.
-- An active link of the field wins: its JSON is returned and nothing
-- changes; otherwise (none, or an inactive one) the new link is written,
-- active, and false is returned.
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then
  return cur
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SREM', KEYS[2], ARGV[1])
return false
