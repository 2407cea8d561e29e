-- Issues (or issues again) uid's certificate of attendance of a workshop.
-- KEYS: checkin, cert (the certificate's hash), certseq
-- ARGV: uid, name, org, code (a new verification code), now (unix ms), number prefix
-- Only someone checked in gets one. The first issue takes the next number
-- of the workshop (<prefix>-0001 …), the code and the time; issued again,
-- only the name and organisation change.
-- Returns -1 when uid is not checked in, else the hash as a flat list.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
  return -1
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  local n = redis.call('INCR', KEYS[3])
  redis.call('HSET', KEYS[2], 'user', ARGV[1], 'code', ARGV[4], 'issued', ARGV[5],
    'number', ARGV[6] .. '-' .. string.format('%04d', n))
end
redis.call('HSET', KEYS[2], 'name', ARGV[2], 'org', ARGV[3])
return redis.call('HGETALL', KEYS[2])
