#!/bin/sh
# diff.sh: `rahtisim diff` on two folders of N namespaces (default 1 000), as a
# repository of manifests grows: each namespace is one YAML file with a
# Deployment (2 replicas), its Service and an edge Route.  NEW changes a few
# of them: CHANGED namespaces get a service targetPort nobody listens on (their
# service breaks), one route gets a whitelist, one namespace is removed and
# one added.  Prints the wall time of the diff (the issue's goal: under 10 s
# for 1 000 namespaces per side) and the number of changes found.
#
#   bench/diff.sh [RAHTISIM]    (N=1000 CHANGED=10 by default; docs/performance.md)
set -eu

RAHTISIM=${1:-./build/rahtisim}
N=${N:-1000}
CHANGED=${CHANGED:-10}
if [ ! -x "$RAHTISIM" ]; then
    echo "diff.sh: $RAHTISIM: no such program (build first, or pass the path)" >&2
    exit 2
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# ns FILE I TARGET_PORT [WHITELIST]: one namespace's manifests.
ns() {
    cat >"$1" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ns$2}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ns$2}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: $3}]}
---
apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: web
  namespace: ns$2
${4:+  annotations: {haproxy.router.openshift.io/ip_whitelist: "$4"\}}
spec: {to: {kind: Service, name: web}, tls: {termination: edge}}
YAML
}

mkdir "$tmp/old" "$tmp/new"
i=1
while [ "$i" -le "$N" ]; do
    f=$(printf 'ns%05d.yaml' "$i")
    ns "$tmp/old/$f" "$i" 8080
    if [ "$i" -le "$CHANGED" ]; then
        ns "$tmp/new/$f" "$i" 9090
    elif [ "$i" -eq $((CHANGED + 1)) ]; then
        ns "$tmp/new/$f" "$i" 8080 "193.166.0.0/16"
    elif [ "$i" -ne "$N" ]; then
        cp "$tmp/old/$f" "$tmp/new/$f"
    fi
    i=$((i + 1))
done
ns "$tmp/new/extra.yaml" "$((N + 1))" 8080

echo "rahtisim diff: $N namespaces per side, $CHANGED broken services, one whitelist, one removed, one added"
echo "machine: $(nproc) cpu, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)"
start=$(date +%s.%N)
status=0
timer=""
[ -x /usr/bin/time ] && timer="/usr/bin/time -f cpu:%Us_user+%Ss_system,max_rss:%MKiB -o $tmp/time"
$timer "$RAHTISIM" diff "$tmp/old" "$tmp/new" --format json >"$tmp/out.json" || status=$?
end=$(date +%s.%N)
[ "$status" -eq 1 ] || { echo "diff.sh: expected exit 1 (changes), got $status" >&2; exit 2; }
awk -v a="$start" -v b="$end" 'BEGIN { printf "seconds: %.2f (wall)\n", b - a }'
# CPU time (GNU time, when installed): on a shared machine the wall time
# includes waiting for a CPU.
[ -f "$tmp/time" ] && cat "$tmp/time"
grep -E '"(reachability_changes|exposure_changes|cells_compared)"' "$tmp/out.json" | tr -d ' \t,'
