-- Adds or replaces session id (after agenda_lib.lua).
-- ARGV[rest]: id, ARGV[rest+1]: session JSON, ARGV[rest+2]: its capacity,
-- ARGV[rest+3]: the most sessions the agenda may hold.
-- Returns {'ok', uids dropped…}, {'retry'}, {'notfound'} (no workshop),
-- {'full'} or {'below', count of those keeping a seat}. Dropped: everyone
-- signed up when it is made plenary; when a parallel session is saved with
-- other times, those signed up for it whose other chosen session it now
-- overlaps (their seat in it is released; the capacity is checked against
-- the others).
if redis.call('EXISTS', KEYS[1]) == 0 then return {'notfound'} end
local id, cap, max = ARGV[rest], tonumber(ARGV[rest + 2]), tonumber(ARGV[rest + 3])
if not complete(id) then return {'retry'} end
local new = redis.call('HEXISTS', KEYS[2], id) == 0
if new and redis.call('HLEN', KEYS[2]) >= max then return {'full'} end
local dropped = {}
if cap > 0 then
  if not new then
    local cnt = purge(id)
    local s = cjson.decode(ARGV[rest + 1])
    local clash = {}
    for _, u in ipairs(redis.call('ZRANGE', seat[id], 0, -1)) do
      local _, ids = chosenOf(u)
      for _, o in ipairs(ids) do
        local r2 = o ~= id and redis.call('HGET', KEYS[2], o)
        if r2 then
          local s2 = cjson.decode(r2)
          if s.from < s2.to and s2.from < s.to then
            clash[#clash + 1] = u
            break
          end
        end
      end
    end
    if cnt - #clash > cap then return {'below', tostring(cnt - #clash)} end
    for _, u in ipairs(clash) do
      leave(u, id)
      dropped[#dropped + 1] = u
    end
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
