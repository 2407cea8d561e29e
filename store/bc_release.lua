-- Gives claims back (a replica stopping gracefully): claimed recipients
-- whose send has not begun go back to the front of the todo list, so the
-- other replicas (or this one after a restart) send them at once instead
-- of after the lease.
-- KEYS: todo, claims, owner, sending
-- ARGV: owner token, items…
-- Returns how many went back.
local n = 0
for i = #ARGV, 2, -1 do
  local item = ARGV[i]
  if redis.call('HGET', KEYS[3], item) == ARGV[1] and redis.call('HEXISTS', KEYS[4], item) == 0 then
    redis.call('ZREM', KEYS[2], item)
    redis.call('HDEL', KEYS[3], item)
    redis.call('LPUSH', KEYS[1], item)
    n = n + 1
  end
end
return n
