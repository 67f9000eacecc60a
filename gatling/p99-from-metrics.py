#!/usr/bin/env python3
"""p99 (and count) of responses with one status code, from the server's Prometheus histogram.

Usage: p99-from-metrics.py METRICS_URL CODE
Reads token_server_http_request_duration_seconds_bucket{code=CODE}, summed over routes and methods, and
interpolates the 99th percentile inside its bucket, as histogram_quantile does.
"""
import re
import sys
import urllib.request

url, code = sys.argv[1], sys.argv[2]
text = urllib.request.urlopen(url, timeout=10).read().decode()
buckets = {}
for line in text.splitlines():
    if not line.startswith("token_server_http_request_duration_seconds_bucket{"):
        continue
    labels, value = line.rsplit(" ", 1)
    if f'code="{code}"' not in labels:
        continue
    le = re.search(r'le="([^"]+)"', labels).group(1)
    bound = float("inf") if le == "+Inf" else float(le)
    buckets[bound] = buckets.get(bound, 0.0) + float(value)
if not buckets:
    print(f"code {code}: no responses")
    sys.exit(0)
bounds = sorted(buckets)
total = buckets[float("inf")]
rank = 0.99 * total
previous_bound, previous_count = 0.0, 0.0
for bound in bounds:
    count = buckets[bound]
    if count >= rank:
        if bound == float("inf"):
            p99 = f"> {previous_bound * 1000:.2f} ms"
        else:
            fraction = (rank - previous_count) / max(count - previous_count, 1e-9)
            p99 = f"{(previous_bound + (bound - previous_bound) * fraction) * 1000:.2f} ms"
        break
    previous_bound, previous_count = bound, count
print(f"code {code}: {int(total)} responses, server-side p99 {p99}")
