#!/bin/sh
# topology.sh: the topology draws the real paths and shows the router's
# loaded configuration (R28).  The DOT graph is rendered by Graphviz (dot
# must accept it and lay it out as SVG) and its edges are read back from
# the rendered graph with gvpr, so the assertions are on the graph Graphviz
# drew, not on our text: client -> VIP -> router replica -> route -> pods,
# pod -> service -> pods, pod -> egress IP -> host (R20, R28, R30, R32-R36).
# `explain` cites R28 when a pending reload decided the answer.  On rahti-2
# the network policies' verdicts between namespaces and pods (R40-R47).
# Environment: RAHTISIM (the program), SRCDIR (the source tree).  Needs
# graphviz (RS_TEST_PACKAGES in scripts/setup.sh): missing it FAILS.

: "${RAHTISIM:=./rahtisim}"
: "${SRCDIR:=.}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
S=$SRCDIR/scenarios
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }

for tool in dot gvpr; do
    command -v "$tool" >/dev/null 2>&1 || { echo "FAIL: $tool (graphviz) is not installed"; exit 1; }
done

# edges NAME SCENARIO AT: renders the DOT of SCENARIO at AT to SVG and lists
# the rendered graph's edges in $tmp/NAME.edges as `tail -> head [label]`.
edges() {
    n=$1 sc=$2 at=$3
    if ! "$RAHTISIM" topology "$sc" --at "$at" --format dot >"$tmp/$n.dot" 2>"$tmp/$n.err"; then
        bad "$n: topology --format dot failed: $(cat "$tmp/$n.err")"; return
    fi
    if ! timeout 60 dot -Tsvg "$tmp/$n.dot" >"$tmp/$n.svg" 2>"$tmp/$n.err" || ! grep -q '<svg' "$tmp/$n.svg"; then
        bad "$n: graphviz cannot render it: $(cat "$tmp/$n.err")"; return
    fi
    ok "$n: graphviz renders it"
    timeout 60 dot -Tdot "$tmp/$n.dot" |
        gvpr 'E { print($.tail.name, " -> ", $.head.name, " [", $.label, "]") }' >"$tmp/$n.edges"
}

# has NAME EDGE: the rendered graph NAME has an edge line containing EDGE.
has() {
    if grep -qF -- "$2" "$tmp/$1.edges"; then ok "$1: $2"; else bad "$1: no edge '$2'"; sed 's/^/  | /' "$tmp/$1.edges" | head -40; fi
}
# hasnt NAME TEXT: no edge line contains TEXT.
hasnt() {
    if grep -qF -- "$2" "$tmp/$1.edges"; then bad "$1: an edge has '$2'"; grep -F -- "$2" "$tmp/$1.edges" | head -5; else ok "$1: no '$2'"; fi
}

# Lesson 13 at 23 s: route busy exists since 22 s, router-0 loaded at 20 s.
edges reloads "$S/13-reloads.json" 23s
has reloads "host:laptop -> vip: [80]"
has reloads "vip: -> router:router-0 []"
has reloads "router:router-0 -> route:fenic/old []"
has reloads "router:router-0 -> route:fenic/busy [not loaded yet (R28)]"
has reloads "route:fenic/old -> pod:fenic/web-"
has reloads "svc:fenic/web -> pod:fenic/web-"
hasnt reloads "route:fenic/old -> svc:"     # the router sends to pods, not through the service (R20)
hasnt reloads "weight"
# At 4 s the pods are ready but router-0 loaded at 0 s: dotted "not loaded yet".
edges early "$S/13-reloads.json" 4s
has early "route:fenic/old -> pod:fenic/web-0 [ready, not loaded yet (R28)]"

# Lesson 17: each namespace's own egress address, and the host that drops the shared one.
edges egress "$S/17-egress.json" 3s
has egress "pod:fenic/worker -> egress:fenic [R33]"
has egress "egress:fenic -> host:licence [27000]"
has egress "pod:lumi/worker -> egress: [R32]"
has egress "egress: -> host:licence [27000 dropped (R36)]"
has egress "egress: -> host:api [443]"
hasnt egress "egress:fenic -> host:licence [27000 dropped"

# Lesson 18: a pod calling its own route goes out and back in (R34).
edges hairpin "$S/18-hairpin.json" 8s
has hairpin "egress: -> vip: [hairpin (R34)]"

# Lesson 06: namespaces are walls (R2, R12): the edge is there, dashed, dropped.
edges walls "$S/06-namespaces.json" 5s
has walls "pod:lumi/client -> svc:fenic/web [80 dropped: another namespace (R12)]"
has walls "pod:lumi/client -> svc:lumi/web [80]"

# Network policies on rahti-2 (R40-R47): one edge from namespace box to box
# when every pod pair gets the same verdict, with the policy that decided;
# per pod pair and port where they differ.  Lesson 30 at 5 s: the default
# policies (R40) wall shop in; open has none (R41).
edges pol30 "$S/30-default-policies.json" 5s
has pol30 "pod:lab/client -> pod:shop/web-0 [every pod of lab -> shop: dropped: shop/allow-same-namespace (+1) isolate it, none admits lab (R42)]"
has pol30 "pod:lab/client -> pod:open/web-0 [every pod of lab -> open: allowed: no policy isolates it (R41)]"
has pol30 "pod:shop/web-0 -> pod:open/web-0 [every pod of shop -> open: allowed"
hasnt pol30 "-> pod:lab/client"          # client listens on no port: nothing to reach
# at 25 s allow-same-namespace is gone from the data plane (R47): the box says so
"$RAHTISIM" topology "$S/30-default-policies.json" --at 25s --format dot >"$tmp/pol30b.dot" 2>&1
if grep -qF '"policies:shop" [shape=plaintext, label="its pods to each other:\ndropped: shop/allow-from-openshift-ingress isolates it, none admits shop (R42)"]' "$tmp/pol30b.dot" &&
   ! grep -qF '"policy:shop/allow-same-namespace"' "$tmp/pol30b.dot"; then
    ok "pol30 at 25s: shop's pods are cut off from each other (R47), the removed policy is not drawn"
