-- Remove a link: KEYS[1] {grp}:links, KEYS[2] {grp}:off; ARGV[1] the field.
-- Returns {json, inactive (0/1)}, or false when there was none.
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then
  return false
end
local off = redis.call('SREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
return {cur, off}
