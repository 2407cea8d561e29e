-- Move every link of a chat to the supergroup it became: KEYS[1]
-- {grp}:links, KEYS[2] {grp}:off; ARGV[1] the old chat's field prefix
-- "<from>:", ARGV[2] the new chat id, ARGV[3] the old chat id. A link
-- already at the new chat's field stays (the old one is dropped). Each link
-- at the new chat records the chat it came from ("was", appended to its
-- JSON as text: a Telegram id may exceed what Lua's numbers print exactly)
-- so the old chat's live cards can follow it. Returns the moved links as a
-- flat list new field, json, inactive (0/1), ...
local function was(json)
  if string.find(json, '"was":', 1, true) then
    return json
  end
  return string.sub(json, 1, -2) .. ',"was":' .. ARGV[3] .. '}'
end
local out = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local f = all[i]
  if string.sub(f, 1, #ARGV[1]) == ARGV[1] then
    local nf = ARGV[2] .. ':' .. string.sub(f, #ARGV[1] + 1)
    local off = redis.call('SREM', KEYS[2], f)
    redis.call('HDEL', KEYS[1], f)
    local cur = redis.call('HGET', KEYS[1], nf)
    if cur then
      redis.call('HSET', KEYS[1], nf, was(cur))
    else
      local moved = was(all[i + 1])
      redis.call('HSET', KEYS[1], nf, moved)
      if off == 1 then
        redis.call('SADD', KEYS[2], nf)
      end
      out[#out + 1] = nf
      out[#out + 1] = moved
      out[#out + 1] = off
    end
  end
end
return out
