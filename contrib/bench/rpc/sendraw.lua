-- sendraw.lua: wrk script for the eth_sendRawTransaction workload of run.sh.
--
-- Each wrk thread drives exactly one connection (run.sh passes -t equal to -c) and replays
-- the pre-signed bodies of its own sender from <prefix><thread index>.txt (one JSON-RPC body
-- a line, nonces 0, 1, 2, ...), one after the other: a connection never has two requests in
-- flight, so every sender's nonces reach the node in order, which automining nodes require
-- (hardhat refuses a nonce gap while automining). A reply with an error member, or a status
-- other than 200, counts as a failure.
--
-- When a thread has sent its last body and read its answer, it stops its own loop and sends
-- SIGINT to the wrk process, which ends the run for every thread at once (wrk's main thread
-- wakes from its sleep on the signal and stops the threads within 100 ms). So the run ends at
-- -d seconds or when the first sender runs out, whichever comes first, and wrk's duration and
-- request count are those of the time when every connection was busy. done() prints one
-- "BENCH ..." line that run.sh parses.

local ffi = require("ffi")
ffi.cdef [[
int kill(int pid, int sig);
int getpid(void);
]]

local threads = {}
local next_id = 0

function setup(thread)
    thread:set("id", next_id)
    next_id = next_id + 1
    table.insert(threads, thread)
end

function init(args)
    local file = args[1] .. id .. ".txt"
    local f = assert(io.open(file, "rb"), "cannot open " .. file)
    bodies = {}
    for line in f:lines() do
        if #line > 0 then bodies[#bodies + 1] = line end
    end
    f:close()
    answered = 0
    failed = 0
    first_failure = ""
    exhausted = 0
    headers = { ["Content-Type"] = "application/json" }
end

-- The next body is the one after the last answered: wrk calls request() once more before the
-- run to check for pipelining, and that call must not use up a nonce.
function request()
    local body = bodies[answered + 1]
    if body == nil then
        -- Only reached if the loop runs once more after stop(); a harmless read.
        body = '{"jsonrpc":"2.0","id":0,"method":"eth_blockNumber","params":[]}'
    end
    return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
    answered = answered + 1
    if status ~= 200 or body:find('"error"', 1, true) or not body:find('"result"', 1, true) then
        if failed == 0 then first_failure = status .. " " .. body:sub(1, 200) end
        failed = failed + 1
    end
    if answered >= #bodies then
        exhausted = 1
        wrk.thread:stop()
        ffi.C.kill(ffi.C.getpid(), 2)   -- SIGINT: end the whole run now
    end
end

function done(summary, latency, requests)
    local failures, first, ran_out = 0, "", 0
    for _, t in ipairs(threads) do
        failures = failures + t:get("failed")
        ran_out = ran_out + t:get("exhausted")
        if first == "" then first = t:get("first_failure") end
    end
    local e = summary.errors
    io.write(string.format("BENCH requests=%d seconds=%.3f failed=%d socket_errors=%d p50_ms=%.3f p99_ms=%.3f ran_out=%d first_failure=%s\n",
        summary.requests, summary.duration / 1e6, failures + e.status,
        e.connect + e.read + e.write + e.timeout,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, ran_out, (first:gsub("%s", "_"))))
end
