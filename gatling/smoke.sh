#!/usr/bin/env bash
# Gatling smoke run from a fresh clone: builds the server jar, starts it in demo mode on 127.0.0.1,
# warms it up with ~3 000 requests, runs TokenBurstSimulation at a modest rate (45 s of load), stops
# the server (also when anything fails) and leaves the HTML report under gatling/target/gatling/.
# Exits non-zero when a latency budget is broken. Settings (environment): RATE (200/s), RAMP (15 s), HOLD (30 s),
# JAVA_OPTS (server JVM flags; default conf/jvm.options), PORT and MANAGEMENT_PORT (default free ports).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
RATE="${RATE:-200}"
RAMP="${RAMP:-15}"
HOLD="${HOLD:-30}"
if (( RAMP + HOLD > 60 )); then echo "a smoke run lasts at most 60 s (RAMP + HOLD)" >&2; exit 2; fi
if [[ -z "${JAVA_OPTS+set}" && -f "$root/conf/jvm.options" ]]; then
  JAVA_OPTS="$(grep -v '^#' "$root/conf/jvm.options" | xargs)" # the shipped flags
fi
JAVA_OPTS="${JAVA_OPTS:-}"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
export HOST=127.0.0.1 PORT="${PORT:-$(free_port)}" MANAGEMENT_PORT="${MANAGEMENT_PORT:-$(free_port)}"

echo "== building the server jar"
(cd "$root" && mvn -B -q package -DskipTests)

mkdir -p "$here/target"
log="$here/target/server.log"
server_pid=""
stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    echo "== stopping the server (SIGTERM)"
    kill -TERM "$server_pid"
    for _ in $(seq 1 300); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
}
trap stop_server EXIT

echo "== starting the server on 127.0.0.1:$PORT (management $MANAGEMENT_PORT), log: $log"
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
(cd "$root" && exec java $JAVA_OPTS -jar target/agora-token-server.jar --demo) >"$log" 2>&1 &
server_pid=$!
ready=""
for _ in $(seq 1 600); do # up to 60 s
  if curl -fs --max-time 2 -o /dev/null "http://127.0.0.1:$MANAGEMENT_PORT/health/ready"; then ready=yes; break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -z "$ready" ]]; then echo "the server did not become ready:" >&2; cat "$log" >&2; exit 1; fi
# Another process on the port would take our load and our verdict.
ss -Hltnp "sport = :$PORT" | grep -q "pid=$server_pid," || { echo "port $PORT is not our server's" >&2; exit 1; }

# A server takes traffic long before an event opens: warm its JIT first (about 3 000 requests over one
# keep-alive connection; the bodies are tokens and go to /dev/null).
echo "== warming the server up"
base="http://127.0.0.1:$PORT"
curl -fsS "$base/rtc/warm-[1-2000]/publisher/uid/[7-7]" >/dev/null
curl -fsS "$base/rte/warm-[1-500]/subscriber/userAccount/user-[1-1]" >/dev/null
curl -fsS -H 'Content-Type: application/json' \
  -d '{"tokenType":"rtc","channel":"warm","role":"publisher","uid":7}' "$base/getToken?n=[1-500]" >/dev/null

echo "== TokenBurstSimulation: ramp to $RATE/s over $RAMP s, hold $HOLD s"
cd "$here"
mvn -B gatling:test -Dgatling.simulationClass=io.tokenserver.gatling.TokenBurstSimulation \
  -DbaseUrl="http://127.0.0.1:$PORT" -Drate="$RATE" -Dduration="$RAMP" -Dhold="$HOLD"
reports=("$here"/target/gatling/*/)
echo "== report: ${reports[-1]}index.html"
