#!/usr/bin/env bash
# Quick throughput figures: starts the server jar pinned to one core, drives it with wrk pinned to
# another, and prints requests/s, p50/p99 and server CPU time per request for each route, then the server's RSS and time to ready.
# Loopback only; every wrk run is bounded by DURATION. Settings (environment):
#   JAR          server jar (default target/agora-token-server.jar, built if missing)
#   JAVA_OPTS    JVM flags for the server (default: the shipped ones, conf/jvm.options)
#   ROUTES       "ping rtc rtm getToken"      DURATION 15s   WARMUP 5s   CONNECTIONS 64
#   SERVER_CPUS  0    WRK_CPUS 1              PORT, MANAGEMENT_PORT (default: two free ports)
# Other server settings (EVENT_LOOPS, SIGNING_POOL_SIZE, ...) pass through the environment.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
JAR="${JAR:-$root/target/agora-token-server.jar}"
if [[ -z "${JAVA_OPTS+set}" && -f "$root/conf/jvm.options" ]]; then
  JAVA_OPTS="$(grep -v '^#' "$root/conf/jvm.options" | xargs)"
fi
JAVA_OPTS="${JAVA_OPTS:-}"
ROUTES="${ROUTES:-ping rtc rtm getToken}"
DURATION="${DURATION:-15s}"
WARMUP="${WARMUP:-5s}"
CONNECTIONS="${CONNECTIONS:-64}"
SERVER_CPUS="${SERVER_CPUS:-0}"
WRK_CPUS="${WRK_CPUS:-1}"
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
export PORT="${PORT:-$(free_port)}" MANAGEMENT_PORT="${MANAGEMENT_PORT:-$(free_port)}" HOST=127.0.0.1
for port in "$PORT" "$MANAGEMENT_PORT"; do
  # Another server on the port would answer in ours' place and the figures would be its.
  if ss -Hltn "sport = :$port" | grep -q .; then echo "port $port is already in use" >&2; exit 1; fi
done

command -v wrk >/dev/null || { echo "wrk is not installed (Debian: apt-get install -y wrk)" >&2; exit 1; }
if [[ ! -f "$JAR" ]]; then
  (cd "$root" && mvn -B -q package -DskipTests)
fi

log="$(mktemp /tmp/token-server-wrk.XXXXXX.log)"
server_pid=""
stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap stop_server EXIT

echo "load before start: $(cut -d' ' -f1-3 /proc/loadavg)   jar: $JAR"
echo "JAVA_OPTS: ${JAVA_OPTS:-<none>}"
started=$(date +%s%N)
cd "$root" # the server reads conf/config.json from its working directory
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
taskset -c "$SERVER_CPUS" java $JAVA_OPTS -jar "$JAR" --demo >"$log" 2>&1 &
server_pid=$!
for _ in $(seq 1 3000); do # up to 60 s: a shared machine can stall a start for seconds
  if curl -fs --max-time 2 -o /dev/null "http://127.0.0.1:$MANAGEMENT_PORT/health/ready"; then break; fi
  kill -0 "$server_pid" 2>/dev/null || { echo "server exited:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.02
done
curl -fs --max-time 2 -o /dev/null "http://127.0.0.1:$MANAGEMENT_PORT/health/ready" || { echo "server not ready" >&2; exit 1; }
# Time to ready from the server's own "ready" log line: a poll that lands during startup can hang
# (see README), so the polling loop over-states it.
ready_at=$(grep -m1 'token server ready in' "$log" | cut -d' ' -f1)
ready_ms=$(( ($(date -d "$ready_at" +%s%N) - started) / 1000000 ))
ss -Hltnp "sport = :$PORT" | grep -q "pid=$server_pid," || { echo "port $PORT is not our server's" >&2; exit 1; }
echo "ready after ${ready_ms} ms from launch (JVM start included); server says: $(grep -o 'ready in [0-9]* ms' "$log" || true) after main()"

# Server CPU time per request (user + system, from /proc) is the column to trust on a shared machine:
# other processes stealing the cores cut requests/s but barely change what each request costs.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
ticks_per_second=$(getconf CLK_TCK)
printf '\n| route | requests/s | p50 ms | p99 ms | server CPU us/request | requests | non-2xx | socket errors |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|\n'
for route in $ROUTES; do
  taskset -c "$WRK_CPUS" wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" --timeout 2s -s "$here/token.lua" \
      "http://127.0.0.1:$PORT" -- "$route" >/dev/null
  before=$(cpu_ticks)
  result=$(taskset -c "$WRK_CPUS" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --timeout 2s -s "$here/token.lua" \
      "http://127.0.0.1:$PORT" -- "$route" | grep '^RESULT')
  after=$(cpu_ticks)
  echo "$result" | awk -v route="$route" -v cpu=$((after - before)) -v hz="$ticks_per_second" '{
      printf "| %s | %s | %s | %s | %.1f | %s | %s | %s |\n", route, $2, $3, $4, cpu / hz * 1e6 / $5, $5, $6, $7 }'
done
rss=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$server_pid/status")
hwm=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$server_pid/status")
echo
echo "server RSS after load: ${rss} MB (peak ${hwm} MB); load now: $(cut -d' ' -f1-3 /proc/loadavg)"
grep -qiE 'native transport|epoll' "$log" && grep -iE 'native transport|epoll' "$log" | head -2 || true
