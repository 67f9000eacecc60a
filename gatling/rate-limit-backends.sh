#!/usr/bin/env bash
# What the rate-limit backend costs (not CI). Three servers run side by side, each pinned to core 0: rate limit
# off, RATE_LIMIT_BACKEND=local and RATE_LIMIT_BACKEND=redis (a throw-away redis-server on loopback, pinned to
# core 1 with wrk), the limit so high that nothing is refused. Each gets a warm-up of WARMUP, then ROUNDS rounds
# measure the three in turn (`wrk -t1 -c64 -d$DURATION` on GET /rtc/stage/publisher/uid/42, pinned to core 1)
# and print req/s and the ratio to "off" of the same round, so load from elsewhere hits all three alike, and
# each server's CPU time per request (user + system ticks over the run / requests), which other load on the
# machine disturbs far less. REDIS_TIMEOUT_MS (default 500) is the Redis deadline of the redis-backed servers:
# the 50 ms default is missed on a saturated machine, and a missed check is answered locally, not measured.
# JAR (default target/agora-token-server.jar) picks the build to measure, e.g. one of another branch.
# Then the two-replica run: two redis-backed servers, one caller (wrk on each at once, same client address),
# RATE_LIMIT_PER_SECOND=RATE (default 20), RATE_LIMIT_BURST=RATE, and each replica's 200/429 counts.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${JAR:-target/agora-token-server.jar}
WORK=${WORK:-target/rate-limit-backends}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-10s}
ROUNDS=${ROUNDS:-3}
BASE_PORT=${BASE_PORT:-18400}
mkdir -p "$WORK"
[ -f "$JAR" ] || mvn -B -q package -DskipTests
REDIS_PORT=$((BASE_PORT + 99))
taskset -c 1 redis-server --port $REDIS_PORT --bind 127.0.0.1 --save '' --appendonly no > "$WORK/redis-server.log" 2>&1 &
REDIS_PID=$!
PIDS=()
trap 'kill ${PIDS[@]+"${PIDS[@]}"} $REDIS_PID 2>/dev/null || true' EXIT

# start NAME INDEX [KEY=VALUE...]: a server on ports BASE_PORT+2*INDEX (API) and +1 (management)
start() {
  local name=$1 index=$2; shift 2
  env APP_ID=970ca35de60c44645bbae8a215061b33 APP_CERTIFICATE=5cfd2fd1755d40ecb72977518be15d3b \
    HOST=127.0.0.1 PORT=$((BASE_PORT + 2 * index)) MANAGEMENT_PORT=$((BASE_PORT + 2 * index + 1)) "$@" \
    taskset -c 0 java @conf/jvm.options -jar "$JAR" > "$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 150); do
    curl -fs "http://127.0.0.1:$((BASE_PORT + 2 * index + 1))/health/ready" >/dev/null && return; sleep 0.2
  done
  echo "$name did not start: see $WORK/$name.log" >&2; exit 1
}
url() { echo "http://127.0.0.1:$((BASE_PORT + 2 * $1))/rtc/stage/publisher/uid/42"; }
HIGH=(RATE_LIMIT_PER_SECOND=1000000 RATE_LIMIT_BURST=1000000)
REDIS=(RATE_LIMIT_BACKEND=redis "REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
  "RATE_LIMIT_REDIS_TIMEOUT_MS=${REDIS_TIMEOUT_MS:-500}")

start off 0
start local 1 "${HIGH[@]}"
start redis 2 "${HIGH[@]}" "${REDIS[@]}"
names=(off local redis)
for i in 0 1 2; do
  status=$(curl -s -o /dev/null -w '%{http_code}' "$(url $i)")
  echo "${names[$i]}: first request $status; warming up $WARMUP"
  taskset -c 1 wrk -t1 -c64 -d"$WARMUP" "$(url $i)" > /dev/null
done
for round in $(seq "$ROUNDS"); do
  declare -A rps=() cpu=()
  for i in 0 1 2; do
    pid=${PIDS[$i]}
    before=$(awk '{print $14 + $15}' /proc/"$pid"/stat)
    taskset -c 1 wrk -t1 -c64 -d"$DURATION" "$(url $i)" > "$WORK/${names[$i]}.wrk"
    after=$(awk '{print $14 + $15}' /proc/"$pid"/stat)
    rps[$i]=$(awk '/Requests\/sec/ {print $2}' "$WORK/${names[$i]}.wrk")
    cpu[$i]=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$(awk '/requests in/ {print $1}' \
      "$WORK/${names[$i]}.wrk")" 'BEGIN { printf "%.0f", t / hz * 1e6 / n }')
  done
  printf 'round %d: off %8s req/s %4s us/req | local %8s req/s (%.2f x off) %4s us/req | redis %8s req/s (%.2f x off) %4s us/req\n' \
    "$round" "${rps[0]}" "${cpu[0]}" "${rps[1]}" "$(echo "${rps[1]} / ${rps[0]}" | bc -l)" "${cpu[1]}" \
    "${rps[2]}" "$(echo "${rps[2]} / ${rps[0]}" | bc -l)" "${cpu[2]}"
done
echo "Redis-down transitions logged by the redis-backed server: $(grep -c 'stopped answering' "$WORK/redis.log" || true)"
kill "${PIDS[@]}"; wait "${PIDS[@]}" 2>/dev/null || true
PIDS=()

RATE=${RATE:-20}
echo "two replicas, one Redis, one caller: $RATE/s, burst $RATE, wrk -t1 -c4 -d$DURATION on each at once"
LIMIT=("RATE_LIMIT_PER_SECOND=$RATE" "RATE_LIMIT_BURST=$RATE" "RATE_LIMIT_REDIS_KEY_PREFIX=replicas-$$:")
start replica-a 3 "${LIMIT[@]}" "${REDIS[@]}"
start replica-b 4 "${LIMIT[@]}" "${REDIS[@]}"
start=$(date +%s.%N)
taskset -c 1 wrk -t1 -c4 -d"$DURATION" -s gatling/status-counts.lua "$(url 3)" > "$WORK/replica-a.wrk" &
a=$!
taskset -c 1 wrk -t1 -c4 -d"$DURATION" -s gatling/status-counts.lua "$(url 4)" > "$WORK/replica-b.wrk" &
b=$!
wait $a $b
elapsed=$(echo "$(date +%s.%N) - $start" | bc -l)
for r in a b; do echo "replica $r: $(grep '^status' "$WORK/replica-$r.wrk" | tr '\n' ' ')"; done
ok=$(cat "$WORK"/replica-?.wrk | awk '/^status 200:/ {n += $3} END {print n + 0}')
printf 'total 200s: %d in %.1f s; one shared limit allows at most %d + %d x %.1f = %.0f\n' "$ok" "$elapsed" \
  "$RATE" "$RATE" "$elapsed" "$(echo "$RATE + $RATE * $elapsed" | bc -l)"
echo "Redis-down transitions logged by the replicas: $(cat "$WORK"/replica-?.log | grep -c 'stopped answering' || true)"
