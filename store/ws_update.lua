-- Saves a workshop (JSON and meta) and promotes as many waiting people as
-- now fit, as promote decides: at the time given (ARGV[11], unix ms), or
-- without it ('': a workshop that offers moves nobody, OfferSeats offers).
-- Needs ws_promote.lua before it.
-- KEYS: ws, meta, confirmed, waiting, seq, offers
-- ARGV: workshop JSON, capacity, closed (0/1), cancelled (0/1), deadline (unix ms, 0: none),
--       start (unix ms), offer (0/1), offer validity (ms), approval (0/1), invite-only (0/1),
--       now (unix ms or '')
-- Returns {'notfound'} or {'ok', previous JSON, promoted uid...}.
local old = redis.call('GET', KEYS[1])
if not old then
  return {'notfound'}
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], 'capacity', ARGV[2], 'closed', ARGV[3], 'cancelled', ARGV[4], 'deadline', ARGV[5],
  'start', ARGV[6], 'offer', ARGV[7], 'validity', ARGV[8], 'approval', ARGV[9], 'invite', ARGV[10])
local out = {'ok', old}
local promoted = promote(KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], tonumber(ARGV[11]), -1)
for i = 1, #promoted do
  out[#out + 1] = promoted[i]
end
return out
