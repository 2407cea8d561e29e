-- uid leaves session id (after agenda_lib.lua).
-- ARGV[rest]: id, ARGV[rest+1]: uid
-- Returns {'ok'}, {'retry'} or {'notfound'} (no seat held, or a stale one).
if not complete() then return {'retry'} end
local id, uid = ARGV[rest], ARGV[rest + 1]
if not seat[id] or not redis.call('ZSCORE', seat[id], uid) then return {'notfound'} end
local no = chosenOf(uid)
if not valid(uid, no) then
  drop(uid)
  redis.call('ZREM', seat[id], uid)
  return {'notfound'}
end
leave(uid, id)
return {'ok'}
