#!/usr/bin/env bash
# Throughput on one core, ours beside the reference, interleaved. For each round and each server spec it
# starts the server pinned to SERVER_CPUS, and from the moment it is ready (our /health/ready answers 200;
# the reference's port answers) drives it with wrk pinned to WRK_CPUS:
#   1. the warm-up curve: CURVE_SECONDS back-to-back 1 s wrk runs on the first route (req/s per second);
#   2. per route, WARMUP more seconds, then DURATION measured: req/s, p50/p99, server CPU time per request,
#      and the young/full collections during the measured window (from -Xlog:gc);
# then RSS. At the end: per server and route the median over the rounds and the ratio to the reference.
#
#   gatling/wrk/run.sh                                   # ours (shipped flags) vs the reference, 2 rounds
#   gatling/wrk/run.sh "before|/tmp/before.jar|" "after|target/agora-token-server.jar|"
#   ROUTES=rtc CONNECTIONS=1000 gatling/wrk/run.sh       # many connections
#
# A spec is "label|jar|java flags": an empty jar is target/agora-token-server.jar (built if missing), empty
# flags are the shipped ones (conf/jvm.options); jar "reference:MODE" is the reference server
# (gatling/wrk/reference/ReferenceServer.java, compiled here against the server jar, never shipped: a bare
# Vert.x 5 requestHandler minting with the stock io.agora RtcTokenBuilder2; MODE inline|pool|batch).
# The reference ("reference|reference:inline|") is added unless REFERENCE=no.
# Settings: ROUNDS 2, ROUTES "rtc rtm ping", CURVE_SECONDS 10, WARMUP 3s, DURATION 10s, CONNECTIONS 64,
# SERVER_CPUS 0, WRK_CPUS 1, QUIET_WAIT 30 (seconds to wait before each server until the machine is under
# 15 % busy; the busy share is printed either way); other server settings (EVENT_LOOPS, SIGNING_MAX_PENDING, ...) pass through.
# Loopback only; every wrk run is bounded.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=gatling/wrk/machine.sh
source "$here/machine.sh"
root="$(cd "$here/../.." && pwd)"
ROUNDS="${ROUNDS:-2}"
ROUTES="${ROUTES:-rtc rtm ping}"
CURVE_SECONDS="${CURVE_SECONDS:-10}"
WARMUP="${WARMUP:-3s}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
SERVER_CPUS="${SERVER_CPUS:-0}"
WRK_CPUS="${WRK_CPUS:-1}"
shipped_flags="$(grep -v '^#' "$root/conf/jvm.options" | xargs)"
default_jar="$root/target/agora-token-server.jar"
specs=("$@")
((${#specs[@]})) || specs=("ours||")
[[ "${REFERENCE:-yes}" == no ]] || specs+=("reference|reference:inline|")

command -v wrk >/dev/null || { echo "wrk is not installed (Debian: apt-get install -y wrk)" >&2; exit 1; }
[[ -f "$default_jar" ]] || (cd "$root" && mvn -B -q package -DskipTests)
# Thousands of connections need as many descriptors on both sides.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
((CONNECTIONS + 100 < $(ulimit -n))) || { echo "ulimit -n $(ulimit -n) is too low for $CONNECTIONS connections" >&2; exit 1; }

work="$(mktemp -d /tmp/token-server-wrk.XXXXXX)"
# The server jar does not ship the io.agora library (it mints with its own encoder): the reference takes it
# from the project's test classpath.
(cd "$root" && mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.includeScope=test -Dmdep.includeArtifactIds=authentication -Dmdep.outputFile="$work/agora.classpath")
reference_cp="$default_jar:$(cat "$work/agora.classpath")"
javac -nowarn -Xlint:none -d "$work/reference" -cp "$reference_cp" "$here/reference/ReferenceServer.java"
raw="$work/raw.tsv"
echo "load before start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; work dir $work"

server_pid=""
trap stop_server EXIT
wrk_run() { # route duration -> RESULT line
  taskset -c "$WRK_CPUS" wrk -t1 -c"$CONNECTIONS" -d"$2" --timeout 2s -s "$here/token.lua" \
      "http://127.0.0.1:$PORT" -- "$1" | grep '^RESULT' || echo "RESULT 0 0 0 0 0 0"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
gc_count() { grep -c "$1" "$gclog" || true; }

bench() { # label jar flags
  local label=$1 jar=${2:-$default_jar} flags=${3:-$shipped_flags} ready_url busy
  busy=$(quiet_machine)
  export PORT; PORT="$(free_port)"; export MANAGEMENT_PORT; MANAGEMENT_PORT="$(free_port)"; export HOST=127.0.0.1
  log="$work/$label.$round.log"; gclog="$work/$label.$round.gc.log"
  local started; started=$(date +%s%N)
  cd "$root" # our server reads conf/config.json from its working directory
  if [[ "$jar" == reference:* ]]; then
    # shellcheck disable=SC2086 # flags is a list
    MODE="${jar#reference:}" taskset -c "$SERVER_CPUS" java $flags -Xlog:gc:file="$gclog" \
        -cp "$reference_cp:$work/reference" ReferenceServer "$PORT" >"$log" 2>&1 &
    ready_url="http://127.0.0.1:$PORT/ping"
  else
    # shellcheck disable=SC2086
    taskset -c "$SERVER_CPUS" java $flags -Xlog:gc:file="$gclog" -jar "$jar" --demo >"$log" 2>&1 &
    ready_url="http://127.0.0.1:$MANAGEMENT_PORT/health/ready"
  fi
  server_pid=$!
  local ready_ms
  await_ready "server $label" "$ready_url" "$log" "$started"
  local first=${ROUTES%% *} curve=()
  for _ in $(seq 1 "$CURVE_SECONDS"); do
    curve+=("$(wrk_run "$first" 1s | awk '{print $2}')")
  done
  echo "  $label: machine ${busy}% busy before launch; ready ${ready_ms} ms after launch; warm-up curve $first req/s per second from ready: ${curve[*]}"
  printf 'CURVE\t%s\t%s\t%s\n' "$label" "$ready_ms" "${curve[*]}" >>"$raw"
  for route in $ROUTES; do
    wrk_run "$route" "$WARMUP" >/dev/null
    local before young full result after
    before=$(cpu_ticks); young=$(gc_count 'Pause Young'); full=$(gc_count 'Pause Full')
    result=$(wrk_run "$route" "$DURATION")
    after=$(cpu_ticks)
    young=$(( $(gc_count 'Pause Young') - young )); full=$(( $(gc_count 'Pause Full') - full ))
    echo "$result" | awk -v label="$label" -v route="$route" -v cpu=$((after - before)) -v hz="$(getconf CLK_TCK)" \
        -v young="$young" -v full="$full" '{ us = $5 ? cpu / hz * 1e6 / $5 : 0
        printf "  %s %s: %s req/s, p50 %s ms, p99 %s ms, %.1f us CPU/request, %s requests, %s non-2xx, %s socket errors, GC %s young %s full\n",
            label, route, $2, $3, $4, us, $5, $6, $7, young, full
        printf "ROW\t%s\t%s\t%s\t%s\t%s\t%.1f\t%s\t%s\t%s\t%s\n", label, route, $2, $3, $4, us, $6, $7, young, full >> "/dev/stderr" }' \
        2>>"$raw"
  done
  local rss; rss=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$server_pid/status")
  printf 'RSS\t%s\t%s\n' "$label" "$rss" >>"$raw"
  echo "  $label: peak RSS ${rss} MB; load $(cut -d' ' -f1-3 /proc/loadavg)"
  stop_server
}

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round"
  for spec in "${specs[@]}"; do
    IFS='|' read -r label jar flags <<<"$spec"
    bench "$label" "$jar" "$flags"
  done
done

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); connections $CONNECTIONS, rounds $ROUNDS, medians below"
python3 - "$raw" <<'PY'
import collections, statistics, sys
rows, curves, rss, ready = collections.defaultdict(list), collections.defaultdict(list), collections.defaultdict(list), collections.defaultdict(list)
labels = []
for line in open(sys.argv[1]):
    f = line.rstrip('\n').split('\t')
    if f[1] not in labels: labels.append(f[1])
    if f[0] == 'ROW': rows[(f[1], f[2])].append([float(x) for x in f[3:]])
    elif f[0] == 'CURVE': ready[f[1]].append(int(f[2])); curves[f[1]].append([float(x) for x in f[3].split()])
    elif f[0] == 'RSS': rss[f[1]].append(int(f[2]))
med = lambda xs: statistics.median(xs)
ref = {route: med([r[0] for r in runs]) for (label, route), runs in rows.items() if label == 'reference'}
print('\n| server | route | req/s (median) | × reference | p50 ms | p99 ms | CPU µs/req | non-2xx | socket errors | GC young / full in window |')
print('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|')
for (label, route), runs in rows.items():
    rps = med([r[0] for r in runs])
    ratio = f'{rps / ref[route]:.2f}' if ref.get(route) else '–'
    print(f'| {label} | {route} | {rps:.0f} | {ratio} | {med([r[1] for r in runs]):.2f} | {med([r[2] for r in runs]):.2f} | '
          f'{med([r[3] for r in runs]):.1f} | {sum(r[4] for r in runs):.0f} | {sum(r[5] for r in runs):.0f} | '
          f'{sum(r[6] for r in runs):.0f} / {sum(r[7] for r in runs):.0f} |')
print('\nwarm-up curve (first route, req/s per 1 s window from ready; median over rounds), and share of the steady figure:')
for label in labels:
    if not curves[label]: continue
    curve = [med(col) for col in zip(*curves[label])]
    first = [route for (l, route) in rows if l == label][0]
    steady = med([r[0] for r in rows[(label, first)]])
    share = ' '.join(f'{100 * c / steady:.0f}%' for c in curve) if steady else 'no steady figure'
    print(f'  {label}: ready after {med(ready[label]):.0f} ms; {" ".join(f"{c:.0f}" for c in curve)}  ({share} of {steady:.0f})')
    print(f'  {label}: peak RSS MB {", ".join(map(str, rss[label]))}')
PY
