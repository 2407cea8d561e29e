-- Claims due jobs for one claimer. Expired leases are handled first: a job
-- whose run had begun (its claimer died or stalled mid-run) may have sent
-- its messages, so it is dropped rather than run twice, and returned as
-- such; one that had not begun goes back to the due set (due now). Then up
-- to max jobs due by now are moved, in due order, from the due set to the
-- lease set. Both steps read with ZRANGEBYSCORE … LIMIT and cut with
-- ZREMRANGEBYRANK (the first k by score are ranks 0..k-1), so the cost is
-- O(log N + k), whatever the size of the sets.
-- KEYS: due, lease, owner, running
-- ARGV: now (unix ms), max, lease expiry (unix ms), max leases to return, owner
-- Returns {{id, due, id, due, …}, {dropped id, …}}.
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, ARGV[4])
local dropped = {}
if #expired > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, #expired - 1)
  for i = 1, #expired do
    redis.call('HDEL', KEYS[3], expired[i])
    if redis.call('HDEL', KEYS[4], expired[i]) == 1 then
      dropped[#dropped + 1] = expired[i]
    else
      redis.call('ZADD', KEYS[1], ARGV[1], expired[i])
    end
  end
end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[2])
local n = #due / 2
if n > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - 1)
  for i = 1, #due, 2 do
    redis.call('ZADD', KEYS[2], ARGV[3], due[i])
    redis.call('HSET', KEYS[3], due[i], ARGV[5])
  end
end
return {due, dropped}
