-- GET a fixed path, or PREFIX..id with id drawn uniformly from [LO, HI].
-- Arguments: KEY PATH_OR_PREFIX [LO HI]
dofile("common.lua")

local prefix, lo, hi
local headers = {}

function init(args)
   authorize(args, headers)
   prefix = args[1]
   lo, hi = tonumber(args[2]), tonumber(args[3])
   math.randomseed(os.time())
end

function request()
   if lo == nil then
      return wrk.format("GET", prefix, headers)
   end
   return wrk.format("GET", prefix .. math.random(lo, hi), headers)
end
