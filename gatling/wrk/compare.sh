#!/usr/bin/env bash
# Before/after on a shared machine: runs gatling/wrk/run.sh for each configuration in turn, ROUNDS times
# (A B C A B C …, so slow minutes hit every configuration alike), waits before each run until both
# cores are idle (at most QUIET_WAIT seconds), and prints per configuration and route the median and
# best requests/s, p99 and server CPU time per request.
#
#   gatling/wrk/compare.sh ROUNDS "label|jar|java flags" "label|jar|java flags" ...
#   e.g. ROUTES=rtc gatling/wrk/compare.sh 3 "before|/tmp/before.jar|" "after|target/agora-token-server.jar|$(grep -v '^#' conf/jvm.options | xargs)"
#
# ROUTES, DURATION, WARMUP, CONNECTIONS and the server's settings pass through to run.sh.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
rounds="${1:?usage: compare.sh ROUNDS \"label|jar|java flags\" ...}"
shift
QUIET_WAIT="${QUIET_WAIT:-180}"

cpu_busy_percent() { # over two seconds, all cores
  local a b c d e f g t1 i1 t2 i2
  read -r _ a b c d e f g _ </proc/stat; t1=$((a + b + c + d + e + f + g)); i1=$((d + e))
  sleep 2
  read -r _ a b c d e f g _ </proc/stat; t2=$((a + b + c + d + e + f + g)); i2=$((d + e))
  echo $((100 * ((t2 - t1) - (i2 - i1)) / (t2 - t1)))
}

raw="$(mktemp /tmp/token-server-compare.XXXXXX.txt)"
echo "raw results: $raw"
for round in $(seq 1 "$rounds"); do
  for spec in "$@"; do
    IFS='|' read -r label jar flags <<<"$spec"
    waited=0
    busy=$(cpu_busy_percent)
    while ((busy >= 15 && waited < QUIET_WAIT)); do
      waited=$((waited + 2))
      busy=$(cpu_busy_percent)
    done
    echo "round $round: $label (machine ${busy}% busy before the run)"
    JAR="$jar" JAVA_OPTS="$flags" "$here/run.sh" 2>&1 | awk -v label="$label" '
        /^\| [a-zA-Z]/ && !/\| route/ { print "ROW\t" label "\t" $0 }
        /RSS after load/ { print "RSS\t" label "\t" $0 }
        /ready after/ { print "READY\t" label "\t" $0 }' | tee -a "$raw" | sed 's/^/  /'
  done
done

python3 - "$raw" <<'EOF'
import collections, re, statistics, sys
rows, rss, ready = collections.defaultdict(list), collections.defaultdict(list), collections.defaultdict(list)
for line in open(sys.argv[1]):
    kind, label, rest = line.rstrip('\n').split('\t', 2)
    if kind == 'ROW':
        cells = [c.strip() for c in rest.strip().strip('|').split('|')]
        route, rps, p50, p99, cpu = cells[0], float(cells[1]), float(cells[2]), float(cells[3]), float(cells[4])
        rows[(label, route)].append((rps, p99, cpu))
    elif kind == 'RSS':
        rss[label].append(re.search(r'load: (\d+) MB \(peak (\d+) MB', rest).groups())
    elif kind == 'READY':
        ready[label].append(re.search(r'after (\d+) ms', rest).group(1))
print('\n| configuration | route | runs | req/s median | req/s best | p99 ms median | p99 ms of best | CPU us/req median |')
print('|---|---|---:|---:|---:|---:|---:|---:|')
for (label, route), runs in rows.items():
    best = max(runs)
    print(f'| {label} | {route} | {len(runs)} | {statistics.median(r[0] for r in runs):.0f} | {best[0]:.0f} | '
          f'{statistics.median(r[1] for r in runs):.2f} | {best[1]:.2f} | {statistics.median(r[2] for r in runs):.1f} |')
print()
for label in rss:
    print(f'{label}: RSS after load / peak MB: {", ".join("/".join(x) for x in rss[label])}; '
          f'ready after launch ms: {", ".join(ready[label])}')
EOF
