-- PATCH tasks LO..HI in turn with If-Match, each with the version its last
-- answer gave (seeded tasks start at version 1). Every request changes the
-- title, so each one is a real change (version + 1). With far more ids than
-- connections, a task is never patched twice at once: a 412 would be counted
-- as an error. Arguments: KEY PREFIX LO HI
dofile("common.lua")

local prefix
local authorization = {}
local ids, versions = {}, {}
local turn, n = 0, 0

function init(args)
   authorize(args, authorization)
   prefix = args[1]
   for id = tonumber(args[2]), tonumber(args[3]) do
      ids[#ids + 1] = id
      versions[id] = 1
   end
end

function request()
   turn = turn % #ids + 1
   n = n + 1
   local id = ids[turn]
   local headers = {
      ["Content-Type"] = "application/json",
      ["If-Match"] = '"' .. versions[id] .. '"',
      ["Authorization"] = authorization["Authorization"],
   }
   return wrk.format("PATCH", prefix .. id, headers, '{"title":"Patched ' .. n .. '"}')
end

function response(status, headers, body)
   note(status, headers)
   if status == 200 then
      local id = tonumber(body:match('"id":(%d+)'))
      local version = tonumber(body:match('"version":(%d+)'))
      if id ~= nil and version ~= nil then
         versions[id] = version
      end
   end
end
