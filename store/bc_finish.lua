-- Ends a broadcast once: a running one when nothing is left to send or
-- claimed (status done), a cancelled one as it is. Exactly one caller gets
-- "finished" and reports; the others get "busy" (claims still out: come
-- back later) or the status it already had.
-- KEYS: state, todo, claims
-- ARGV: now (unix ms)
local status = redis.call('HGET', KEYS[1], 'status')
if redis.call('HEXISTS', KEYS[1], 'finished') == 1 then
  return status or 'missing'
end
if status == 'running' then
  if redis.call('LLEN', KEYS[2]) > 0 or redis.call('ZCARD', KEYS[3]) > 0 then
    return 'busy'
  end
  redis.call('HSET', KEYS[1], 'status', 'done', 'finished', ARGV[1])
  return 'finished'
end
if status == 'cancelled' then
  redis.call('HSET', KEYS[1], 'finished', ARGV[1])
  return 'finished'
end
return status or 'missing'
