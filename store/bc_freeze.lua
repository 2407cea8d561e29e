-- Appends a page of recipients to a scheduled broadcast's frozen list,
-- once: only if the list was frozen up to the caller's cursor (no other
-- replica, and no run before a crash, appended after it). The page's
-- members are all above the cursor, in ascending id; its last becomes the
-- cursor. So a page is never appended twice and none is skipped: a caller
-- that finds the cursor moved goes on from the new one.
-- KEYS: state, todo. ARGV: the caller's cursor ("" : nothing frozen yet),
-- the page's last member id, then the "uid:msg" items.
-- Returns {"frozen", cursor}, {"moved", cursor} or {status} when the
-- broadcast is no longer scheduled (started, cancelled, missing).
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'scheduled' then
  return {status or 'missing'}
end
local cur = redis.call('HGET', KEYS[1], 'frozen_after') or ''
if cur ~= ARGV[1] then
  return {'moved', cur}
end
for i = 3, #ARGV, 5000 do
  redis.call('RPUSH', KEYS[2], unpack(ARGV, i, math.min(i + 4999, #ARGV)))
end
redis.call('HSET', KEYS[1], 'frozen_after', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'frozen', #ARGV - 2)
return {'frozen', ARGV[2]}
