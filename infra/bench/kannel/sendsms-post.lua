-- wrk: Taifa's REST sendsms (v2), a JSON POST per message with the same text and recipients as the Kannel run.
-- Every answer is HTTP 200; a message was accepted (and charged) when the body's status_code is "1000".
-- Environment: TAIFA_API_KEY.
local counter = 0
local threads = {}
local api_key = os.getenv("TAIFA_API_KEY")

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
  local mobile = string.format("07%08d", 2739000 + (id * 7919 + counter) % 10000)
  return wrk.format("POST", "/v2/sms/sendsms", { ["h_api_key"] = api_key, ["Content-Type"] = "application/json" },
    '{"mobile":"' .. mobile .. '","sender_name":"MYSENDER","message":"Your order 4471 is on its way. Reply STOP to opt out."}')
end

function response(status, headers, body)
  if status == 200 and string.find(body, '"status_code":"1000"', 1, true) then accepted = accepted + 1 else refused = refused + 1 end
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
