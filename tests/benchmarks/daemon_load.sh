#!/usr/bin/env bash
# Load program (not a test): kongflow-endpointsd under wrk (Debian's `wrk`).
#   1. GET /healthz at 32 connections: requests/s and latency percentiles.
#   2. POST /api/v1/endpoints at 32 connections against the loopback sample endpoint (every
#      request PINGs it, upserts, records an index and queues it): p50/p99 and errors.
#   3. GET /healthz at 4 connections while heavy indexes run back to back (an endpoint with
#      2,000 jobs, indexed inline through POST /api/v1/endpoints/:slug/index): p99.
# Targets (docs/daemon.md): /healthz >= 20,000 req/s on 2 cores; create p99 < 10 ms; 0 errors;
# /healthz p99 <= 10 ms while a heavy index runs.
# The create phase runs in rounds (default 3) on the same daemon, each queueing more indexes behind
# the last; the script prints every round and their medians.
# usage: daemon_load.sh [build-dir (default build/release)] [seconds (default 10)] [create rounds (default 3)]
# The daemon takes its other settings from KONGFLOW_* variables, e.g.
#   KONGFLOW_WORKER_CONCURRENCY=1 daemon_load.sh   (fewer indexes run beside the creates)
#   KONGFLOW_DB=postgresql://postgres@/postgres?host=/tmp/pg KONGFLOW_DB_SCHEMA=load daemon_load.sh
#                                                  (PostgreSQL; without KONGFLOW_DB a fresh SQLite file)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build/release}"
secs="${2:-10}"
rounds="${3:-3}"
[[ "$secs" =~ ^[1-9][0-9]*$ ]] || { echo "seconds must be a positive integer, got '$secs'"; exit 1; }
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "create rounds must be a positive integer"; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
daemon="$build/examples/kongflow-endpointsd"
sample="$build/examples/kongflow-sample-endpoint"
[ -x "$daemon" ] && [ -x "$sample" ] || { echo "build kongflow_endpointsd and kongflow_sample_endpoint in $build first"; exit 1; }

work="$(mktemp -d)"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"' EXIT
key="tr_dev_load_$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')"

db=(--db "$work/db.sqlite")
[ -n "${KONGFLOW_DB:-}" ] && db=()
"$daemon" serve "${db[@]}" --listen 127.0.0.1:0 --bootstrap-api-key "$key" --log-level error \
  >"$work/out" 2>"$work/log" &
pids+=($!)
for _ in $(seq 1 100); do grep -q "listening on" "$work/out" && break; kill -0 "${pids[0]}" 2>/dev/null || break; sleep 0.1; done
port="$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/out")"
[ -n "$port" ] || { echo "kongflow-endpointsd did not start:"; cat "$work/out" "$work/log"; exit 1; }
"$sample" --listen 127.0.0.1:0 --id load-app --api-key "$key" >"$work/sample" 2>&1 &
pids+=($!)
"$sample" --listen 127.0.0.1:0 --id heavy-app --api-key "$key" --extra-jobs 2000 >"$work/heavy" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q LISTENING "$work/sample" && grep -q LISTENING "$work/heavy" && break; sleep 0.1; done
sport="$(sed -n 's/^LISTENING //p' "$work/sample")"
hport="$(sed -n 's/^LISTENING //p' "$work/heavy")"
[ -n "$sport" ] && [ -n "$hport" ] || { echo "the sample endpoints did not start:"; cat "$work/sample" "$work/heavy"; exit 1; }

cat >"$work/create.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"url":"http://127.0.0.1:$sport/api/trigger","id":"load-app"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
local errors = 0
response = function(status, headers, body) if status ~= 200 then errors = errors + 1 end end
done = function(summary, latency, requests)
  io.write(string.format("create: %d requests, p50 %.2f ms, p99 %.2f ms, non-2xx or socket errors %d\n",
    summary.requests, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA

echo "== GET /healthz, 32 connections, ${secs}s"
wrk -t2 -c32 -d"${secs}s" --latency "http://127.0.0.1:$port/healthz"
echo
for r in $(seq 1 "$rounds"); do
  echo "== POST /api/v1/endpoints (PING + upsert + queued index), 32 connections, ${secs}s, round $r of $rounds"
  wrk -t2 -c32 -d"${secs}s" --latency -s "$work/create.lua" "http://127.0.0.1:$port/api/v1/endpoints" | tee -a "$work/creates"
done
if [ "$rounds" -gt 1 ]; then
  # Medians over the rounds (the upper one for an even count), from the script's own "create:" lines.
  awk -v n="$rounds" '
    /^Requests\/sec:/ { rate[++i] = $2 }
    /^create: / { p50[++j] = $5; p99[j] = $8; errors += $NF }
    function median(a, k,   t, x, y, v) {
      for (x = 1; x <= k; x++) t[x] = a[x]
      for (x = 1; x <= k; x++) for (y = x + 1; y <= k; y++) if (t[y] < t[x]) { v = t[x]; t[x] = t[y]; t[y] = v }
      return t[int(k / 2) + 1]
    }
    END { printf "create, median of %d rounds: %.0f requests/s, p50 %.2f ms, p99 %.2f ms, errors %d\n",
          n, median(rate, i), median(p50, j), median(p99, j), errors }' "$work/creates"
fi

echo
echo "== GET /healthz, 4 connections, ${secs}s, while 2,000-job indexes run back to back"
curl -sf -X POST "http://127.0.0.1:$port/api/v1/endpoints" -H "Authorization: Bearer $key" \
  -H "Content-Type: application/json" -d "{\"url\":\"http://127.0.0.1:$hport/api/trigger\",\"id\":\"heavy-app\"}" >/dev/null
(
  end=$((SECONDS + secs + 1))
  n=0
  while [ $SECONDS -lt $end ]; do
    curl -sf -X POST "http://127.0.0.1:$port/api/v1/endpoints/heavy-app/index" -H "Authorization: Bearer $key" \
      -H "Content-Type: application/json" -d '{"reason":"load"}' >/dev/null && n=$((n + 1))
  done
  echo "heavy indexes performed: $n"
) &
indexer=$!
sleep 0.5
wrk -t1 -c4 -d"${secs}s" --latency "http://127.0.0.1:$port/healthz" | grep -E "Latency|50%|99%|Requests/sec"
wait "$indexer"
