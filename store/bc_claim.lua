-- Claims up to n recipients of a running broadcast for one replica, with a
-- lease. Claims whose lease ran out (their replica died or stalled) are
-- taken over first: a claim whose send had not begun is handed to the
-- caller; one whose send had begun may have been delivered, so it is
-- recorded as uncertain and never sent again. Then new recipients are taken
-- from the todo list in order.
-- KEYS: state, todo, claims, owner, sending, done
-- ARGV: owner token, n, lease (ms)
-- Returns the claimed "uid:msg" items (empty when none is left or the
-- broadcast is not running).
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then
  return {}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[2])
local until_ = now + tonumber(ARGV[3])
local out = {}
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, n)
for _, item in ipairs(expired) do
  if redis.call('HEXISTS', KEYS[5], item) == 1 then
    local uid = string.match(item, '^([^:]+)')
    if not redis.call('HGET', KEYS[6], uid) then
      local outcome = 'uncertain'
      if string.find(uid, '/', 1, true) then
        outcome = 'chat_uncertain' -- a linked chat, counted apart
      end
      redis.call('HSET', KEYS[6], uid, outcome)
      redis.call('HINCRBY', KEYS[1], outcome, 1)
    end
    redis.call('ZREM', KEYS[3], item)
    redis.call('HDEL', KEYS[4], item)
    redis.call('HDEL', KEYS[5], item)
  else
    redis.call('ZADD', KEYS[3], until_, item)
    redis.call('HSET', KEYS[4], item, ARGV[1])
    out[#out + 1] = item
  end
end
while #out < n do
  local item = redis.call('LPOP', KEYS[2])
  if not item then
    break
  end
  redis.call('ZADD', KEYS[3], until_, item)
  redis.call('HSET', KEYS[4], item, ARGV[1])
  out[#out + 1] = item
end
return out
