-- Shared by ws_update.lua and ws_cancel.lua (prepended to them in Go).
--
-- promote moves people from the head of the waiting list to the confirmed
-- set while seats are free (cap <= 0: unlimited), at most limit of them
-- (limit < 0: no limit). Each promoted uid gets a fresh registration number
-- from the workshop's counter, so the confirmed stay in order. It returns the
-- promoted uids in waiting-list order.
local function promote(confirmed, waiting, seq, cap, limit)
  local n = redis.call('ZCARD', waiting)
  if cap > 0 then
    n = math.min(n, cap - redis.call('ZCARD', confirmed))
  end
  if limit >= 0 then
    n = math.min(n, limit)
  end
  local out = {}
  if n <= 0 then
    return out
  end
  local top = redis.call('ZPOPMIN', waiting, n)
  for i = 1, #top, 2 do
    redis.call('ZADD', confirmed, redis.call('INCR', seq), top[i])
    out[#out + 1] = top[i]
  end
  return out
end
