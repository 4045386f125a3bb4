-- wrk script for scripts/bench-proxy: every request arrives as if through a
-- reverse proxy, for one of XFF_CLIENTS client addresses (X-Forwarded-For,
-- round robin per wrk thread), so that -c 1000 from 127.0.0.1 looks like many
-- people behind one nginx.  XFF_CLIENTS=1: all of them one client.
local clients = tonumber(os.getenv("XFF_CLIENTS") or "1000")
local path = os.getenv("BENCH_PATH") or "/healthz"
local nthreads = 0
local i = 0

function setup(thread)
  thread:set("tid", nthreads)
  nthreads = nthreads + 1
end

function request()
  i = i + 1
  local k = ((tid or 0) * 7919 + i) % clients
  local xff = string.format("10.%d.%d.%d", math.floor(k / 65536) % 256, math.floor(k / 256) % 256, k % 256)
  return wrk.format("GET", path, { ["X-Forwarded-For"] = xff })
end
