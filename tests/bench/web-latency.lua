-- wrk script for bench-web.sh: GETs PATH_TEMPLATE with {from} replaced by
-- a random whole number below FROM_MAX (0 = no replacement), and prints
-- the latency percentiles in milliseconds as one parsable line.
local template = os.getenv("WEB_PATH") or "/"
local from_max = tonumber(os.getenv("WEB_FROM_MAX") or "0")

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

function init(args)
  math.randomseed(seed or os.time())
end

function request()
  local path = template
  if from_max > 0 then
    path = path:gsub("{from}", tostring(math.random(0, from_max - 1)))
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    "RESULT p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f requests=%d errors=%d rps=%.0f\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests, errors,
    summary.requests / (summary.duration / 1e6)))
end
