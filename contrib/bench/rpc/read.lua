-- read.lua: wrk script for the read workloads of run.sh (eth_blockNumber, eth_getBalance,
-- eth_call). One fixed JSON-RPC body, read from the file named by the first script argument,
-- POSTed over keep-alive connections. Every answer is checked: an HTTP status other than 200
-- or a body without a "result" member counts as a failed request, so a node that answers
-- fast with errors cannot look fast. done() prints one "BENCH ..." line that run.sh parses.

local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    local f = assert(io.open(args[1], "rb"), "cannot open " .. tostring(args[1]))
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    wrk.body = f:read("*a")
    f:close()
    failed = 0
    first_failure = ""
end

function response(status, headers, body)
    if status ~= 200 or not body:find('"result"', 1, true) then
        if failed == 0 then first_failure = status .. " " .. body:sub(1, 200) end
        failed = failed + 1
    end
end

function done(summary, latency, requests)
    local failures, first = 0, ""
    for _, t in ipairs(threads) do
        failures = failures + t:get("failed")
        if first == "" then first = t:get("first_failure") end
    end
    local e = summary.errors
    io.write(string.format("BENCH requests=%d seconds=%.3f failed=%d socket_errors=%d p50_ms=%.3f p99_ms=%.3f first_failure=%s\n",
        summary.requests, summary.duration / 1e6, failures + e.status,
        e.connect + e.read + e.write + e.timeout,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, (first:gsub("%s", "_"))))
end
