#!/bin/sh
# topology.sh: `rahtisim topology` (text and DOT) on large clusters.
#
#   bench/topology.sh [RAHTISIM]      (default ./build/rahtisim; `make bench`
#                                      passes the freshly built ./rahtisim)
#
# Rows: N namespaces of one pod, one service and one route each (10^3 to
# 10^5), and one deployment of P pods behind one service and one route
# (10^4 to 3*10^5 pods), and N namespaces on rahti-2 of one pod and one
# network policy each (10^3 to 10^5: the policy sections, R40-R42, were
# quadratic).  Each row writes the scenario once (awk, into a mktemp
# folder), then times `topology` at 3 s (the pods are ready, no reload
# has loaded them yet, so the router section compares every route: R28)
# in both formats, output to /dev/null.  Seconds are wall clock, median of
# RUNS (default 3).  IDLE=S waits S seconds before each timed run (default
# 0, back to back): on a virtual machine whose balloon reports free pages to
# the host, a run after idle pays for every page it touches first, and
# back-to-back runs hide that (docs/performance.md, "Issue 14's targets in
# session 7"; what it costs on another machine: "Issue 14's targets: where
# they stand").  Figures: docs/performance.md ("Topology").
set -eu

RAHTISIM=${1:-./build/rahtisim}
RUNS=${RUNS:-3}
IDLE=${IDLE:-0}
if [ ! -x "$RAHTISIM" ]; then
    echo "topology.sh: $RAHTISIM: no such program (build first, or pass the path)" >&2
    exit 2
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# namespaces N FILE: N namespaces, each with a pod, a service and a route.
namespaces() {
    awk -v n="$1" 'BEGIN {
        printf "{\"name\": \"ns%d\", \"platform\": {\"pod_network\": \"10.0.0.0/8\", \"service_network\": \"172.16.0.0/12\"}, \"namespaces\": [\n", n
        for (i = 0; i < n; i++)
            printf "%s{\"name\": \"n%d\", \"pods\": [{\"name\": \"p\", \"labels\": {\"app\": \"a\"}, \"ports\": [8080]}], \"services\": [{\"name\": \"s\", \"selector\": {\"app\": \"a\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]}], \"routes\": [{\"name\": \"r\", \"service\": \"s\"}]}\n", i ? "," : "", i
        printf "]}\n"
    }' >"$2"
}

# policies N FILE: N namespaces on rahti-2, each with a pod and a network
# policy selecting it (the two default policies of R40 come on top).
policies() {
    awk -v n="$1" 'BEGIN {
        printf "{\"name\": \"pol%d\", \"platform\": \"rahti-2\", \"namespaces\": [\n", n
        for (i = 0; i < n; i++)
            printf "%s{\"name\": \"n%d\", \"pods\": [{\"name\": \"p\", \"labels\": {\"app\": \"a\"}, \"ports\": [8080]}], \"network_policies\": [{\"name\": \"deny\", \"pod_selector\": {}}]}\n", i ? "," : "", i
        printf "]}\n"
    }' >"$2"
}

# deployment P FILE: one deployment of P pods, a service and a route.
deployment() {
    awk -v p="$1" 'BEGIN {
        printf "{\"name\": \"dep%d\", \"platform\": {\"pod_network\": \"10.0.0.0/8\"}, \"namespaces\": [{\"name\": \"big\", \"deployments\": [{\"name\": \"web\", \"replicas\": %d, \"labels\": {\"app\": \"web\"}, \"ports\": [8080]}], \"services\": [{\"name\": \"web\", \"selector\": {\"app\": \"web\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]}], \"routes\": [{\"name\": \"web\", \"service\": \"web\"}]}]}\n", p, p
    }' >"$2"
}

# median of RUNS wall-clock seconds of: rahtisim topology FILE --at 3s --format F,
# or (F = setup) of `rahtisim run FILE`: loading and building the same world
# with nothing to simulate, the part of each topology that is not topology.
time_topology() {
    i=0
    : >"$tmp/times"
    while [ "$i" -lt "$RUNS" ]; do
        [ "$IDLE" = 0 ] || sleep "$IDLE"
        s=$(date +%s.%N)
        if [ "$2" = setup ]; then
            "$RAHTISIM" run "$1" --max-objects 1000000 >/dev/null
        else
            "$RAHTISIM" topology "$1" --at 3s --format "$2" --max-events 100000000 --max-objects 1000000 >/dev/null
        fi
        e=$(date +%s.%N)
        echo "$s $e" | awk '{ printf "%.3f\n", $2 - $1 }' >>"$tmp/times"
        i=$((i + 1))
    done
    sort -n "$tmp/times" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

echo "rahtisim topology: median of $RUNS runs, wall clock seconds$([ "$IDLE" = 0 ] || echo ", each after $IDLE s idle")"
echo "machine: $(nproc) cpu, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)"
printf '%-28s %10s %10s %10s\n' cluster "setup" text dot
for n in 1000 10000 100000; do
    namespaces "$n" "$tmp/s.json"
    printf '%-28s %10s %10s %10s\n' "$n namespaces" "$(time_topology "$tmp/s.json" setup)" \
        "$(time_topology "$tmp/s.json" text)" \
        "$(time_topology "$tmp/s.json" dot)"
done
for p in 10000 100000 300000; do
    deployment "$p" "$tmp/s.json"
    printf '%-28s %10s %10s %10s\n' "1 deployment of $p pods" "$(time_topology "$tmp/s.json" setup)" \
        "$(time_topology "$tmp/s.json" text)" \
        "$(time_topology "$tmp/s.json" dot)"
done
for n in 1000 10000 100000; do
    policies "$n" "$tmp/s.json"
    printf '%-28s %10s %10s %10s\n' "$n ns, rahti-2 policies" "$(time_topology "$tmp/s.json" setup)" \
        "$(time_topology "$tmp/s.json" text)" \
        "$(time_topology "$tmp/s.json" dot)"
done
