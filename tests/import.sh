#!/bin/sh
# import.sh: manifests in (issue 12): `rahtisim import` on the public example
# sets in tests/manifests/ (the Kubernetes guestbook, the Rahti docs' YAML, an
# `oc get -o yaml` List), then check and matrix on the result and on the
# manifests directly (they must agree: the same world); stdin, --namespace,
# JSON manifests, notes listed once, a scenario that starts from manifests
# (`"manifests": [...]`, relative to the scenario) with expectations on top,
# errors inside such manifests named by the manifest's file and line, and a
# file over the 64 MiB limit.  Malformed manifests are in tests/bad/ (bad.sh).
# Environment: RAHTISIM (the program), SRCDIR (the source tree).

: "${RAHTISIM:=./rahtisim}"
: "${SRCDIR:=.}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
M=$SRCDIR/tests/manifests

# check NAME STATUS FRAGMENT -- ARGS...: runs rahtisim with ARGS (stdin from
# $tmp/in when it exists), expects the exit STATUS and FRAGMENT (a fixed
# string searched in stdout and stderr; empty: none).
check() {
    name=$1 want=$2 frag=$3
    shift 4
    if [ -f "$tmp/in" ]; then
        "$RAHTISIM" "$@" <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
    else
        "$RAHTISIM" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    fi
    got=$?
    why=""
    [ "$got" -eq "$want" ] || why="exit $got, expected $want"
    if [ -z "$why" ] && [ -n "$frag" ] && ! cat "$tmp/out" "$tmp/err" | grep -qF -- "$frag"; then
        why="no '$frag' in the output"
    fi
    result "$name" "$why"
}

# result NAME WHY: counts a pass (WHY empty) or a failure, showing the output.
result() {
    if [ -z "$2" ]; then
        pass=$((pass + 1))
        echo "ok: $1"
    else
        fail=$((fail + 1))
        echo "FAIL: $1: $2"
        sed 's/^/  | /' "$tmp/out" | head -30
        sed 's/^/  ! /' "$tmp/err" | head -30
    fi
}

# Every example set: import -> check -> matrix, and the same through the folder.
for set in guestbook rahti-docs oc-get-list k8s-network-policy; do
    check "$set: import" 0 "" -- import "$M/$set" --output "$tmp/$set.json"
    why=""
    grep -qF '"namespaces": [' "$tmp/$set.json" || why="no namespaces in the written scenario"
    result "$set: import written" "$why"
    check "$set: the import is a valid scenario" 0 ": ok (" -- check "$tmp/$set.json"
    check "$set: check takes the folder" 0 ": ok (" -- check "$M/$set"
    check "$set: matrix of the import" 0 "" -- matrix "$tmp/$set.json" --format json
    cp "$tmp/out" "$tmp/$set.matrix"
    check "$set: matrix of the folder" 0 "" -- matrix "$M/$set" --format json
    why=""
    # the scenario name and file differ; the cells must not
    sed '/"scenario"\|"file"/d' "$tmp/$set.matrix" >"$tmp/a"
    sed '/"scenario"\|"file"/d' "$tmp/out" >"$tmp/b"
    cmp -s "$tmp/a" "$tmp/b" || why="the folder's matrix differs from the import's"
    result "$set: folder and import agree" "$why"
done

# The Kubernetes docs' network policy tutorial on rahti-2: access-nginx admits
# only access=true pods, but Rahti's project template adds allow-same-namespace
# (R40), and policies add up (R42): the pod without the label gets in too.
check "k8s-network-policy: import for rahti-2" 0 "" -- import "$M/k8s-network-policy" --platform rahti-2 --output "$tmp/np.json"
check "k8s-network-policy: the policies" 0 "(1 namespaces, 3 workloads, 1 services, 0 routes" -- check "$tmp/np.json"
check "k8s-network-policy: the docs' example selects nothing here (R41)" 0 \
    "network policy \`test-network-policy\` selects no pod of namespace \`default\`" -- check "$tmp/np.json"
check "k8s-network-policy: busybox without access=true reaches nginx" 0 "default/busybox         .  ." -- matrix "$tmp/np.json"
check "k8s-network-policy: because of allow-same-namespace (R40, R42)" 0 \
    "ingress rule 1 of network policy default/allow-same-namespace lets default/nginx-0 accept" \
    -- explain "$tmp/np.json" --from default/busybox --to http://nginx.default/

# What the guestbook teaches on Rahti: its frontend listens on port 80 (R4).
check "guestbook: objects" 0 "(1 namespaces, 3 workloads, 3 services, 0 routes" -- check "$M/guestbook"
check "guestbook: R4 warning at the manifest's line" 0 \
    "frontend-deployment.yaml:29:26: warning: port 80 is privileged" -- check "$M/guestbook"
