-- Ends partner meetings (flows.Meetings): declined, withdrawn or cancelled,
-- freeing a booking (slot of both sides, table, the cap's counts) and the
-- pair. With actor '0' (the team, a registration ended, forgetting) any open
-- meeting is cancelled.
-- KEYS: 1 busy, 2 booked counts, 3 pairs; ARGV: 1 status, 2 actor, 3 now (unix
-- ms), 4 the meetings' key prefix (same hash tag), 5.. meeting ids.
-- Returns, per id, 'ok', 'notfound', 'decided' or 'forbidden'.
local status, actor, now, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local out = {}
for i = 5, #ARGV do
  local key = prefix .. ARGV[i]
  local m = redis.call('HMGET', key, 'status', 'from', 'to', 'awaiting', 'slot', 'table')
  local st, from, to = m[1], m[2], m[3]
  local res = 'ok'
  if not st then
    res = 'notfound'
  elseif st ~= 'pending' and st ~= 'proposed' and st ~= 'accepted' then
    res = 'decided'
  elseif actor ~= '0' and actor ~= from and actor ~= to then
    res = 'forbidden'
  elseif status == 'declined' and not ((st == 'pending' and m[4] == actor) or st == 'proposed') then
    res = st == 'pending' and 'forbidden' or 'decided'
  elseif status == 'withdrawn' and not (st == 'pending' and m[4] ~= actor) then
    res = st == 'pending' and 'forbidden' or 'decided'
  end
  if res == 'ok' then
    if st ~= 'pending' and m[5] and m[5] ~= '' then
      redis.call('HDEL', KEYS[1], 'u:' .. from .. ':' .. m[5], 'u:' .. to .. ':' .. m[5])
      if m[6] ~= '0' then redis.call('HDEL', KEYS[1], 't:' .. m[6] .. ':' .. m[5]) end
      redis.call('HINCRBY', KEYS[2], from, -1)
      redis.call('HINCRBY', KEYS[2], to, -1)
    end
    local a, b = from, to
    if tonumber(a) > tonumber(b) then a, b = b, a end
    redis.call('HDEL', KEYS[3], a .. ':' .. b)
    redis.call('HSET', key, 'status', status, 'decided', now, 'awaiting', '0')
  end
  out[#out + 1] = res
end
return out
