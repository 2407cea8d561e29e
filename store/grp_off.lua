-- Deactivate every active link of a chat: KEYS[1] {grp}:links, KEYS[2]
-- {grp}:off; ARGV[1] the chat's field prefix "<chat>:". Returns the
-- changed links as a flat list field, json, field, json, ...
local out = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local f = all[i]
  if string.sub(f, 1, #ARGV[1]) == ARGV[1] and redis.call('SADD', KEYS[2], f) == 1 then
    out[#out + 1] = f
    out[#out + 1] = all[i + 1]
  end
end
return out
