#!/bin/sh
# matrix.sh: `rahtisim matrix` as the cluster grows.
#
#   bench/matrix.sh [RAHTISIM]        (default ./build/rahtisim)
#
# Each row is one `rahtisim matrix` of a generated scenario of N namespaces,
# each with one pod (the requester) and one service over a deployment of one
# pod: 2N rows (the client and the web pod) and 2N columns (N service ports,
# N pod ports), so 4N^2 cells, one
# request each.  The matrix is built once and every cell's request sent
# isolated in that one simulation (src/teach/matrix.c), so the time grows
# with the cells (N^2), not with cells x world (N^3, as it did when every
# cell re-simulated the world).  The time is the median of RUNS runs
# (default 3).  Figures: docs/performance.md.
set -eu

RAHTISIM=${1:-./build/rahtisim}
RUNS=${RUNS:-3}

if [ ! -x "$RAHTISIM" ]; then
    echo "matrix.sh: $RAHTISIM: no such program (build first, or pass the path)" >&2
    exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# scenario N: N namespaces of a client pod and a service over one pod.
scenario() {
    awk -v n="$1" 'BEGIN {
        printf "{\"name\": \"matrix-%d\", \"duration\": \"10s\", \"namespaces\": [\n", n
        for (i = 0; i < n; i++) {
            printf "  {\"name\": \"ns%d\", \"pods\": [{\"name\": \"client\", \"labels\": {\"app\": \"client\"}}],\n", i
            printf "   \"deployments\": [{\"name\": \"web\", \"replicas\": 1, \"labels\": {\"app\": \"web\"}, \"ports\": [8080]}],\n"
            printf "   \"services\": [{\"name\": \"web\", \"selector\": {\"app\": \"web\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]}]}%s\n", (i < n - 1 ? "," : "")
        }
        printf "]}\n"
    }'
}

echo "rahtisim matrix: median of $RUNS runs"
echo "machine: $(nproc) cpu, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)"
printf '%11s %6s %8s %9s %10s\n' namespaces rows cells seconds "us/cell"
for n in 10 30 100 300; do
    scenario "$n" >"$tmp/m.json"
    times=""
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        start=$(date +%s.%N)
        "$RAHTISIM" matrix "$tmp/m.json" --format csv --max-events 4000000000 >"$tmp/out.csv"
        end=$(date +%s.%N)
        times="$times $(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
        i=$((i + 1))
    done
    rows=$(($(wc -l <"$tmp/out.csv") - 1))
    cols=$(($(head -n 1 "$tmp/out.csv" | tr ',' '\n' | wc -l) - 1))
    median=$(echo $times | tr ' ' '\n' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    awk -v n="$n" -v r="$rows" -v c="$((rows * cols))" -v t="$median" \
        'BEGIN { printf "%11d %6d %8d %9.3f %10.2f\n", n, r, c, t, t * 1e6 / c }'
done
