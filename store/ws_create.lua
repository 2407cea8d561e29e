-- Creates a workshop unless its code is taken, with its team.
-- KEYS: ws, meta, team
-- ARGV: workshop JSON, capacity, closed (0/1), cancelled (0/1), deadline (unix ms, 0: none),
--       start (unix ms), offer (0/1), offer validity (ms), approval (0/1), invite-only (0/1),
--       owner uid, created (unix ms), member uid... (the team in order, the owner among them)
-- Returns 1 when created, 0 when the code is taken.
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  return 0
end
redis.call('HSET', KEYS[2], 'capacity', ARGV[2], 'closed', ARGV[3], 'cancelled', ARGV[4], 'deadline', ARGV[5],
  'start', ARGV[6], 'offer', ARGV[7], 'validity', ARGV[8], 'approval', ARGV[9], 'invite', ARGV[10], 'team', '1')
if ARGV[11] ~= '0' then
  redis.call('HSET', KEYS[2], 'owner', ARGV[11])
end
local at = tonumber(ARGV[12])
for i = 13, #ARGV do
  redis.call('ZADD', KEYS[3], 'NX', at + i - 13, ARGV[i])
end
return 1
