-- Writes fields of a user record and keeps the index of receivers exact in
-- the same step: the member is in the sorted set of their language (of the
-- others for a language not listed) while their record has a consent, no
-- inactive flag and no no_updates flag, and in none otherwise (score and
-- member: the uid).
-- KEYS: the user hash, then one receivers zset per language of ARGV, then
--       the zset of other languages.
-- ARGV: mode ("set": write; "existing": write only if the record exists;
--       "replace": the fields are the whole record), uid, the number of
--       languages, the languages, the number of fields to delete, those
--       fields, then field/value pairs to set.
-- Returns 0 when mode is "existing" and there is no record, else 1.
local mode, uid = ARGV[1], ARGV[2]
if mode == 'existing' and redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
if mode == 'replace' then
  redis.call('DEL', KEYS[1])
end
local nlang = tonumber(ARGV[3])
local i = 4 + nlang
local ndel = tonumber(ARGV[i])
if ndel > 0 then
  redis.call('HDEL', KEYS[1], unpack(ARGV, i + 1, i + ndel))
end
i = i + ndel + 1
if i <= #ARGV then
  redis.call('HSET', KEYS[1], unpack(ARGV, i, #ARGV))
end
local f = redis.call('HMGET', KEYS[1], 'consent', 'inactive', 'no_updates', 'lang')
local into = nil
if f[1] and f[1] ~= '' and f[2] ~= '1' and f[3] ~= '1' then
  into = #KEYS
  for l = 1, nlang do
    if ARGV[3 + l] == f[4] then
      into = 1 + l
    end
  end
end
for k = 2, #KEYS do
  if k == into then
    redis.call('ZADD', KEYS[k], uid, uid)
  else
    redis.call('ZREM', KEYS[k], uid)
  end
end
return 1
