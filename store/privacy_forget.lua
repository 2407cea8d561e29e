-- Replaces a forgotten user in one workshop by an anonymous member, so the
-- confirmed, waiting and check-in counts stay right while nobody is named.
-- KEYS: confirmed, waiting, regs, checkin, feedback
-- ARGV: uid, anonymous member
-- Returns the check-in token of the removed registration ('' if none).
local uid, anon = ARGV[1], ARGV[2]
local member = false
for i = 1, 2 do
  local sc = redis.call('ZSCORE', KEYS[i], uid)
  if sc then
    redis.call('ZREM', KEYS[i], uid)
    redis.call('ZADD', KEYS[i], sc, anon)
    member = true
  end
end
local token = ''
local reg = redis.call('HGET', KEYS[3], uid)
if reg then
  redis.call('HDEL', KEYS[3], uid)
  local ok, r = pcall(cjson.decode, reg)
  local ws = ''
  if ok and type(r) == 'table' then
    if type(r.token) == 'string' then token = r.token end
    if type(r.ws) == 'string' then ws = r.ws end
  end
  if member then
    redis.call('HSET', KEYS[3], anon, cjson.encode({ws = ws, user = 0}))
  end
end
local at = redis.call('HGET', KEYS[4], uid)
if at then
  redis.call('HDEL', KEYS[4], uid)
  if member then
    redis.call('HSET', KEYS[4], anon, at)
  end
end
local fb = redis.call('HGET', KEYS[5], uid)
if fb then
  redis.call('HDEL', KEYS[5], uid)
  local ok, f = pcall(cjson.decode, fb)
  if ok and type(f) == 'table' and tonumber(f.rating) then
    -- The rating counts; the comment is free text that could name them.
    redis.call('HSET', KEYS[5], anon, cjson.encode({user = 0, rating = tonumber(f.rating), at = f.at}))
  end
end
return token
