-- Stops wrk's (single) thread once N responses arrived: `wrk -t1 ... -s stop-after.lua URL -- N`.
-- wrk's main thread still sleeps for the whole -d, so the marker line tells the harness to SIGINT it
-- (wrk then prints its summary at once).
local limit = 0
local seen = 0

function init(args)
  limit = tonumber(args[1]) or 0
end

function response(status, headers, body)
  seen = seen + 1
  if limit > 0 and seen == limit then
    io.stdout:write("STOP-AFTER-REACHED\n")
    io.stdout:flush()
    wrk.thread:stop()
  end
end
