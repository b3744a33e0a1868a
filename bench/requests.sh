#!/bin/sh
# requests.sh: the request pipeline's cost per request as the cluster grows.
#
#   bench/requests.sh [RAHTISIM]      (default ./build/rahtisim; `make bench`
#                                      passes the freshly built ./rahtisim)
#
# Each row is one `rahtisim bench requests` run: P pods in S deployments,
# each behind its own service, T traffic sources to T of the services (by
# DNS name, Poisson arrivals), REQUESTS requests in all (default 10^6; set
# REQUESTS=... to change it, SEED=... for the seed).  The first rows keep
# T = 10 while the cluster grows (the cost of a request), the last ones load
# every service (T = S: the working set grows with the cluster too).  Only
# the run from the first request to the last answer is timed.  Figures:
# docs/performance.md.
set -eu

RAHTISIM=${1:-./build/rahtisim}
REQUESTS=${REQUESTS:-1000000}
SEED=${SEED:-1}

if [ ! -x "$RAHTISIM" ]; then
    echo "requests.sh: $RAHTISIM: no such program (build first, or pass the path)" >&2
    exit 2
fi

echo "rahtisim bench requests: $REQUESTS requests per row, seed $SEED"
echo "machine: $(nproc) cpu, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)"
printf '%8s %9s %8s %10s %9s %12s %8s %7s %8s\n' pods services sources requests seconds \
    "requests/s" "ns/req" "ev/req" "RSS MiB"
for row in "100 10 10" "1000 10 10" "10000 100 10" "100000 1000 10" \
           "10000 100 100" "100000 1000 1000"; do
    set -- $row
    line=$("$RAHTISIM" bench requests --pods "$1" --services "$2" --sources "$3" \
        --requests "$REQUESTS" --seed "$SEED" --format json)
    echo "$line" | awk '
        {
            gsub(/[{}"]/, "")
            n = split($0, kv, ", ")
            for (i = 1; i <= n; i++) {
                split(kv[i], f, ": ")
                v[f[1]] = f[2]
            }
            printf "%8d %9d %8d %10d %9.3f %12.0f %8.0f %7.2f %8.1f\n", v["pods"], v["services"],
                v["sources"], v["requests"], v["seconds"], v["requests_per_second"],
                v["ns_per_request"], v["events_per_request"], v["max_rss_kib"] / 1024
        }'
done
