#!/usr/bin/env bash
# Overload benchmark (not CI): the server on one core with -Xmx64m, wrk on another core with ten times the
# connections that saturate it, for 60 s per scenario. Reports p99 of accepted (200) requests from the
# server's own histogram, wrk's view of all responses, 503/429 counts, socket errors and RSS over time.
#
#   gatling/overload.sh            # both scenarios, 60 s each
#   DURATION=20s gatling/overload.sh
#
# Scenario "shed": no rate limit, SIGNING_MAX_PENDING=128: the excess is turned away with 503.
# Scenario "ratelimit": one client (wrk) limited to RATE_LIMIT_PER_SECOND: the excess gets 429.
# wrk is closed-loop (each connection waits for its answer), so "10x" means 10x the connections (640 vs 64)
# that saturate the server; an open-loop generator (wrk2) is not packaged in Debian.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-60s}
CONNECTIONS=${CONNECTIONS:-640}
PORT=${PORT:-18280}
MANAGEMENT_PORT=${MANAGEMENT_PORT:-18281}
RATE=${RATE:-5000}
OUT=${OUT:-target/overload}
JAR=target/agora-token-server.jar
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
[ -f "$JAR" ] || mvn -B -q package -DskipTests

run_scenario() {
  local name=$1; shift
  echo "== scenario $name: $CONNECTIONS connections for $DURATION, server -Xmx64m on core 0"
  env APP_ID=970ca35de60c44645bbae8a215061b33 APP_CERTIFICATE=5cfd2fd1755d40ecb72977518be15d3b \
    HOST=127.0.0.1 PORT="$PORT" MANAGEMENT_PORT="$MANAGEMENT_PORT" EVENT_LOOPS=1 SIGNING_POOL_SIZE=1 "$@" \
    taskset -c 0 java -Xmx64m -XX:+ExitOnOutOfMemoryError -jar "$JAR" > "$OUT/$name-server.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$MANAGEMENT_PORT/health/ready" >/dev/null && break; sleep 0.2; done
  # Warm up the JIT, then measure.
  taskset -c 1 wrk -t1 -c64 -d5s "http://127.0.0.1:$PORT/rtc/stage/publisher/uid/42" > /dev/null
  curl -fs "http://127.0.0.1:$MANAGEMENT_PORT/metrics" > "$OUT/$name-metrics-before.txt"
  ( while kill -0 $pid 2>/dev/null; do echo "$(date +%s) $(ps -o rss= -p $pid)"; sleep 5; done ) > "$OUT/$name-rss.txt" &
  local sampler=$!
  taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s -s gatling/status-counts.lua \
    "http://127.0.0.1:$PORT/rtc/stage/publisher/uid/42" | tee "$OUT/$name-wrk.txt"
  python3 gatling/p99-from-metrics.py "http://127.0.0.1:$MANAGEMENT_PORT/metrics" 200 | tee "$OUT/$name-p99.txt"
  python3 gatling/p99-from-metrics.py "http://127.0.0.1:$MANAGEMENT_PORT/metrics" 503 | tee -a "$OUT/$name-p99.txt"
  python3 gatling/p99-from-metrics.py "http://127.0.0.1:$MANAGEMENT_PORT/metrics" 429 | tee -a "$OUT/$name-p99.txt"
  echo "RSS (kB) every 5 s: $(awk '{print $2}' "$OUT/$name-rss.txt" | tr '\n' ' ')"
  kill -TERM $pid; wait $pid || true; kill $sampler 2>/dev/null || true
  if grep -q OutOfMemoryError "$OUT/$name-server.log"; then echo "OutOfMemoryError!"; else echo "no OutOfMemoryError"; fi
}

run_scenario shed SIGNING_MAX_PENDING=128
run_scenario ratelimit SIGNING_MAX_PENDING=128 RATE_LIMIT_PER_SECOND="$RATE" RATE_LIMIT_BURST="$RATE"
