-- Records the outcome of one recipient (sent, blocked, failed, uncertain)
-- and ends its claim. An outcome is counted once; a real outcome replaces
-- an "uncertain" that a takeover recorded while the send was still going.
-- KEYS: state, claims, owner, sending, done
-- ARGV: item, uid (a linked chat's "chat/topic"), outcome
-- Returns 1 when counted, 0 when the recipient already had an outcome.
local prev = redis.call('HGET', KEYS[5], ARGV[2])
if not prev and not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  -- The claim was withdrawn while the send was under way (the recipient
  -- asked to be forgotten): count it without naming them.
  redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
  redis.call('HDEL', KEYS[3], ARGV[1])
  redis.call('HDEL', KEYS[4], ARGV[1])
  return 1
end
local counted = 0
if not prev then
  redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
  counted = 1
elseif (prev == 'uncertain' or prev == 'chat_uncertain') and ARGV[3] ~= prev then
  redis.call('HINCRBY', KEYS[1], prev, -1)
  redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
  counted = 1
end
if counted == 1 then
  redis.call('HSET', KEYS[5], ARGV[2], ARGV[3])
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
return counted
