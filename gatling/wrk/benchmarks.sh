#!/usr/bin/env bash
# Regenerates the measured section of docs/benchmarks.md: every figure of the speed targets, from one run,
# with this server, the reference and the ceiling side by side. Run it on an idle machine with 2+ cores:
#
#   gatling/wrk/benchmarks.sh            # ROUNDS=3, about 11 minutes; prints the table, writes the doc
#   QUICK=1 gatling/wrk/benchmarks.sh    # short windows, one round: checks the script, not the server
#
# Servers (each pinned to SERVER_CPUS, wrk -t1 pinned to WRK_CPUS, all on 127.0.0.1):
#   ours      target/agora-token-server.jar (JAR), shipped flags (conf/jvm.options), --demo;
#   reference gatling/wrk/reference/ReferenceServer.java: bare Vert.x 5 minting with the stock io.agora builder;
#   ceiling   gatling/wrk/reference/CeilingServer.java: bare Vert.x 5 answering a fixed body of a token's size;
#   local / redis  ours with a rate limit too high to refuse anything, RATE_LIMIT_BACKEND=local or redis
#             (a throw-away redis-server on loopback, pinned to WRK_CPUS), as gatling/rate-limit-backends.sh.
# Per round, in turn: ours (warm-up curve from ready, 64 connections, 1 000 connections, one connection per
# request, 4 000 connections), reference, ceiling (64 connections, one connection per request), local,
# redis. Every measured window follows at least WARMUP of load (the curve is taken from ready). Then one
# JFR profile of ours under 64 connections (PROFILE=no skips it). Ratios are taken within each round, then
# the median over the rounds is reported.
#
# Settings: ROUNDS (3: an odd count, so each median is one round's figure and one disturbed round does not
# move it), DURATION (10: seconds measured per window), WARMUP (10), CURVE_SECONDS (10),
# FIRST_SECONDS_4000 (10: the 4 000-connection window whose collections do not count), SERVER_CPUS (0),
# WRK_CPUS (1), QUIET_WAIT (30: seconds to wait before each launch for the machine to be under 15 % busy),
# JAR, WRITE_DOC (yes; no with QUICK=1), PROFILE (yes). Fails on the first error and stops what it started.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=gatling/wrk/machine.sh
source "$here/machine.sh"
root="$(cd "$here/../.." && pwd)"
if [[ "${QUICK:-0}" == 1 ]]; then
  ROUNDS="${ROUNDS:-1}" DURATION="${DURATION:-2}" WARMUP="${WARMUP:-2}" CURVE_SECONDS="${CURVE_SECONDS:-3}"
  FIRST_SECONDS_4000="${FIRST_SECONDS_4000:-2}" QUIET_WAIT="${QUIET_WAIT:-0}" WRITE_DOC="${WRITE_DOC:-no}"
