-- Books a slot and a table for a partner meeting (flows.Meetings): accepts a
-- pending request, moves a booked meeting, or places a new one proposed by
-- the team. Never two meetings for one organisation in one slot, never two
-- at one table in one slot, never more than the cap per organisation.
-- KEYS: 1 the meeting (hash), 2 busy (hash "u:<uid>:<slot>" and
--   "t:<table>:<slot>" -> meeting id), 3 booked counts (hash uid -> n),
--   4 slots (zset of slot starts), 5 tables (zset table id -> order),
--   6 conf (hash: cap), 7 pairs (hash "<a>:<b>" -> open meeting id),
--   8 ids (zset id -> created ms), 9, 10 the two sides' sets of ids (place),
--   11 the workshop's meta (hash: nothing is booked at a cancelled workshop,
--   whose cancellation cancels the open meetings once its meta says so)
-- ARGV: 1 mode accept|move|place, 2 actor, 3 slot (unix s), 4 now (unix ms),
--   5 meeting id, 6 pair field, 7.. (place) field, value pairs
-- Returns {'ok', table} or {refusal[, uid]}.
local mode, actor, slot, now, id = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if redis.call('EXISTS', KEYS[6]) == 0 then return {'off'} end
if redis.call('HGET', KEYS[11], 'cancelled') == '1' then return {'cancelled'} end
if not redis.call('ZSCORE', KEYS[4], slot) then return {'badslot'} end
local from, to, oldslot, oldtable
if mode == 'place' then
  if redis.call('EXISTS', KEYS[1]) == 1 then return {'exists'} end
  if redis.call('HEXISTS', KEYS[7], ARGV[6]) == 1 then return {'open'} end
  for i = 7, #ARGV, 2 do
    if ARGV[i] == 'from' then from = ARGV[i + 1] end
    if ARGV[i] == 'to' then to = ARGV[i + 1] end
  end
else
  local m = redis.call('HMGET', KEYS[1], 'status', 'from', 'to', 'awaiting', 'slots', 'slot', 'table')
  if not m[1] then return {'notfound'} end
  from, to = m[2], m[3]
  if mode == 'accept' then
    if m[1] ~= 'pending' then return {'decided'} end
    if m[4] ~= actor then return {'forbidden'} end
    local offered = false
    for s in string.gmatch(m[5], '[^,]+') do
      if s == slot then offered = true end
    end
    if not offered then return {'badslot'} end
  else
    if m[1] ~= 'accepted' then return {'decided'} end
    if actor ~= from and actor ~= to then return {'forbidden'} end
    oldslot, oldtable = m[6], m[7]
  end
end
for _, u in ipairs({from, to}) do
  local b = redis.call('HGET', KEYS[2], 'u:' .. u .. ':' .. slot)
  if b and b ~= id then return {'taken', u} end
end
if mode ~= 'move' then
  local cap = tonumber(redis.call('HGET', KEYS[6], 'cap'))
  for _, u in ipairs({from, to}) do
    if tonumber(redis.call('HGET', KEYS[3], u) or '0') >= cap then return {'cap', u} end
  end
end
local tbl = '0'
if redis.call('ZCARD', KEYS[5]) > 0 then
  tbl = nil
  for _, t in ipairs(redis.call('ZRANGE', KEYS[5], 0, -1)) do
    local b = redis.call('HGET', KEYS[2], 't:' .. t .. ':' .. slot)
    if not b or b == id then
      tbl = t
      break
    end
  end
  if not tbl then return {'full'} end
end
if oldslot and oldslot ~= '' then
  redis.call('HDEL', KEYS[2], 'u:' .. from .. ':' .. oldslot, 'u:' .. to .. ':' .. oldslot)
  if oldtable ~= '0' then redis.call('HDEL', KEYS[2], 't:' .. oldtable .. ':' .. oldslot) end
end
redis.call('HSET', KEYS[2], 'u:' .. from .. ':' .. slot, id, 'u:' .. to .. ':' .. slot, id)
if tbl ~= '0' then redis.call('HSET', KEYS[2], 't:' .. tbl .. ':' .. slot, id) end
if mode ~= 'move' then
  redis.call('HINCRBY', KEYS[3], from, 1)
  redis.call('HINCRBY', KEYS[3], to, 1)
end
if mode == 'place' then
  local fields = {}
  for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
  redis.call('HSET', KEYS[1], unpack(fields))
  redis.call('HSET', KEYS[1], 'status', 'proposed', 'slot', slot, 'table', tbl)
  redis.call('ZADD', KEYS[8], now, id)
  redis.call('SADD', KEYS[9], id)
  redis.call('SADD', KEYS[10], id)
  redis.call('HSET', KEYS[7], ARGV[6], id)
elseif mode == 'accept' then
  redis.call('HSET', KEYS[1], 'status', 'accepted', 'slot', slot, 'table', tbl, 'decided', now, 'awaiting', '0')
else
  redis.call('HSET', KEYS[1], 'slot', slot, 'table', tbl)
end
return {'ok', tbl}
