-- Records one participant's survey answers, once.
-- KEYS: svdone (who answered), svans (the answers)
-- ARGV: uid, the answer's JSON (naming uid only if they agreed)
-- Returns 0 when uid answered before (nothing is written), 1 otherwise.
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('RPUSH', KEYS[2], ARGV[2])
return 1
