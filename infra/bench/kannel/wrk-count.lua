-- Shared by sendsms-get.lua and sendsms-post.lua: per-thread counters of accepted and refused answers, summed in
-- done() and printed as one JSON line (WRK_JSON ...) that kannel-bench.sh reads. A script that loads this defines
-- request() and a function accepted(status, body).
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  accepted_count = 0
  refused_count = 0
end

function response(status, headers, body)
  if accepted(status, body) then accepted_count = accepted_count + 1 else refused_count = refused_count + 1 end
end

function done(summary, latency, requests)
  local accepted_total, refused_total = 0, 0
  for _, thread in ipairs(threads) do
    accepted_total = accepted_total + thread:get("accepted_count")
    refused_total = refused_total + thread:get("refused_count")
  end
  io.write(string.format('WRK_JSON {"requests":%d,"duration_s":%.3f,"accepted":%d,"refused":%d,"socket_errors":%d,"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f}\n',
    summary.requests, summary.duration / 1e6, accepted_total, refused_total,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
