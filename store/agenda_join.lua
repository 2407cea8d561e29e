-- Signs uid up for session id (after agenda_lib.lua).
-- ARGV[rest]: id, ARGV[rest+1]: uid
-- Returns {'ok'}, {'retry'} (the agenda changed since the caller read it),
-- {'notfound'}, {'plenary'}, {'notconfirmed'}, {'already'}, {'overlap',
-- other id} or {'full'}.
if not complete() then return {'retry'} end
local id, uid = ARGV[rest], ARGV[rest + 1]
local raw = redis.call('HGET', KEYS[2], id)
if not raw then return {'notfound'} end
local s = cjson.decode(raw)
local cap = tonumber(s.cap) or 0
if cap <= 0 then return {'plenary'} end
local sc = confirmedNo(uid)
if not sc then return {'notconfirmed'} end
local no, ids = chosenOf(uid)
if no and tonumber(no) ~= tonumber(sc) then
  drop(uid)
  ids = {}
end
for _, o in ipairs(ids) do
  if o == id then return {'already'} end
  local r2 = redis.call('HGET', KEYS[2], o)
  if r2 then
    local s2 = cjson.decode(r2)
    if s.from < s2.to and s2.from < s.to then return {'overlap', o} end
  end
end
if redis.call('ZCARD', seat[id]) >= cap and purge(id) >= cap then return {'full'} end
redis.call('ZADD', seat[id], redis.call('INCR', KEYS[5]), uid)
ids[#ids + 1] = id
setChosen(uid, sc, ids)
return {'ok'}
