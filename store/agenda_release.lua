-- uid leaves every session (after agenda_lib.lua): their registration
-- ended, or they are forgotten.
-- ARGV[rest]: uid
-- Returns {'ok', ids held…} or {'retry'}.
if not complete() then return {'retry'} end
local ids = drop(ARGV[rest])
return {'ok', unpack(ids)}
