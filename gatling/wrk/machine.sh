# shellcheck shell=bash
# Helpers that gatling/wrk/run.sh and benchmarks.sh source: free loopback ports, waiting for a quiet machine,
# and waiting for and stopping the server a script started (its pid in server_pid).

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cpu_busy_percent() { # over one second, all cores
  local a b c d e f g t1 i1 t2 i2
  read -r _ a b c d e f g _ </proc/stat; t1=$((a + b + c + d + e + f + g)); i1=$((d + e))
  sleep 1
  read -r _ a b c d e f g _ </proc/stat; t2=$((a + b + c + d + e + f + g)); i2=$((d + e))
  echo $((100 * ((t2 - t1) - (i2 - i1)) / (t2 - t1)))
}

quiet_machine() { # waits up to QUIET_WAIT (default 30) seconds for other work to calm down; prints how busy it was
  local waited=0 busy; busy=$(cpu_busy_percent)
  while ((busy >= 15 && waited < ${QUIET_WAIT:-30})); do waited=$((waited + 1)); busy=$(cpu_busy_percent); done
  echo "$busy"
}

stop_server() { # SIGTERM to the server in server_pid, if it still runs, and waits for it
  if [[ -n "${server_pid:-}" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}

await_ready() { # NAME URL LOG STARTED_NS: waits until URL answers while server_pid runs (at most 60 s), sets ready_ms
  local name=$1 url=$2 log=$3 started=$4
  until curl -fs --max-time 1 -o /dev/null "$url"; do
    kill -0 "$server_pid" 2>/dev/null || { echo "$name exited before ready:" >&2; cat "$log" >&2; exit 1; }
    (($(date +%s%N) - started < 60000000000)) || { echo "$name not ready 60 s after launch" >&2; exit 1; }
    sleep 0.01
  done
  # shellcheck disable=SC2034 # read by the script that sources this file
  ready_ms=$((($(date +%s%N) - started) / 1000000))
}
