-- Move every link of a chat to the supergroup it became: KEYS[1]
-- {grp}:links, KEYS[2] {grp}:off; ARGV[1] the old chat's field prefix
-- "<from>:", ARGV[2] the new chat id. A link already at the new chat's
-- field stays (the old one is dropped). Returns the moved links as a flat
-- list new field, json, inactive (0/1), ...
local out = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local f = all[i]
  if string.sub(f, 1, #ARGV[1]) == ARGV[1] then
    local nf = ARGV[2] .. ':' .. string.sub(f, #ARGV[1] + 1)
    local off = redis.call('SREM', KEYS[2], f)
    redis.call('HDEL', KEYS[1], f)
    if redis.call('HEXISTS', KEYS[1], nf) == 0 then
      redis.call('HSET', KEYS[1], nf, all[i + 1])
      if off == 1 then
        redis.call('SADD', KEYS[2], nf)
      end
      out[#out + 1] = nf
      out[#out + 1] = all[i + 1]
      out[#out + 1] = off
    end
  end
end
return out