fi
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-10}"
CURVE_SECONDS="${CURVE_SECONDS:-10}"
FIRST_SECONDS_4000="${FIRST_SECONDS_4000:-10}"
SERVER_CPUS="${SERVER_CPUS:-0}"
WRK_CPUS="${WRK_CPUS:-1}"
QUIET_WAIT="${QUIET_WAIT:-30}"
WRITE_DOC="${WRITE_DOC:-yes}"
PROFILE="${PROFILE:-yes}"
JAR="${JAR:-$root/target/agora-token-server.jar}"
CLOSE_WARMUP=$((WARMUP < 3 ? WARMUP : 3))
command_line="$(printf '%q ' "${0#"$root/"}" "$@")"
[[ "${QUICK:-0}" == 1 ]] && command_line="QUICK=1 $command_line"

for tool in wrk taskset curl python3 javac jcmd jfr redis-server; do
  command -v "$tool" >/dev/null || { echo "benchmarks.sh needs $tool" >&2; exit 1; }
done
(($(nproc) >= 2)) || { echo "benchmarks.sh needs 2 cores (server and wrk on their own)" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(($(ulimit -n) > 4200)) || { echo "ulimit -n $(ulimit -n) is too low for 4 000 connections" >&2; exit 1; }

# Seconds of load per round and launches, for the estimate printed before starting.
per_round=$((CURVE_SECONDS + (WARMUP > CURVE_SECONDS ? WARMUP - CURVE_SECONDS : 0) + 2 * DURATION
  + CLOSE_WARMUP + DURATION + FIRST_SECONDS_4000 + DURATION
  + WARMUP + DURATION
  + WARMUP + DURATION + CLOSE_WARMUP + DURATION
  + 2 * (WARMUP + DURATION)))
profile_seconds=0
[[ "$PROFILE" == yes ]] && profile_seconds=$((WARMUP + DURATION + 15))
launches=$((5 * ROUNDS))
estimate=$((ROUNDS * per_round + launches * 5 + profile_seconds + 30))
echo "benchmarks.sh: $ROUNDS round(s), $launches server launches; expected about $((estimate / 60)) min $((estimate % 60)) s" \
  "(plus up to $QUIET_WAIT s per launch while the machine is busy, and a build if the jar is missing)"

work="$(mktemp -d /tmp/token-server-benchmarks.XXXXXX)"
raw="$work/raw.tsv"
server_pid=""
redis_pid=""
cleanup() {
  stop_server
  if [[ -n "$redis_pid" ]] && kill -0 "$redis_pid" 2>/dev/null; then
    kill -TERM "$redis_pid"
    wait "$redis_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ -f "$JAR" ]] || (cd "$root" && mvn -B -q package -DskipTests)
# The reference mints with the io.agora library, which the server jar does not ship: take it from the
# project's test classpath (offline first: the dependency is normally cached).
build_classpath() {
  (cd "$root" && mvn -B -q "$@" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.includeScope=test -Dmdep.includeArtifactIds=authentication -Dmdep.outputFile="$work/agora.classpath")
}
build_classpath -o || build_classpath
server_cp="$JAR:$(cat "$work/agora.classpath")"
javac -nowarn -Xlint:none -d "$work/classes" -cp "$server_cp" \
  "$here/reference/ReferenceServer.java" "$here/reference/CeilingServer.java"
shipped_flags="$(grep -v '^#' "$root/conf/jvm.options" | xargs)"
redis_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
taskset -c "$WRK_CPUS" redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  >"$work/redis-server.log" 2>&1 &
redis_pid=$!
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started_at="$(date -u '+%Y-%m-%d %H:%M UTC')"
run_started=$(date +%s)
echo "load average before: $load_before; work dir $work"


# launch NAME KIND [KEY=VALUE...]: starts a server (KIND ours, reference or ceiling) and waits for it to be
# ready; sets server_pid, launched_ns, ready_ms, gclog, PORT.
launch() {
  local name=$1 kind=$2 busy ready_url log; shift 2
  busy=$(quiet_machine)
  PORT="$(free_port)"
  local management_port; management_port="$(free_port)"
  log="$work/$name.$round.log"; gclog="$work/$name.$round.gc.log"
  launched_ns=$(date +%s%N)
  case "$kind" in
    ours)
      # One wrk is one client address: lift the per-address cap so that 4 000 connections are all served.
      # shellcheck disable=SC2086 # the flags are a list
      (cd "$root" && exec env HOST=127.0.0.1 PORT="$PORT" MANAGEMENT_PORT="$management_port" \
        MAX_CONNECTIONS_PER_ADDRESS=10000 DRAIN_DELAY_SECONDS=0 "$@" taskset -c "$SERVER_CPUS" \
        java $shipped_flags -Xlog:gc:file="$gclog" -jar "$JAR" --demo) >"$log" 2>&1 &
      ready_url="http://127.0.0.1:$management_port/health/ready" ;;
    reference | ceiling)
      local class=ReferenceServer; [[ "$kind" == ceiling ]] && class=CeilingServer
      # shellcheck disable=SC2086
      taskset -c "$SERVER_CPUS" java $shipped_flags -Xlog:gc:file="$gclog" -cp "$server_cp:$work/classes" \
        "$class" "$PORT" >"$log" 2>&1 &
      ready_url="http://127.0.0.1:$PORT/ping" ;;
  esac
  server_pid=$!
  await_ready "$name" "$ready_url" "$log" "$launched_ns"
  echo "  $name: machine ${busy}% busy before launch, ready ${ready_ms} ms after launch"
  printf 'BUSY\t%s\t%s\t%s\n' "$round" "$name" "$busy" >>"$raw"
}

# load CONNECTIONS SECONDS [wrk flags...]: one bounded wrk run on /rtc; prints its RESULT line
load() {
  local connections=$1 seconds=$2 out; shift 2
  out=$(timeout $((seconds + 60)) taskset -c "$WRK_CPUS" wrk -t1 -c"$connections" -d"${seconds}s" --timeout 2s \
    "$@" -s "$here/token.lua" "http://127.0.0.1:$PORT" -- rtc) || { echo "wrk failed: $out" >&2; exit 1; }
  local result; result=$(grep '^RESULT' <<<"$out") || { echo "wrk printed no result: $out" >&2; exit 1; }
  [[ "$(cut -d' ' -f5 <<<"$result")" != 0 ]] || { echo "no request answered in ${seconds} s: $out" >&2; exit 1; }
  echo "$result"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
gc_count() { grep -c "$1" "$gclog" || true; }
full_gcs_after() { # full collections logged after SECONDS of JVM uptime
  awk -v after="$1" '/Pause Full/ { t = $1; gsub(/[^0-9.]/, "", t); if (t + 0 > after) n++ } END { print n + 0 }' "$gclog"
}

# measure KEY CONNECTIONS SECONDS [wrk flags...]: one measured window, written to the raw file
measure() {
  local key=$1 connections=$2 seconds=$3 before young full result; shift 3
  before=$(cpu_ticks); young=$(gc_count 'Pause Young'); full=$(gc_count 'Pause Full')
  result=$(load "$connections" "$seconds" "$@")
  young=$(($(gc_count 'Pause Young') - young)); full=$(($(gc_count 'Pause Full') - full))
  awk -v round="$round" -v key="$key" -v cpu=$(($(cpu_ticks) - before)) -v hz="$(getconf CLK_TCK)" \
    -v young="$young" -v full="$full" '{ us = $5 ? cpu / hz * 1e6 / $5 : 0
      printf "    %s: %s req/s, p50 %s ms, p99 %s ms, %.1f us CPU/request, %s non-2xx, %s socket errors, GC %s young %s full\n",
        key, $2, $3, $4, us, $6, $7, young, full > "/dev/stderr"
      printf "M\t%s\t%s\t%s\t%s\t%s\t%.1f\t%s\t%s\t%s\t%s\n", round, key, $2, $3, $4, us, $6, $7, young, full }' \
    <<<"$result" >>"$raw"
}

rss() { printf 'RSS\t%s\t%s\t%s\n' "$round" "$1" "$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$server_pid/status")" >>"$raw"; }

bench_ours() {
  launch ours ours
  printf 'READY\t%s\t%s\n' "$round" "$ready_ms" >>"$raw"
  local curve=()
  for _ in $(seq 1 "$CURVE_SECONDS"); do curve+=("$(load 64 1 | awk '{print $2}')"); done
  echo "    warm-up curve, req/s per second from ready: ${curve[*]}"
  printf 'CURVE\t%s\t%s\n' "$round" "${curve[*]}" >>"$raw"
  ((WARMUP > CURVE_SECONDS)) && load 64 $((WARMUP - CURVE_SECONDS)) >/dev/null
  measure ours.c64 64 "$DURATION"
  measure ours.c1000 1000 "$DURATION"
  load 64 "$CLOSE_WARMUP" -H "Connection: close" >/dev/null
  measure ours.close 64 "$DURATION" -H "Connection: close"
  # 4 000 connections in one run: collections in its first FIRST_SECONDS_4000 (the heap growing to the
  # connections' state) do not count, later ones do.
  local since=$((($(date +%s%N) - launched_ns) / 1000000000 + FIRST_SECONDS_4000))
  measure ours.c4000 4000 $((FIRST_SECONDS_4000 + DURATION))
  printf 'FULL4000\t%s\t%s\n' "$round" "$(full_gcs_after "$since")" >>"$raw"
  rss ours
  stop_server
}

bench_reference() {
  launch reference reference
  load 64 "$WARMUP" >/dev/null
  measure reference.c64 64 "$DURATION"
  rss reference
  stop_server
}

bench_ceiling() {
  launch ceiling ceiling
  load 64 "$WARMUP" >/dev/null
  measure ceiling.c64 64 "$DURATION"
  load 64 "$CLOSE_WARMUP" -H "Connection: close" >/dev/null
  measure ceiling.close 64 "$DURATION" -H "Connection: close"
  rss ceiling
  stop_server
}

bench_backend() { # local | redis
  local settings=(RATE_LIMIT_PER_SECOND=1000000 RATE_LIMIT_BURST=1000000 "RATE_LIMIT_BACKEND=$1")
  # A missed Redis deadline is answered locally: a generous one keeps the Redis path the one measured.
  [[ "$1" == redis ]] && settings+=("REDIS_URL=redis://127.0.0.1:$redis_port" RATE_LIMIT_REDIS_TIMEOUT_MS=500)
  launch "$1" ours "${settings[@]}"
  [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/rtc/stage/publisher/uid/42")" == 200 ]] \
    || { echo "$1: the first request was not answered 200" >&2; exit 1; }
  load 64 "$WARMUP" >/dev/null
  measure "$1.c64" 64 "$DURATION"
  if [[ "$1" == redis ]] && grep -q 'stopped answering' "$work/redis.$round.log"; then
    echo "    redis: the server logged Redis as down during the run; its figure is not the Redis path's" >&2
    printf 'REDISDOWN\t%s\n' "$round" >>"$raw"
  fi
  stop_server
}

