#!/usr/bin/env bash
# What each production knob costs in throughput (not CI): the server pinned to core 0, wrk pinned to core 1,
# `wrk -t1 -c64 -d15s` on GET /rtc/stage/publisher/uid/42 after a 5 s warm-up, for: everything off, API keys,
# JWT HS256, JWT RS256 (PEM), a rate limit that never refuses, and JWT RS256 with the rate limit.
# Run on a quiet machine; the baseline is measured again at the end to show the noise. Besides req/s it
# prints the server's CPU time per request (user + system ticks over the run / requests), which moves far
# less with other load on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=target/agora-token-server.jar
WORK=${WORK:-target/hardening-cost}
PORT=${PORT:-18380}
MANAGEMENT_PORT=${MANAGEMENT_PORT:-18381}
mkdir -p "$WORK"
[ -f "$JAR" ] || mvn -B -q package -DskipTests
# Bench credentials: a JWT secret, an RSA key pair and long-lived tokens for uid 42, made with openssl.
SECRET=bench-secret-0123456789abcdef0123456789
API_KEY=bench-api-key-0123456789abcdef
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
exp=$(( $(date +%s) + 86400 ))
header_hs=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
header_rs=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
payload=$(printf '{"sub":"42","exp":%d}' $exp | b64url)
HS256=$header_hs.$payload.$(printf '%s' "$header_hs.$payload" | openssl dgst -sha256 -hmac "$SECRET" -binary | b64url)
[ -f "$WORK/private.pem" ] || openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/private.pem" 2>/dev/null
openssl pkey -in "$WORK/private.pem" -pubout -out "$WORK/public.pem"
RS256=$header_rs.$payload.$(printf '%s' "$header_rs.$payload" | openssl dgst -sha256 -sign "$WORK/private.pem" -binary | b64url)

measure() {
  local name=$1 header=$2; shift 2
  env APP_ID=970ca35de60c44645bbae8a215061b33 APP_CERTIFICATE=5cfd2fd1755d40ecb72977518be15d3b \
    HOST=127.0.0.1 PORT="$PORT" MANAGEMENT_PORT="$MANAGEMENT_PORT" "$@" \
    taskset -c 0 java -jar "$JAR" > "$WORK/$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 150); do curl -fs "http://127.0.0.1:$MANAGEMENT_PORT/health/ready" >/dev/null && break; sleep 0.2; done
  local url="http://127.0.0.1:$PORT/rtc/stage/publisher/uid/42"
  local status; status=$(curl -s -o /dev/null -w '%{http_code}' ${header:+-H "$header"} "$url")
  taskset -c 1 wrk -t1 -c64 -d5s ${header:+-H "$header"} "$url" > /dev/null
  # CPU time the server spends per request: far less disturbed by other load on the machine than req/s.
  local ticks_before; ticks_before=$(awk '{print $14 + $15}' /proc/$pid/stat)
  taskset -c 1 wrk -t1 -c64 -d15s --latency ${header:+-H "$header"} "$url" > "$WORK/$name.wrk"
  local ticks_after; ticks_after=$(awk '{print $14 + $15}' /proc/$pid/stat)
  local requests; requests=$(awk '/requests in/ {print $1}' "$WORK/$name.wrk")
  local cpu_us; cpu_us=$(awk -v t=$((ticks_after - ticks_before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
  printf '%-22s status %s  %9s req/s  p99 %9s  server CPU %6s us/request\n' "$name" "$status" \
    "$(awk '/Requests\/sec/ {print $2}' "$WORK/$name.wrk")" "$(awk '/ 99%/ {print $2; exit}' "$WORK/$name.wrk")" "$cpu_us"
  kill -TERM $pid; wait $pid || true
}

measure off ""
measure api-key "X-API-Key: $API_KEY" AUTH_MODE=api-key API_KEYS=$API_KEY
measure jwt-hs256 "Authorization: Bearer $HS256" AUTH_MODE=jwt JWT_SECRET=$SECRET
measure jwt-rs256 "Authorization: Bearer $RS256" AUTH_MODE=jwt JWT_PUBLIC_KEY_FILE="$WORK/public.pem"
measure rate-limit "" RATE_LIMIT_PER_SECOND=1000000 RATE_LIMIT_BURST=1000000
measure jwt-rs256+rate-limit "Authorization: Bearer $RS256" AUTH_MODE=jwt JWT_PUBLIC_KEY_FILE="$WORK/public.pem" \
  RATE_LIMIT_PER_SECOND=1000000 RATE_LIMIT_BURST=1000000
measure off-again ""
