-- Removes session id and its sign-ups (after agenda_lib.lua).
-- ARGV[rest]: id
-- Returns {'ok', uids who held a seat, in sign-up order…}, {'retry'} or
-- {'notfound'}.
if not complete() then return {'retry'} end
local id = ARGV[rest]
if redis.call('HEXISTS', KEYS[2], id) == 0 then return {'notfound'} end
local held = {}
for _, u in ipairs(redis.call('ZRANGE', seat[id], 0, -1)) do
  local no = chosenOf(u)
  if valid(u, no) then held[#held + 1] = u end
  leave(u, id)
end
redis.call('DEL', seat[id])
redis.call('HDEL', KEYS[2], id)
return {'ok', unpack(held)}
