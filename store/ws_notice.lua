-- Claims the workshop's notice to its team that registrations await
-- approval: at most one per period.
-- KEYS: the last notice (string: unix ms)
-- ARGV: now (unix ms), period (ms)
-- Returns 0 when claimed (now is recorded), else when the next may go (unix ms).
local last = tonumber(redis.call('GET', KEYS[1]))
local now, every = tonumber(ARGV[1]), tonumber(ARGV[2])
if last and now < last + every then
  return last + every
end
-- Kept twice the period: it only matters for one.
redis.call('SET', KEYS[1], ARGV[1], 'PX', 2 * every)
return 0
