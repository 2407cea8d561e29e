-- The team (or a check-in) marks uid present at a session of the agenda,
-- or not.
-- KEYS: agenda, confirmed, on:confirmed, satt
-- ARGV: session id, uid, present (1 | 0), now (unix ms)
-- satt holds uid -> JSON {session id: unix ms}: the sessions uid was marked
-- present at, the first time kept; a person with none has no field.
-- Returns -1 when there is no such session, -2 when uid holds no
-- confirmed registration (on-site or online), else 1 when the mark
-- changed, 0 when it was so already.
local sid, uid = ARGV[1], ARGV[2]
if redis.call('HEXISTS', KEYS[1], sid) == 0 then
  return -1
end
if not redis.call('ZSCORE', KEYS[2], uid) and not redis.call('ZSCORE', KEYS[3], uid) then
  return -2
end
local marks = {}
local raw = redis.call('HGET', KEYS[4], uid)
if raw then
  marks = cjson.decode(raw)
end
if ARGV[3] == '1' then
  if marks[sid] then
    return 0
  end
  marks[sid] = tonumber(ARGV[4])
else
  if not marks[sid] then
    return 0
  end
  marks[sid] = nil
end
if next(marks) == nil then
  redis.call('HDEL', KEYS[4], uid)
else
  redis.call('HSET', KEYS[4], uid, cjson.encode(marks))
end
return 1
