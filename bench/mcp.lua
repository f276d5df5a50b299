-- wrk script of bench/run.sh: one fixed request per call, every answer checked, and one
-- tab-separated result line printed at the end.
--
-- Environment:
--   BENCH_METHOD   GET or POST (default POST)
--   BENCH_PATH     request target (default /mcp)
--   BENCH_BODY     request body (default none)
--   BENCH_HEADERS  extra headers, "Name: value" entries separated by "|"
--   BENCH_EXPECT   a 2xx answer counts as good only when its body contains this text
--   BENCH_REJECT   ... and does not contain this one (default: none)
--
-- The line printed by done():
--   BENCH <tab> requests_per_s <tab> p50_us <tab> p99_us <tab> p99.9_us <tab> requests
--   <tab> good <tab> bad <tab> socket_errors <tab> duration_s <tab> first bad answer (cut)

local method = os.getenv("BENCH_METHOD") or "POST"
local path = os.getenv("BENCH_PATH") or "/mcp"
local body = os.getenv("BENCH_BODY")
local expect = os.getenv("BENCH_EXPECT") or ""
local reject = os.getenv("BENCH_REJECT") or ""

local extra = {}
for entry in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^|]+") do
   local name, value = string.match(entry, "^%s*([^:]+):%s*(.-)%s*$")
   if name then extra[name] = value end
end

-- Main thread: keep every worker thread to read its counters in done().
local threads = {}
function setup(thread)
   table.insert(threads, thread)
end

-- Worker threads: the request is built once; counters live in the thread's globals.
local request_bytes
good, bad, sample = 0, 0, ""

function init(args)
   request_bytes = wrk.format(method, path, extra, body)
end

function request()
   return request_bytes
end

function response(status, headers, answer)
   local ok = status >= 200 and status < 300
   if ok and expect ~= "" and not string.find(answer, expect, 1, true) then ok = false end
   if ok and reject ~= "" and string.find(answer, reject, 1, true) then ok = false end
   if ok then
      good = good + 1
   else
      bad = bad + 1
      if sample == "" then
         sample = status .. " " .. string.sub(string.gsub(answer or "", "[\t\r\n]", " "), 1, 200)
      end
   end
end

function done(summary, latency, requests)
   local total_good, total_bad, first_bad = 0, 0, ""
   for _, thread in ipairs(threads) do
      total_good = total_good + (thread:get("good") or 0)
      total_bad = total_bad + (thread:get("bad") or 0)
      local s = thread:get("sample") or ""
      if first_bad == "" then first_bad = s end
   end
   local e = summary.errors
   local socket_errors = e.connect + e.read + e.write + e.timeout
   local seconds = summary.duration / 1e6
   io.write(string.format("BENCH\t%.1f\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.2f\t%s\n",
      summary.requests / seconds, latency:percentile(50), latency:percentile(99),
      latency:percentile(99.9), summary.requests, total_good, total_bad, socket_errors,
      seconds, first_bad))
end
