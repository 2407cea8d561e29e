-- Takes uid off a team. The owner leaves only when forgotten; then the
-- member who joined first owns the team, and a team left empty has no
-- owner (the next to join owns it).
-- KEYS: team (zset uid -> joined unix ms), meta (hash: owner)
-- ARGV: uid, mode ('leave' or 'forget')
-- Returns {'notmember'}, {'owner'} or {'ok', new owner uid or ''}.
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return {'notmember'}
end
local owner = redis.call('HGET', KEYS[2], 'owner')
if owner ~= ARGV[1] then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return {'ok', ''}
end
if ARGV[2] ~= 'forget' then
  return {'owner'}
end
redis.call('ZREM', KEYS[1], ARGV[1])
local next = redis.call('ZRANGE', KEYS[1], 0, 0)
if next[1] then
  redis.call('HSET', KEYS[2], 'owner', next[1])
  return {'ok', next[1]}
end
redis.call('HDEL', KEYS[2], 'owner')
return {'ok', ''}
