-- Shared by every scenario (loaded with dofile; wrk runs with bench/wrk as its
-- working directory). At the end of a run, wrk's own counters go to stdout as
-- one JSON line that bench/loadgen.py reads. Latencies are in microseconds;
-- `status` counts answers with a status of 400 or more.
function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,'
      .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d,'
      .. '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.mean, latency.max,
      e.connect, e.read, e.write, e.status, e.timeout))
end
