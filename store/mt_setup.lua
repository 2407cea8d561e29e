-- Replaces a workshop's partner-meeting setup (flows.Meetings). Booked
-- meetings at a table or in a slot the new setup lacks refuse the change
-- ({'conflict', n}) unless forced: then they are cancelled in the same step.
-- KEYS: 1 setup (JSON), 2 slots (zset), 3 tables (zset), 4 conf (hash),
--   5 busy, 6 booked counts, 7 pairs
-- ARGV: 1 setup JSON, 2 cap, 3 force 0/1, 4 now (unix ms), 5 meetings' key
--   prefix, 6 the number of slots n, 7..6+n slot starts, then table ids
-- Returns {'ok', cancelled ids...} or {'conflict', n}.
local n = tonumber(ARGV[6])
local slots, tables = {}, {}
for i = 7, 6 + n do slots[ARGV[i]] = true end
for i = 7 + n, #ARGV do tables[ARGV[i]] = true end
local hit, ids = {}, {}
local busy = redis.call('HGETALL', KEYS[5])
for i = 1, #busy, 2 do
  local kind, what, slot = string.match(busy[i], '^(%a):(%d+):(%d+)$')
  if kind and (not slots[slot] or (kind == 't' and not tables[what])) and not hit[busy[i + 1]] then
    hit[busy[i + 1]] = true
    ids[#ids + 1] = busy[i + 1]
  end
end
if #ids > 0 and ARGV[3] ~= '1' then return {'conflict', tostring(#ids)} end
for _, id in ipairs(ids) do
  local key = ARGV[5] .. id
  local m = redis.call('HMGET', key, 'from', 'to', 'slot', 'table')
  redis.call('HDEL', KEYS[5], 'u:' .. m[1] .. ':' .. m[3], 'u:' .. m[2] .. ':' .. m[3])
  if m[4] ~= '0' then redis.call('HDEL', KEYS[5], 't:' .. m[4] .. ':' .. m[3]) end
  redis.call('HINCRBY', KEYS[6], m[1], -1)
  redis.call('HINCRBY', KEYS[6], m[2], -1)
  local a, b = m[1], m[2]
  if tonumber(a) > tonumber(b) then a, b = b, a end
  redis.call('HDEL', KEYS[7], a .. ':' .. b)
  redis.call('HSET', key, 'status', 'cancelled', 'decided', ARGV[4], 'awaiting', '0')
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2], KEYS[3])
for i = 7, 6 + n do redis.call('ZADD', KEYS[2], tonumber(ARGV[i]), ARGV[i]) end
local order = 0
for i = 7 + n, #ARGV do
  order = order + 1
  redis.call('ZADD', KEYS[3], order, ARGV[i])
end
redis.call('HSET', KEYS[4], 'cap', ARGV[2])
local out = {'ok'}
for _, id in ipairs(ids) do out[#out + 1] = id end
return out
