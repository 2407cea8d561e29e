-- Saves a hybrid workshop: ws_update.lua for both modes at once, each
-- mode's meta with its capacity, and promotes as many waiting people of
-- each mode as now fit (on site first). Needs ws_promote.lua before it.
-- Keep it alike with ws_update.lua.
-- KEYS: ws, meta, confirmed, waiting, seq, offers (on site),
--       meta, confirmed, waiting, offers (online)
-- ARGV: as ws_update.lua, then the online capacity
-- Returns {'notfound'} or {'ok', previous JSON, promoted uid...}.
local old = redis.call('GET', KEYS[1])
if not old then
  return {'notfound'}
end
redis.call('SET', KEYS[1], ARGV[1])
local out = {'ok', old}
local fams = {{KEYS[2], KEYS[3], KEYS[4], KEYS[6], ARGV[2]}, {KEYS[7], KEYS[8], KEYS[9], KEYS[10], ARGV[12]}}
for _, f in ipairs(fams) do
  redis.call('HSET', f[1], 'capacity', f[5], 'closed', ARGV[3], 'cancelled', ARGV[4], 'deadline', ARGV[5],
    'start', ARGV[6], 'offer', ARGV[7], 'validity', ARGV[8], 'approval', ARGV[9], 'invite', ARGV[10])
  local promoted = promote(f[1], f[2], f[3], KEYS[5], f[4], tonumber(ARGV[11]), -1)
  for i = 1, #promoted do
    out[#out + 1] = promoted[i]
  end
end
return out
