-- Hands a team over: to becomes the owner if from owns it still and to is
-- a member. The old owner stays a member.
-- KEYS: team (zset), meta (hash: owner)
-- ARGV: from, to
-- Returns 'ok', 'notowner' or 'notmember'.
if redis.call('HGET', KEYS[2], 'owner') ~= ARGV[1] then
  return 'notowner'
end
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  return 'notmember'
end
redis.call('HSET', KEYS[2], 'owner', ARGV[2])
return 'ok'
