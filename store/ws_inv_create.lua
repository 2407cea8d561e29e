-- Creates a workshop's invitation (CreateWorkshopInvite).
-- KEYS: meta, winvs, winv:<token>
-- ARGV: token, created (unix ms), org ('' personal), quota, by, most invitations
-- Returns 'notfound' (no workshop), 'full' (the workshop has the most) or 'ok'.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 'notfound'
end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[6]) then
  return 'full'
end
redis.call('HSET', KEYS[3], 'org', ARGV[3], 'quota', ARGV[4], 'by', ARGV[5], 'created', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 'ok'
