-- Marks recipients left in flight by a dead process as uncertain.
-- KEYS: state, inflight, done. Returns how many.
local items = redis.call('LRANGE', KEYS[2], 0, -1)
for _, item in ipairs(items) do
  local uid = string.match(item, '^([^:]+)')
  redis.call('HSET', KEYS[3], uid, 'uncertain')
  redis.call('HINCRBY', KEYS[1], 'uncertain', 1)
end
redis.call('DEL', KEYS[2])
return #items
