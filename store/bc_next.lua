-- Claims the next recipient of a running broadcast.
-- KEYS: state, todo, inflight. Returns "uid:msg", or nil when none is left
-- or the broadcast is not running (cancelled).
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then
  return false
end
return redis.call('LMOVE', KEYS[2], KEYS[3], 'LEFT', 'RIGHT')
