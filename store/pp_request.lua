-- Request an introduction, atomically with the checks that guard it.
-- KEYS: 1 pair hash, 2 intro hash, 3 sender's sent zset, 4 addressee's
--       received zset, 5 sender's pending set
-- ARGV: 1 id, 2 from, 3 to, 4 from_org, 5 to_org, 6 note, 7 now (unix ms),
--       8 cooldown (ms), 9 max pending
-- Returns "ok", or the refusal: "pending", "connected", "cooldown", "cap", "dup".
local st = redis.call('HMGET', KEYS[1], 'status', 'at')
if st[1] == 'pending' then return 'pending' end
if st[1] == 'accepted' then return 'connected' end
if st[1] == 'declined' and tonumber(ARGV[7]) < tonumber(st[2]) + tonumber(ARGV[8]) then
  return 'cooldown'
end
if redis.call('SCARD', KEYS[5]) >= tonumber(ARGV[9]) then return 'cap' end
if redis.call('EXISTS', KEYS[2]) == 1 then return 'dup' end
redis.call('HSET', KEYS[2], 'id', ARGV[1], 'from', ARGV[2], 'to', ARGV[3], 'from_org', ARGV[4],
  'to_org', ARGV[5], 'note', ARGV[6], 'status', 'pending', 'created', ARGV[7], 'decided', '0')
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'status', 'pending', 'at', ARGV[7])
redis.call('ZADD', KEYS[3], ARGV[7], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[7], ARGV[1])
redis.call('SADD', KEYS[5], ARGV[1])
return 'ok'
