-- Decide a pending introduction: accept or decline (its addressee only), or
-- withdraw (its requester only).
-- KEYS: 1 intro hash, 2 pair hash, 3 requester's pending set
-- ARGV: 1 actor uid, 2 new status, 3 now (unix ms), 4 intro id
-- Returns "ok", "notfound", "forbidden" or "decided" (no longer pending).
local f = redis.call('HMGET', KEYS[1], 'status', 'from', 'to')
if not f[1] then return 'notfound' end
local party = f[3]
if ARGV[2] == 'withdrawn' then party = f[2] end
if party ~= ARGV[1] then return 'forbidden' end
if f[1] ~= 'pending' then return 'decided' end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'decided', ARGV[3])
if redis.call('HGET', KEYS[2], 'id') == ARGV[4] then
  redis.call('HSET', KEYS[2], 'status', ARGV[2], 'at', ARGV[3])
end
redis.call('SREM', KEYS[3], ARGV[4])
return 'ok'
