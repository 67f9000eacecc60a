-- wrk script for the token server: `wrk -s token.lua URL -- ROUTE` with ROUTE one of
-- ping, rtc, rtm, getToken. Requests are built once in init() (distinct channels and uids,
-- cycled) so that wrk spends its core sending, not formatting. done() prints one line
-- (it runs in wrk's main Lua state, which never saw the route argument):
--   RESULT <requests/s> <p50 ms> <p99 ms> <requests> <non-2xx> <socket errors>

local route = "ping"
local requests = {}
local next = 1
local DISTINCT = 4096

function init(args)
  route = args[1] or "ping"
  for i = 1, DISTINCT do
    local uid = 100000 + i
    if route == "ping" then
      requests[i] = wrk.format("GET", "/ping")
    elseif route == "rtc" then
      requests[i] = wrk.format("GET", "/rtc/stage-" .. (i % 512) .. "/publisher/uid/" .. uid)
    elseif route == "rtm" then
      requests[i] = wrk.format("GET", "/rtm/user-" .. uid)
    elseif route == "getToken" then
      local body = '{"tokenType":"rtc","channel":"stage-' .. (i % 512) ..
          '","role":"publisher","uid":' .. uid .. ',"expire":3600}'
      requests[i] = wrk.format("POST", "/getToken", {["Content-Type"] = "application/json"}, body)
    else
      error("unknown route " .. route .. " (ping, rtc, rtm, getToken)")
    end
  end
end

function request()
  local r = requests[next]
  next = next % DISTINCT + 1
  return r
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("RESULT %.0f %.3f %.3f %d %d %d\n", summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests, e.status,
      e.connect + e.read + e.write + e.timeout))
end
