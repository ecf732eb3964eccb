-- wrk: Kannel's sendsms interface, a GET per message, recipients cycling over 10,000 Safaricom numbers.
-- Kannel answers 202 "0: Accepted for delivery" when it takes a message.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk-count.lua")
local counter = 0

function request()
  counter = counter + 1
  local to = string.format("2547%08d", 2739000 + (id * 7919 + counter) % 10000)
  return wrk.format("GET", "/cgi-bin/sendsms?username=bench&password=bench&from=MYSENDER&to=" .. to ..
    "&text=Your+order+4471+is+on+its+way.+Reply+STOP+to+opt+out.")
end

function accepted(status, body)
  return status == 202 or status == 200
end
