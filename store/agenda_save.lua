-- Adds or replaces session id (after agenda_lib.lua).
-- ARGV[rest]: id, ARGV[rest+1]: session JSON, ARGV[rest+2]: its capacity,
-- ARGV[rest+3]: the most sessions the agenda may hold.
-- Returns {'ok', uids dropped (made plenary)…}, {'retry'}, {'notfound'}
-- (no workshop), {'full'} or {'below', signed-up count}.
if redis.call('EXISTS', KEYS[1]) == 0 then return {'notfound'} end
local id, cap, max = ARGV[rest], tonumber(ARGV[rest + 2]), tonumber(ARGV[rest + 3])
if not complete(id) then return {'retry'} end
local new = redis.call('HEXISTS', KEYS[2], id) == 0
if new and redis.call('HLEN', KEYS[2]) >= max then return {'full'} end
local dropped = {}
if cap > 0 then
  if not new then
    local cnt = purge(id)
    if cnt > cap then return {'below', tostring(cnt)} end
  end
else
  for _, u in ipairs(redis.call('ZRANGE', seat[id], 0, -1)) do
    local no = chosenOf(u)
    if valid(u, no) then dropped[#dropped + 1] = u end
    leave(u, id)
  end
  redis.call('DEL', seat[id])
end
redis.call('HSET', KEYS[2], id, ARGV[rest + 1])
return {'ok', unpack(dropped)}
