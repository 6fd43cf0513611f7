-- POST {"items": [...]} of COUNT tasks to PATH. Arguments: KEY PATH COUNT
dofile("common.lua")

local path, body
local headers = {["Content-Type"] = "application/json"}

function init(args)
   authorize(args, headers)
   path = args[1]
   local items = {}
   for i = 1, tonumber(args[2]) do
      items[i] = string.format(
         '{"title":"Bulk task %d","priority":"low","due_date":"2030-01-%02d",'
         .. '"tags":["tag-%02d","bulk"],"project_id":%d,"assignee_id":%d}',
         i, 1 + i % 28, i % 50, 1 + i % 100, 1 + i % 1000)
   end
   body = '{"items":[' .. table.concat(items, ",") .. ']}'
end

function request()
   return wrk.format("POST", path, headers, body)
end
