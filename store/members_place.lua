-- Places members in the sector and province indexes of segments from their
-- profiles as they are now (MigrateExactMembers): each member ends in the set
-- of their profile's sector and of its province and in no other (none when
-- there is no profile). Reading the profile here, in the step that writes
-- the sets, lets no concurrent SaveProfile be undone.
-- KEYS: the n profiles, then the sector sets (one per code of ARGV, then the
--       set of the others), then the province sets (likewise).
-- ARGV: n, the number of sector codes, those codes, the number of province
--       codes, those codes, then the n uids.
-- Returns n.
local n = tonumber(ARGV[1])
local nsec = tonumber(ARGV[2])
local nprov = tonumber(ARGV[3 + nsec])
local secCodes, provCodes = {}, {}
for j = 1, nsec do secCodes[ARGV[2 + j]] = j end
for j = 1, nprov do provCodes[ARGV[3 + nsec + j]] = j end
local uids = 4 + nsec + nprov
local secKeys, provKeys = n, n + nsec + 1

local function field(p, name)
  local v = p[name]
  if type(v) == 'string' then return v end
  return ''
end

-- place puts uid into the set at position want (1-based among count sets
-- from base + 1; 0: none) and takes it out of the others.
local function place(uid, base, count, want)
  for j = 1, count do
    if j == want then
      redis.call('SADD', KEYS[base + j], uid)
    else
      redis.call('SREM', KEYS[base + j], uid)
    end
  end
end

for i = 1, n do
  local uid = ARGV[uids + i - 1]
  local wantSec, wantProv = 0, 0
  local raw = redis.call('GET', KEYS[i])
  if raw then
    local ok, p = pcall(cjson.decode, raw)
    if ok and type(p) == 'table' then
      wantSec = secCodes[field(p, 'sector')] or (nsec + 1)
      wantProv = provCodes[field(p, 'province')] or (nprov + 1)
    end
  end
  place(uid, secKeys, nsec + 1, wantSec)
  place(uid, provKeys, nprov + 1, wantProv)
end
return n