check "guestbook: default namespace warning" 0 \
    "warning: objects without metadata.namespace go to namespace \`default\`" -- check "$M/guestbook"
check "guestbook: matrix" 0 "default/frontend-0 (failed)" -- matrix "$M/guestbook"
check "guestbook: --namespace" 0 '"name": "shop"' -- import "$M/guestbook" --namespace shop
why=""
grep -q "without metadata.namespace" "$tmp/err" && why="a warning although --namespace was given"
result "guestbook: no default-namespace warning with --namespace" "$why"
check "guestbook: notes once each" 0 "containers[].image\`: not part of the network model, ignored (3 times)" \
    -- import "$M/guestbook"
why=""
[ "$(grep -c 'containers\[\]\.image' "$tmp/err")" -eq 1 ] || why="the image note is not listed exactly once on stderr"
result "guestbook: image noted once" "$why"

# The Rahti docs: a Project, a pod, a service, an edge route with a whitelist.
check "rahti-docs: objects" 0 "(1 namespaces, 2 workloads, 1 services, 1 routes" -- check "$M/rahti-docs"
check "rahti-docs: route" 0 '"tls": "edge"' -- import "$M/rahti-docs"
check "rahti-docs: insecure" 0 '"insecure": "redirect"' -- import "$M/rahti-docs"
check "rahti-docs: whitelist kept" 0 '"haproxy.router.openshift.io/ip_whitelist": "192.168.1.0/24 10.0.0.1"' \
    -- import "$M/rahti-docs"

# An `oc get -o yaml` List: owned objects skipped, status and metadata noted.
check "oc-get-list: owned objects skipped" 0 "(1 namespaces, 1 workloads, 1 services, 1 routes" -- check "$M/oc-get-list"
check "oc-get-list: owned noted" 0 "ReplicationController objects made by a DeploymentConfig listed with them: skipped" \
    -- import "$M/oc-get-list"
check "oc-get-list: route by port name" 0 '"target_port": "8080-tcp"' -- import "$M/oc-get-list"

# stdin, JSON manifests, several paths, a single file.
cp "$M/guestbook/redis-leader-service.yaml" "$tmp/in"
check "stdin: import -" 0 '"name": "redis-leader"' -- import -
check "stdin: positions name <stdin>" 0 "<stdin>:" -- import -
check "stdin: check -" 0 "-: ok (1 namespaces, 0 workloads, 1 services" -- check -
rm -f "$tmp/in"
cat >"$tmp/svc.json" <<'JSON'
{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": "shop"},
 "spec": {"selector": {"app": "api"}, "ports": [{"port": 80, "targetPort": 8080}]}}
JSON
check "JSON manifest through check" 0 "(1 namespaces, 0 workloads, 1 services" -- check "$tmp/svc.json"
check "several paths" 0 "" -- import "$M/guestbook" "$tmp/svc.json" --output "$tmp/two.json"
check "several paths: valid" 0 "(2 namespaces, 3 workloads, 4 services" -- check "$tmp/two.json"
check "a single file" 0 '"name": "redis-leader-deployment"' -- import "$M/guestbook/redis-leader-deployment.yaml"

# A scenario that starts from manifests and adds a pod and expectations.
mkdir -p "$tmp/repo/k8s"
cp "$M/guestbook/redis-"* "$tmp/repo/k8s/"
cat >"$tmp/repo/guard.json" <<'JSON'
{
  "name": "guestbook-guard",
  "manifests": ["k8s/"],
  "namespaces": [{"name": "default", "pods": [{"name": "debug", "labels": {"app": "debug"}}]}],
  "expect": [
    {"at": "5s", "from": "default/debug", "to": "tcp://redis-leader:6379", "outcome": "ok"},
    {"at": "5s", "from": "default/debug", "to": "tcp://redis-follower.default.svc.cluster.local:6379", "outcome": "ok"}
  ]
}
JSON
check "manifests in a scenario: run" 0 "2 passed" -- run "$tmp/repo/guard.json"
check "manifests in a scenario: check" 0 "(1 namespaces, 3 workloads, 2 services" -- check "$tmp/repo/guard.json"
sed 's/"outcome": "ok"}$/"outcome": "timeout"}/' "$tmp/repo/guard.json" >"$tmp/repo/guard-wrong.json"
check "manifests in a scenario: a failing expectation" 1 "" -- run "$tmp/repo/guard-wrong.json"
printf 'apiVersion: v1\nkind: Service\nmetadata: {name: broken, namespace: default}\nspec: {ports: [{port: 99999}]}\n' \
    >"$tmp/repo/k8s/zz-broken.yaml"
