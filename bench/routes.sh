#!/bin/sh
# routes.sh: `rahtisim run` of many namespaces with routes under heavy traffic.
#
#   bench/routes.sh [RAHTISIM]        (default ./build/rahtisim; `make bench`
#                                      passes the freshly built ./rahtisim)
#
# Each row writes a scenario with awk (into a mktemp folder): N namespaces,
# each with one pod, one service over it and one route (r-n<i>.rahtiapp.fi,
# rahti-1), and a host `laptop` with T traffic sources (Poisson), source k
# sending to the route of namespace k*N/T, REQUESTS requests in all over 10
# simulated seconds from 15 s (after the router's first reloads, R28).  So
# every request walks the whole path from outside: public DNS (R17, R18), the
# router VIP (R19), the frontend's host lookup, the balancer (R26), the pod
# and back.  Then it times `rahtisim run` of it (report to /dev/null): user
# CPU seconds (from /usr/bin/time when installed) and wall seconds, and the
# load average next to them.  The issue-14 row is N = 10^4, 5*10^6
# requests (REQUESTS=..., SOURCES=... to change).  Figures:
# docs/performance.md ("Many namespaces with routes").
set -eu

RAHTISIM=${1:-./build/rahtisim}
REQUESTS=${REQUESTS:-5000000}
SOURCES=${SOURCES:-1000}
if [ ! -x "$RAHTISIM" ]; then
    echo "routes.sh: $RAHTISIM: no such program (build first, or pass the path)" >&2
    exit 2
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# scenario N T R FILE
scenario() {
    awk -v n="$1" -v t="$2" -v r="$3" 'BEGIN {
        secs = 10
        printf "{\"name\": \"routes%d\", \"platform\": {\"pod_network\": \"10.0.0.0/8\", \"service_network\": \"172.16.0.0/12\"},\n", n
        printf "\"hosts\": [{\"name\": \"laptop\", \"ip\": \"193.166.4.20\"}],\n\"namespaces\": [\n"
        for (i = 0; i < n; i++)
            printf "%s{\"name\": \"n%d\", \"pods\": [{\"name\": \"p\", \"labels\": {\"app\": \"a\"}, \"ports\": [8080]}], \"services\": [{\"name\": \"s\", \"selector\": {\"app\": \"a\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]}], \"routes\": [{\"name\": \"r\", \"service\": \"s\"}]}\n", i ? "," : "", i
        printf "],\n\"traffic\": [\n"
        for (k = 0; k < t; k++)
            printf "%s{\"name\": \"t%d\", \"from\": \"laptop\", \"to\": \"http://r-n%d.rahtiapp.fi/\", \"rate\": \"%.9g/s\", \"start\": \"15s\", \"stop\": \"%ds\"}\n", k ? "," : "", k, int(k * n / t), r / secs / t, 15 + secs
        printf "]}\n"
    }' >"$4"
}

echo "rahtisim run: N namespaces with a pod, a service and a route each; $SOURCES sources from a host"
echo "machine: $(nproc) cpu, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)"
printf '%11s %10s %9s %9s %10s %10s  %s\n' namespaces requests "user s" "wall s" "us/req" "RSS MiB" "load average"
for row in "1000 500000" "10000 500000" "10000 $REQUESTS"; do
    set -- $row
    scenario "$1" "$SOURCES" "$2" "$tmp/s.json"
    s=$(date +%s.%N)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%U %M' -o "$tmp/time" "$RAHTISIM" run "$tmp/s.json" --max-objects 1000000 >"$tmp/out"
    else
        "$RAHTISIM" run "$tmp/s.json" --max-objects 1000000 >"$tmp/out"
        echo "- 0" >"$tmp/time"
    fi
    e=$(date +%s.%N)
    sent=$(awk '/^traffic / { n += $3 } END { print n + 0 }' "$tmp/out")
    load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
    read -r user rss <"$tmp/time"
    echo "$1 $sent $user $s $e $rss" | awk -v load="$load" '{
        wall = $5 - $4
        cpu = ($3 == "-") ? wall : $3
        printf "%11d %10d %9s %9.2f %10.2f %10.1f  %s\n", $1, $2, $3, wall, ($2 > 0 ? cpu / $2 * 1e6 : 0), $6 / 1024, load
    }'
    if [ "$sent" -lt $(( $2 * 9 / 10 )) ]; then
        echo "routes.sh: only $sent requests were sent of about $2" >&2
        exit 1
    fi
done
