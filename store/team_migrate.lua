-- Gives a workshop stored before teams its team, once: the JSON read is
-- replaced by the one without facilitators unless it changed meanwhile.
-- KEYS: ws, meta, team
-- ARGV: JSON read, JSON without the team, owner uid (0: none), joined (unix ms), member uid...
-- Returns 'ok', 'done' (it has a team) or 'changed' (read again).
if redis.call('HGET', KEYS[2], 'team') == '1' then
  return 'done'
end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 'changed'
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[2], 'team', '1')
if ARGV[3] ~= '0' then
  redis.call('HSET', KEYS[2], 'owner', ARGV[3])
end
local at = tonumber(ARGV[4])
for i = 5, #ARGV do
  redis.call('ZADD', KEYS[3], 'NX', at + i - 5, ARGV[i])
end
return 'ok'
