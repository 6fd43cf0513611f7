-- POST a JSON body to PATH. In the body, "{n}" becomes a counter (every request
-- has a title of its own), "{p}" a project id (1..100) and "{u}" a user id
-- (1..1000) that change with it, so that writers spread over the seeded rows.
-- Arguments: KEY PATH BODY
dofile("common.lua")

local path, body
local n = 0
local headers = {["Content-Type"] = "application/json"}

function init(args)
   authorize(args, headers)
   path, body = args[1], args[2]
end

function request()
   n = n + 1
   local text = body:gsub("{n}", tostring(n))
   text = text:gsub("{p}", tostring(1 + n % 100)):gsub("{u}", tostring(1 + (n * 7) % 1000))
   return wrk.format("POST", path, headers, text)
end
