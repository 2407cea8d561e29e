-- The team corrects a confirmed registrant's attendance.
-- KEYS: confirmed, checkin, excused, confirmed online (a hybrid workshop's)
-- ARGV: uid, status (present | absent | no_show), now (unix ms)
-- present: checked in at now unless already (the first time is kept), not
-- excused; absent: not checked in, excused; no_show: neither.
-- Returns -1 when uid is not confirmed, else 1.
local uid = ARGV[1]
if not redis.call('ZSCORE', KEYS[1], uid) and not redis.call('ZSCORE', KEYS[4], uid) then
  return -1
end
if ARGV[2] == 'present' then
  redis.call('HSETNX', KEYS[2], uid, ARGV[3])
  redis.call('HDEL', KEYS[3], uid)
elseif ARGV[2] == 'absent' then
  redis.call('HDEL', KEYS[2], uid)
  redis.call('HSET', KEYS[3], uid, ARGV[3])
else
  redis.call('HDEL', KEYS[2], uid)
  redis.call('HDEL', KEYS[3], uid)
end
return 1
