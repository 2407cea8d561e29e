-- Freezes a broadcast's last recipients (its linked chats, or all of them
-- when not frozen page by page) and marks it running, once. The members
-- bc_freeze.lua froze before count in its total.
-- KEYS: state, todo. ARGV: now (unix ms), how many of the items are linked
-- chats, then the "uid:msg" items (a linked chat's "chat/topic:msg").
-- Returns "started" to the one caller that started it, else the status it
-- already had.
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'scheduled' then
  return status or 'missing'
end
for i = 3, #ARGV, 5000 do
  redis.call('RPUSH', KEYS[2], unpack(ARGV, i, math.min(i + 4999, #ARGV)))
end
local chats = tonumber(ARGV[2])
local frozen = tonumber(redis.call('HGET', KEYS[1], 'frozen') or '0')
redis.call('HSET', KEYS[1], 'status', 'running', 'total', frozen + #ARGV - 2 - chats, 'chat_total', chats, 'started', ARGV[1])
return 'started'
