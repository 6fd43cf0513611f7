-- Shared by every scenario (loaded with dofile; wrk runs with bench/wrk as its
-- working directory). At the end of a run, wrk's own counters go to stdout as
-- one JSON line that bench/loadgen.py reads. Latencies are in microseconds;
-- `status` counts answers with a status of 400 or more, `shed` those of them
-- that are 503s with Retry-After: load the service turned away on purpose,
-- `refused` those that are 401s or 403s (the key was not accepted; they are
-- errors too, and must be zero).
--
-- Every script's first argument is the API key, sent as `Authorization: Bearer
-- KEY` on every request ("" sends no such header); `authorize` takes it off the
-- arguments, so that each script reads its own from args[1] on.
shed = 0
refused = 0
local threads = {}

function authorize(args, headers)
   local key = table.remove(args, 1)
   if key ~= nil and key ~= "" then
      headers["Authorization"] = "Bearer " .. key
   end
   return headers
end

function setup(thread)
   threads[#threads + 1] = thread
end

function note(status, headers)
   if status == 503 and (headers["retry-after"] or headers["Retry-After"]) then
      shed = shed + 1
   elseif status == 401 or status == 403 then
      refused = refused + 1
   end
end

function response(status, headers, body)
   note(status, headers)
end

function done(summary, latency, requests)
   local e = summary.errors
   local turned_away, not_allowed = 0, 0
   for _, thread in ipairs(threads) do
      turned_away = turned_away + (thread:get("shed") or 0)
      not_allowed = not_allowed + (thread:get("refused") or 0)
   end
   io.write(string.format(
      'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,'
      .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d,'
      .. '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"shed":%d,"refused":%d}\n',
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.mean, latency.max,
      e.connect, e.read, e.write, e.status, e.timeout, turned_away, not_allowed))
end
