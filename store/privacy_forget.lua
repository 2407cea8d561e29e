-- Takes a forgotten user out of one workshop. Needs ws_promote.lua before it.
-- While the workshop is ahead (ARGV[3] = '1') and they were not checked in,
-- their place goes exactly as on a cancellation: a confirmed or offered
-- seat passes to the head of the waiting list as promote decides, a
-- waiting place is gone. Otherwise (the workshop began, or they attended)
-- they are replaced by an anonymous member (an offer or a pending
-- registration is simply gone), so
-- the confirmed, waiting and check-in counts stay right while nobody is
-- named.
-- KEYS: confirmed, waiting, regs, checkin, feedback, meta, seq, offers, pending
-- ARGV: uid, anonymous member, ahead (1/0), now (unix ms)
-- Returns {check-in token of the removed registration ('' if none), promoted uid ('' if none)}.
local uid, anon = ARGV[1], ARGV[2]
local free = ARGV[3] == '1' and redis.call('HEXISTS', KEYS[4], uid) == 0
local member = false
local promoted = {}
if free then
  if redis.call('ZREM', KEYS[1], uid) == 1 or redis.call('ZREM', KEYS[8], uid) == 1 then
    promoted = promote(KEYS[6], KEYS[1], KEYS[2], KEYS[7], KEYS[8], tonumber(ARGV[4]), 1)
  end
  redis.call('ZREM', KEYS[2], uid)
  redis.call('ZREM', KEYS[9], uid)
else
  redis.call('ZREM', KEYS[8], uid)
  redis.call('ZREM', KEYS[9], uid)
  for i = 1, 2 do
    local sc = redis.call('ZSCORE', KEYS[i], uid)
    if sc then
      redis.call('ZREM', KEYS[i], uid)
      redis.call('ZADD', KEYS[i], sc, anon)
      member = true
    end
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
return {token, promoted[1] or ''}
