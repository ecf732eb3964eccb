-- wrk: Kannel's sendsms interface, a GET per message, recipients cycling over 10,000 Safaricom numbers.
-- Counts answers by HTTP status in done() (Kannel answers 202 "0: Accepted for delivery" when it takes a message).
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  accepted = 0
  refused = 0
end

function request()
  counter = counter + 1
  local to = string.format("2547%08d", 2739000 + (id * 7919 + counter) % 10000)
  return wrk.format("GET", "/cgi-bin/sendsms?username=bench&password=bench&from=MYSENDER&to=" .. to ..
    "&text=Your+order+4471+is+on+its+way.+Reply+STOP+to+opt+out.")
end

function response(status, headers, body)
  if status == 202 or status == 200 then accepted = accepted + 1 else refused = refused + 1 end
end

function done(summary, latency, requests)
  local accepted, refused = 0, 0
  for _, thread in ipairs(threads) do
    accepted = accepted + thread:get("accepted")
    refused = refused + thread:get("refused")
  end
  io.write(string.format('WRK_JSON {"requests":%d,"duration_s":%.3f,"accepted":%d,"refused":%d,"socket_errors":%d,"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f}\n',
    summary.requests, summary.duration / 1e6, accepted, refused,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
