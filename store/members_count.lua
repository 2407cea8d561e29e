-- Counts the members of users:all in each sector and province set
-- (CountMembers), in one step. The sector sets partition the profiles:
-- SINTERCARD of each with users:all gives the sectors' counts, and their
-- sizes tell whether any profile's member is outside users:all. When none
-- is (the usual case: a profile is saved only for a member who consented),
-- each province set's count is its size; else SINTERCARD too.
-- KEYS: users:all, the sector sets (ARGV[1] of them), the province sets.
-- Returns the counts in the order of the sets.
local nsec = tonumber(ARGV[1])
local out, outside = {}, 0
for j = 1, nsec do
  local k = KEYS[1 + j]
  out[j] = redis.call('SINTERCARD', 2, k, KEYS[1])
  outside = outside + redis.call('SCARD', k) - out[j]
end
for j = nsec + 2, #KEYS do
  if outside == 0 then
    out[j - 1] = redis.call('SCARD', KEYS[j])
  else
    out[j - 1] = redis.call('SINTERCARD', 2, KEYS[j], KEYS[1])
  end
end
return out