check "manifests in a scenario: errors name the manifest" 2 "k8s/zz-broken.yaml:4:23: spec.ports[0].port: port 99999 out of range" \
    -- check "$tmp/repo/guard.json"

# Lifecycle fields (R52-R55) and network policies (R40-R47) in the scenario's keys.
check "probes" 0 '"readiness": {' -- import "$M/rahti-docs"
check "readiness period" 0 '"period": "5s"' -- import "$M/rahti-docs"
check "preStop sleep 5" 0 '"pre_stop": "5s"' -- import "$M/rahti-docs"
check "terminationGracePeriodSeconds" 0 '"termination_grace": "30s"' -- import "$M/rahti-docs"
check "strategy" 0 '"max_surge": "25%"' -- import "$M/rahti-docs"
check "network policy keys" 0 '"namespace_selector": {' -- import "$M/rahti-docs"
check "network policy labels" 0 '"match_labels": {' -- import "$M/rahti-docs"
check "DeploymentConfig strategy" 0 '"type": "rolling"' -- import "$M/oc-get-list"
# ... and end to end on rahti-2, where policies rule (R40): the docs' namespacelink
# policy lets other-project in, a third namespace stays out.
mkdir -p "$tmp/pol"
cp -r "$M/rahti-docs" "$tmp/pol/k8s"
cat >"$tmp/pol/s.json" <<'JSON'
{"name": "policies", "platform": "rahti-2", "manifests": ["k8s/"],
 "namespaces": [{"name": "other-project", "pods": [{"name": "client"}]},
                {"name": "third", "pods": [{"name": "client"}]}],
 "expect": [
   {"at": "10s", "from": "other-project/client", "to": "http://serve.my-project:8081/", "outcome": "ok"},
   {"at": "10s", "from": "third/client", "to": "http://serve.my-project:8081/", "outcome": "timeout"},
   {"at": "10s", "from": "my-project/nginx", "to": "http://serve:8081/", "outcome": "ok"}]}
JSON
check "policies end to end (rahti-2)" 0 "3 passed" -- run "$tmp/pol/s.json"
rm -f "$tmp/pol/k8s/networkpolicy.yaml"
check "without the policy, other-project is out" 1 "1 failed" -- run "$tmp/pol/s.json"
# A LoadBalancer service (R48): type and externalTrafficPolicy.
cat >"$tmp/lb.yaml" <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop, annotations: {metallb.universe.tf/allow-shared-ip: db}}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector: {app: db}
  ports: [{port: 33306, targetPort: 3306}]
YAML
check "LoadBalancer on rahti-1: a ClusterIP service, noted" 0 "the rahti-1 platform has no load balancers" -- import "$tmp/lb.yaml"
check "LoadBalancer" 0 '"type": "load-balancer"' -- import "$tmp/lb.yaml" --platform rahti-2
check "externalTrafficPolicy" 0 '"external_traffic_policy": "local"' -- import "$tmp/lb.yaml" --platform rahti-2
check "LoadBalancer annotations" 0 '"metallb.universe.tf/allow-shared-ip": "db"' -- import "$tmp/lb.yaml" --platform rahti-2
check "--platform in the output" 0 '"platform": "rahti-2"' -- import "$tmp/lb.yaml" --platform rahti-2
mkdir -p "$tmp/lbs/k8s" && cp "$tmp/lb.yaml" "$tmp/lbs/k8s/"
printf '{"name": "lb", "platform": "rahti-2", "manifests": ["k8s/"]}\n' >"$tmp/lbs/s.json"
check "LoadBalancer under a rahti-2 scenario" 0 "(1 namespaces, 0 workloads, 1 services" -- check "$tmp/lbs/s.json"

# Over the size limit (64 MiB): refused before parsing, file and stdin.
head -c 67108865 /dev/zero | tr '\0' '#' >"$tmp/huge.yaml"
check "64 MiB file" 2 "file too large (the limit is 64 MiB)" -- import "$tmp/huge.yaml"
cp "$tmp/huge.yaml" "$tmp/in"
check "64 MiB stdin" 2 "<stdin>: file too large" -- import -
rm -f "$tmp/in" "$tmp/huge.yaml"

# Usage.
check "no manifests" 2 "expected at least one MANIFEST" -- import
check "unknown option" 2 "unknown option '--bogus'" -- import --bogus x
check "missing file" 2 "cannot read" -- import "$tmp/nope.yaml"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