profile() {
  round=profile
  launch profile ours
  load 64 "$WARMUP" >/dev/null
  taskset -c "$WRK_CPUS" jcmd "$server_pid" JFR.start name=bench settings=profile >/dev/null
  load 64 "$DURATION" >/dev/null
  taskset -c "$WRK_CPUS" jcmd "$server_pid" JFR.stop name=bench filename="$work/profile.jfr" >/dev/null
  stop_server
  timeout 120 jfr print --json --events jdk.ExecutionSample "$work/profile.jfr" >"$work/profile.json"
}

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round of $ROUNDS"
  bench_ours
  bench_reference
  bench_ceiling
  bench_backend local
  bench_backend redis
done
[[ "$PROFILE" == yes ]] && { echo "JFR profile of ours, /rtc at 64 connections"; profile; }

java_version="$(java -version 2>&1 || true)"
wrk_version="$(wrk -v 2>&1 || true)"
machine="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) cores, \
$(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo), Linux $(uname -r); \
${java_version%%$'\n'*}; $(cut -d' ' -f1-2 <<<"${wrk_version%%$'\n'*}")"
python3 "$here/benchmarks-report.py" "$raw" "$work/profile.json" \
  --command "$command_line" --machine "$machine" --date "$started_at" \
  --load "$load_before → $(cut -d' ' -f1-3 /proc/loadavg)" --minutes $((($(date +%s) - run_started + 59) / 60)) \
  --settings "rounds $ROUNDS, $DURATION s measured per window after at least $WARMUP s of load, curve $CURVE_SECONDS × 1 s from ready" \
  --doc "$([[ "$WRITE_DOC" == yes ]] && echo "$root/docs/benchmarks.md" || echo "")"
