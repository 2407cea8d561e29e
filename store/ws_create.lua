-- Creates a workshop unless its code is taken.
-- KEYS: ws, meta
-- ARGV: workshop JSON, capacity, closed (0/1), cancelled (0/1), deadline (unix ms, 0: none),
--       start (unix ms), offer (0/1), offer validity (ms), approval (0/1)
-- Returns 1 when created, 0 when the code is taken.
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  return 0
end
redis.call('HSET', KEYS[2], 'capacity', ARGV[2], 'closed', ARGV[3], 'cancelled', ARGV[4], 'deadline', ARGV[5],
  'start', ARGV[6], 'offer', ARGV[7], 'validity', ARGV[8], 'approval', ARGV[9])
return 1
