-- Saves a workshop (JSON and meta) and, unless it is cancelled, promotes as
-- many waiting people as now fit. Needs ws_promote.lua before it.
-- KEYS: ws, meta, confirmed, waiting, seq
-- ARGV: workshop JSON, capacity, closed (0/1), cancelled (0/1), deadline (unix ms, 0: none)
-- Returns {'notfound'} or {'ok', previous JSON, promoted uid...}.
local old = redis.call('GET', KEYS[1])
if not old then
  return {'notfound'}
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], 'capacity', ARGV[2], 'closed', ARGV[3], 'cancelled', ARGV[4], 'deadline', ARGV[5])
local out = {'ok', old}
if ARGV[4] ~= '1' then
  local promoted = promote(KEYS[3], KEYS[4], KEYS[5], tonumber(ARGV[2]), -1)
  for i = 1, #promoted do
    out[#out + 1] = promoted[i]
  end
end
return out
