-- Revokes a one-time team invitation: deletes it and its index entry.
-- KEYS: invitation (hash: by, created, expires, unix ms), index (zset token -> created unix ms)
-- ARGV: token, now (unix ms)
-- Returns 1 when an open invitation was revoked, 0 when there was none
-- (unknown, used, or expired at now: then it is cleared away too).
local expires = redis.call('HGET', KEYS[1], 'expires')
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if not expires or tonumber(expires) <= tonumber(ARGV[2]) then
  return 0
end
return 1
