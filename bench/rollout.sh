#!/bin/sh
# rollout.sh: a 10 000-pod deployment rolling out under 1 000 requests/s (R54, R55).
#
#   bench/rollout.sh [RAHTISIM]       (default ./build/rahtisim)
#
# Writes a scenario to a temporary folder and times `rahtisim run` on it:
# PODS pods (default 10000) of one deployment behind a service, a client
# deployment sending RATE requests/s (default 1000/s, Poisson, 50 clients)
# to the service from 5 s to the end (DURATION, default 120s), and a rollout
# at 10 s (rolling, 25 % / 25 %, a 2 s preStop sleep so terminating pods
# drain).  The scenario expects the rollout to complete by 100 s and at
# least 75 % of the pods to stay ready throughout, so the timed run is
# also checked.  Figures: docs/performance.md ("Rollouts").
set -eu

RAHTISIM=${1:-./build/rahtisim}
PODS=${PODS:-10000}
RATE=${RATE:-1000}
DURATION=${DURATION:-120s}
if [ ! -x "$RAHTISIM" ]; then
    echo "rollout.sh: $RAHTISIM: no such program (build first, or pass the path)" >&2
    exit 2
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
min=$((PODS * 3 / 4))
cat >"$tmp/rollout.json" <<JSON
{"name": "bench-rollout", "duration": "$DURATION",
 "namespaces": [{"name": "big",
   "deployments": [{"name": "web", "replicas": $PODS, "labels": {"app": "web"}, "ports": [8080],
                    "pre_stop": "2s"},
                   {"name": "front", "replicas": 1, "labels": {"app": "front"}}],
   "services": [{"name": "web", "selector": {"app": "web"}, "ports": [{"port": 80, "target_port": 8080}]}]}],
 "events": [{"at": "10s", "rollout": "big/web", "set": {"service_time": "2ms"}}],
 "traffic": [{"name": "load", "from": "big/front", "to": "http://web/", "rate": "$RATE/s",
              "start": "5s", "clients": 50}],
 "expect": [{"rollout": "big/web", "complete_by": "100s"},
            {"deployment": "big/web", "between": ["5s", "$DURATION"], "ready": {"min": $min}},
            {"traffic": "load", "share": {"ok": {"min": 0.999}}}]}
JSON
echo "rahtisim rollout bench: $PODS pods, $RATE requests/s, $DURATION simulated"
echo "machine: $(nproc) cpu, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)"
start=$(date +%s.%N)
status=0
if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%U %S' -o "$tmp/cpu" "$RAHTISIM" run --format json "$tmp/rollout.json" \
        >"$tmp/out.json" || status=$?
else
    "$RAHTISIM" run --format json "$tmp/rollout.json" >"$tmp/out.json" || status=$?
fi
end=$(date +%s.%N)
[ ! -s "$tmp/cpu" ] || awk '{ printf "cpu %.2f s (user %.2f, system %.2f)\n", $1 + $2, $1, $2 }' "$tmp/cpu"

la=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')
awk -v s="$start" -v e="$end" -v st="$status" -v la="$la" 'BEGIN {
    printf "wall %.3f s, load average %s, run exit status %d (0: every expectation held)\n", e - s, la, st }'
[ "$status" -eq 0 ] || { "$RAHTISIM" run "$tmp/rollout.json" | grep -v '^PASS' | tail -n 20; exit 1; }
