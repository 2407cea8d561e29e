-- Saves a workshop's survey unless it has answers.
-- KEYS: survey, svdone
-- ARGV: the survey's JSON without its version, as a template: the script
-- gives it the next version (the stored one's plus one) at "__VERSION__".
-- Returns the version saved, or -1 when someone answered already.
if redis.call('SCARD', KEYS[2]) > 0 then
  return -1
end
local v = 1
local old = redis.call('GET', KEYS[1])
if old then
  local n = string.match(old, '"version":(%d+)')
  if n then v = tonumber(n) + 1 end
end
redis.call('SET', KEYS[1], (string.gsub(ARGV[1], '"version":0', '"version":' .. v, 1)))
return v
