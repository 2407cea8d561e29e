-- Shared by the workshop scripts that free or add seats (prepended in Go).
--
-- promote moves people from the head of the waiting list into free seats
-- (capacity from meta, <= 0: unlimited), at most limit of them (limit < 0:
-- no limit), and returns their uids in list order. Seats held by offers
-- count as taken. Nobody moves while the workshop is cancelled, nor from
-- its start on. now is unix ms, or nil when the caller does not know the
-- time (ws_update.lua): then there is no start check and a workshop that
-- offers moves nobody (OfferSeats does, with the time).
--
-- A workshop that offers (meta offer = '1') holds each seat for the person
-- in :offers until now + validity, but never past CUTOFF before the start;
-- within CUTOFF of the start it confirms at once, as automatic promotion
-- does. Each confirmed uid gets a fresh registration number from the
-- workshop's counter, so the confirmed stay in order.
local CUTOFF = 7200000
local function promote(meta, confirmed, waiting, seq, offers, now, limit)
  local m = redis.call('HMGET', meta, 'capacity', 'cancelled', 'start', 'offer', 'validity')
  local out = {}
  if m[2] == '1' then
    return out
  end
  local start = tonumber(m[3])
  local offer = m[4] == '1'
  if now then
    if start and now >= start then
      return out
    end
    if offer and start and now >= start - CUTOFF then
      offer = false
    end
  elseif offer then
    return out
  end
  local cap = tonumber(m[1]) or 0
  local n = redis.call('ZCARD', waiting)
  if cap > 0 then
    n = math.min(n, cap - redis.call('ZCARD', confirmed) - redis.call('ZCARD', offers))
  end
  if limit >= 0 then
    n = math.min(n, limit)
  end
  if n <= 0 then
    return out
  end
  local exp = 0
  if offer then
    exp = now + (tonumber(m[5]) or 86400000)
    if start and exp > start - CUTOFF then
      exp = start - CUTOFF
    end
  end
  local top = redis.call('ZPOPMIN', waiting, n)
  for i = 1, #top, 2 do
    if offer then
      redis.call('ZADD', offers, exp, top[i])
    else
      redis.call('ZADD', confirmed, redis.call('INCR', seq), top[i])
    end
    out[#out + 1] = top[i]
  end
  return out
end
