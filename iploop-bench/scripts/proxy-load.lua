-- wrk script for bench.sh.
--
-- Through an HTTP proxy, wrk connects to the proxy's port (the URL given to wrk) and this script
-- turns every request into an absolute-form proxy request:
--   BENCH_ABS_URL     absolute target URL, e.g. http://127.0.0.1:18080/1k (unset: plain request)
--   BENCH_PROXY_AUTH  value of the Proxy-Authorization header, e.g. "Basic dXNlcjpwYXNz" (optional)
-- At the end it prints one machine-readable line:
--   BENCH requests=… duration_us=… p50_us=… p99_us=… … errors …

local abs_url = os.getenv("BENCH_ABS_URL")
local proxy_auth = os.getenv("BENCH_PROXY_AUTH")

if abs_url ~= nil and abs_url ~= "" then
   wrk.path = abs_url
   wrk.headers["Host"] = abs_url:match("^%a+://([^/]+)")
end
if proxy_auth ~= nil and proxy_auth ~= "" then
   wrk.headers["Proxy-Authorization"] = proxy_auth
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d "
         .. "err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      e.connect, e.read, e.write, e.status, e.timeout))
end
