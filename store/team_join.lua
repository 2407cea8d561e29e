-- Takes a one-time team invitation and puts uid on the team. A team
-- without an owner gets uid as its owner. Generic over its keys: any team
-- (a workshop's today) keeps the same rules.
-- KEYS: invitation (hash: by, created, expires, unix ms), team (zset uid -> joined unix ms), meta (hash: owner)
-- ARGV: uid, now (unix ms)
-- Returns {'notfound'}, {'member'} or {'ok', by, created, expires}.
local inv = redis.call('HMGET', KEYS[1], 'by', 'created', 'expires')
if not inv[1] then
  return {'notfound'}
end
if tonumber(inv[3]) <= tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
  return {'notfound'}
end
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  return {'member'}
end
redis.call('DEL', KEYS[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
if not redis.call('HGET', KEYS[3], 'owner') then
  redis.call('HSET', KEYS[3], 'owner', ARGV[1])
end
return {'ok', inv[1], inv[2], inv[3]}
