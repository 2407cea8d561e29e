-- Shared by the invitation scripts (ws_inv_*.lua). An invitation's seats in
-- use are the people of its :winvuse zset whose registration stands (they
-- are in the workshop's :regs); the others cancelled, were declined or
-- forgotten, and are dropped here, so their seat comes back to the link.
-- inv_live(use, regs, uid) returns how many seats are in use and whether
-- uid holds one of them.
local function inv_live(use, regs, uid)
  local n, mine = 0, false
  local who = redis.call('ZRANGE', use, 0, -1)
  for i = 1, #who do
    if redis.call('HEXISTS', regs, who[i]) == 1 then
      n = n + 1
      if who[i] == uid then
        mine = true
      end
    else
      redis.call('ZREM', use, who[i])
    end
  end
  return n, mine
end
