-- wrk: Taifa's REST sendsms (v2), a JSON POST per message with the same text and recipients as the Kannel run.
-- Every answer is HTTP 200; a message was accepted (and charged) when the body's status_code is "1000".
-- Environment: TAIFA_API_KEY.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk-count.lua")
local counter = 0
local api_key = os.getenv("TAIFA_API_KEY")

function request()
  counter = counter + 1
  local mobile = string.format("07%08d", 2739000 + (id * 7919 + counter) % 10000)
  return wrk.format("POST", "/v2/sms/sendsms", { ["h_api_key"] = api_key, ["Content-Type"] = "application/json" },
    '{"mobile":"' .. mobile .. '","sender_name":"MYSENDER","message":"Your order 4471 is on its way. Reply STOP to opt out."}')
end

function accepted(status, body)
  return status == 200 and string.find(body, '"status_code":"1000"', 1, true) ~= nil
end
