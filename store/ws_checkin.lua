-- Marks a confirmed registrant present, keeping the first time.
-- KEYS: confirmed, checkin
-- ARGV: uid, now (unix ms)
-- Returns -1 when uid is not confirmed, 1 the first time, 0 after.
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return -1
end
return redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2])
