-- Claims due jobs. Expired leases go back to the due set first (due now),
-- then up to max jobs due by now are moved, in due order, from the due set
-- to the lease set. Both steps read with ZRANGEBYSCORE … LIMIT and cut with
-- ZREMRANGEBYRANK (the first k by score are ranks 0..k-1), so the cost is
-- O(log N + k), whatever the size of the sets.
-- KEYS: due, lease
-- ARGV: now (unix ms), max, lease expiry (unix ms), max leases to return
-- Returns {id, due, id, due, …}.
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, ARGV[4])
if #expired > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, #expired - 1)
  for i = 1, #expired do
    redis.call('ZADD', KEYS[1], ARGV[1], expired[i])
  end
end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[2])
local n = #due / 2
if n > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - 1)
  for i = 1, #due, 2 do
    redis.call('ZADD', KEYS[2], ARGV[3], due[i])
  end
end
return due
