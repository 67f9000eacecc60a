# shellcheck shell=bash
# Helpers that gatling/wrk/run.sh and benchmarks.sh source: free loopback ports, waiting for a quiet machine,
# and stopping the server a script started (its pid in server_pid).

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