else
    bad "pol30 at 25s: no inside verdict or the removed policy is drawn"; grep -F 'polic' "$tmp/pol30b.dot" | head
fi
if grep -qF '"policy:shop/allow-from-openshift-ingress" [shape=note, label="policy allow-from-openshift-ingress (default, R40)\nselects every pod\ningress rule 1: ns policy-group.network.openshift.io/ingress="]' "$tmp/pol30b.dot"; then
    ok "pol30: a policy node says what it selects and allows (R40, R43)"
else
    bad "pol30: no policy node"; grep -F 'policy:' "$tmp/pol30b.dot" | head
fi
# A policy that selects one pod and one port: the pairs differ, one edge each.
cat >"$tmp/pol.json" <<'JSON'
{"name": "policy-picture", "platform": "rahti-2",
 "namespaces": [
  {"name": "db", "labels": {"team": "db"},
   "pods": [{"name": "pg", "labels": {"app": "pg"}, "ports": [5432]},
            {"name": "admin", "labels": {"app": "admin"}, "ports": [8080]}],
   "network_policies": [
     {"name": "pg-from-api", "pod_selector": {"match_labels": {"app": "pg"}},
      "ingress": [{"from": [{"namespace_selector": {"match_labels": {"team": "api"}},
                             "pod_selector": {"match_labels": {"app": "api"}}}],
                   "ports": [{"port": 5432}]}]}]},
  {"name": "api", "labels": {"team": "api"},
   "pods": [{"name": "api", "labels": {"app": "api"}, "ports": [8080]},
            {"name": "batch", "labels": {"app": "batch"}}]}]}
JSON
edges pol "$tmp/pol.json" 4s
has pol "pod:api/api -> pod:db/pg [5432: allowed by db/pg-from-api (R42)]"
has pol "pod:api/batch -> pod:db/pg [5432: dropped: db/allow-same-namespace (+2) isolate it, none admits api (R42)]"
has pol "pod:api/api -> pod:db/admin [8080: dropped:"
has pol "pod:db/pg -> pod:api/api [every pod of db -> api: dropped:"
# rahti-1 has no policies (R39): no policy edges
edges nopol "$S/06-namespaces.json" 5s
hasnt nopol "every pod of"
hasnt nopol "allowed by"

# Lesson 08: the route label has the path, TLS mode and admission.
"$RAHTISIM" topology "$S/08-routes.json" --format dot >"$tmp/routes.dot" 2>&1
if grep -q 'admitted (R22)' "$tmp/routes.dot" && grep -q 'tls none' "$tmp/routes.dot"; then
    ok "route labels: tls mode and admission"
else
    bad "route labels: no tls mode or admission"; grep route "$tmp/routes.dot" | head -5
fi
# Lesson 10: the port 80 policy; lesson 11: the whitelist.
if "$RAHTISIM" topology "$S/10-insecure.json" --format dot | grep -q 'port 80: redirect' &&
   "$RAHTISIM" topology "$S/11-whitelist.json" --format dot | grep -q 'whitelist .* (R25)'; then
    ok "route labels: insecure policy and whitelist"
else
    bad "route labels: no insecure policy or whitelist"
fi

# Text topology and explain: the loaded configuration vs the truth (R28).
check_text() {
    name=$1 frag=$2
    shift 2
    if "$RAHTISIM" "$@" >"$tmp/out" 2>&1 && grep -qF -- "$frag" "$tmp/out"; then
        ok "$name"
    else
        bad "$name: no '$frag' (rahtisim $*)"; sed 's/^/  | /' "$tmp/out" | head -40
    fi
}
check_text "topology: when router-0 loaded, when it reloads next" \
    "router-0 (up, in the VIP's rotation): configuration loaded at 20s, 2 routes, 4 servers; next reload at 25s (R28)" \
    topology "$S/13-reloads.json" --at 23s
check_text "topology: a route admitted but not loaded" \
    "route fenic/busy is admitted but not loaded: its host gets 503 until the reload at 25s (R28)" \
    topology "$S/13-reloads.json" --at 23s
check_text "topology: endpoints not loaded yet" \
    "route fenic/old: loaded 0 server pods, the truth has 2 ready endpoints; 2 not loaded" \
    topology "$S/13-reloads.json" --at 4s
check_text "explain: a route waiting for the reload cites R28" \
    "R28   route fenic/busy for busy-fenic.rahtiapp.fi exists and is admitted, but router-0 loaded its configuration at 20s, before it: it is served from the reload at 25s" \
    explain "$S/13-reloads.json" --from laptop --to http://busy-fenic.rahtiapp.fi/ --at 23s
check_text "explain: endpoints waiting for the reload cite R28" \
    "R28   the truth has 2 ready endpoints for route fenic/old (the first ready at 2s), but router-0 loaded its configuration at 0s" \
    explain "$S/13-reloads.json" --from laptop --to http://old-fenic.rahtiapp.fi/ --at 4s
check_text "explain: R28 among the rules cited" "R28  " \
    explain "$S/13-reloads.json" --from laptop --to http://busy-fenic.rahtiapp.fi/ --at 23s
check_text "run: the probe's explanation cites R28 too" \
    "exists and is admitted, but router-1 loaded its configuration at 20s, before it: it is served from the reload at 25s (R28)" \
    run "$S/13-reloads.json" --format json

echo "topology: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
