-- ch_delete.lua: deletes a chapter with its members by link and its
-- admin invitations.
-- KEYS[1] {ch}:chapter:<id>   KEYS[2] {ch}:all   KEYS[3] {ch}:joined:<id>
-- KEYS[4] {ch}:invites:<id>   KEYS[5..4+n] {ch}:of:<uid> of each member by link
-- KEYS[5+n..] {ch}:invite:<token> of each invitation
-- ARGV[1] id   ARGV[2] n (the members read before)   ARGV[3] invitations read before
-- Returns 1; 0 when there is no such chapter; -1 when someone joined or
-- was invited meanwhile (the caller reads again and repeats).
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = tonumber(ARGV[2])
if redis.call('SCARD', KEYS[3]) ~= n or redis.call('SCARD', KEYS[4]) ~= tonumber(ARGV[3]) then return -1 end
for i = 5, 4 + n do
  redis.call('SREM', KEYS[i], ARGV[1])
end
for i = 5 + n, #KEYS do
  redis.call('DEL', KEYS[i])
end
redis.call('DEL', KEYS[1], KEYS[3], KEYS[4])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
