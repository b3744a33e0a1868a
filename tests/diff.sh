#!/bin/sh
# diff.sh: `rahtisim diff OLD NEW` (issue 12): exit 0 without changes, 1 with,
# 2 for bad input; broken and opened cells with the rule of each side;
# exposure changes (whitelist widened, opened by a malformed entry, insecure
# policy, routes removed); every format (text, md, json, junit); stdin for
# one side; --focus; the incremental comparison agrees with --full.
# Environment: RAHTISIM (the program), SRCDIR (the source tree).

: "${RAHTISIM:=./rahtisim}"
: "${SRCDIR:=.}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
M=$SRCDIR/tests/manifests

# check NAME STATUS FRAGMENT -- ARGS...: as in import.sh.
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

result() {
    if [ -z "$2" ]; then
        pass=$((pass + 1))
        echo "ok: $1"
    else
        fail=$((fail + 1))
        echo "FAIL: $1: $2"
        sed 's/^/  | /' "$tmp/out" | head -40
        sed 's/^/  ! /' "$tmp/err" | head -20
    fi
}

# No change: the same manifests twice, and a folder against its import.
check "same folder" 0 "no change in reachability" -- diff "$M/guestbook" "$M/guestbook"
"$RAHTISIM" import "$M/guestbook" --output "$tmp/gb.json" 2>/dev/null
check "folder against its import" 0 "no change" -- diff "$M/guestbook" "$tmp/gb.json"

# The redis leader's service points at a port nobody listens on (R11): every
# pod's request to it breaks, and the rule of each side is given.
cp -r "$M/guestbook" "$tmp/gb-new"
sed 's/targetPort: 6379/targetPort: 6380/' "$M/guestbook/redis-leader-service.yaml" >"$tmp/gb-new/redis-leader-service.yaml"
check "broken service" 1 "broken   default/redis-follower-0 -> http://redis-leader.default:6379/" \
    -- diff "$M/guestbook" "$tmp/gb-new"
check "the rule of the new side" 1 "new: " -- diff "$M/guestbook" "$tmp/gb-new"
check "summary" 1 "3 reachability changes, 0 exposure changes" -- diff "$M/guestbook" "$tmp/gb-new"
check "md" 1 "| broken | default/redis-follower-0 |" -- diff "$M/guestbook" "$tmp/gb-new" --format md
tab=$(printf '\t')
check "json" 1 "\"reachability_changes\":$tab"3 -- diff "$M/guestbook" "$tmp/gb-new" --format json
cp "$tmp/out" "$tmp/incremental.json"
check "json --full" 1 "\"reachability_changes\":$tab"3 -- diff "$M/guestbook" "$tmp/gb-new" --format json --full
why=""
grep -v cells_compared "$tmp/incremental.json" >"$tmp/a"
grep -v cells_compared "$tmp/out" >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" || why="--full found other changes than the incremental diff"
result "incremental agrees with --full" "$why"
check "junit" 1 '<failure message="broken: ok -&gt; refused"' -- diff "$M/guestbook" "$tmp/gb-new" --format junit
if command -v xmllint >/dev/null 2>&1; then
    "$RAHTISIM" diff "$M/guestbook" "$tmp/gb-new" --format junit --output "$tmp/j.xml"
    why=""
    xmllint --noout "$tmp/j.xml" 2>"$tmp/err" || why="not well-formed XML"
    result "junit is XML" "$why"
fi
check "reverse: opened" 1 "opened   default/redis-follower-0" -- diff "$tmp/gb-new" "$M/guestbook"

# stdin for one side, as `git show REV:path | rahtisim diff - path` does it.
for f in "$M"/guestbook/*.yaml; do cat "$f"; echo "---"; done >"$tmp/in"
check "stdin as OLD" 1 "3 reachability changes" -- diff - "$tmp/gb-new"
rm -f "$tmp/in"

# --focus: only changes involving the namespace or object.
check "focus on the object" 1 "redis-leader" -- diff "$M/guestbook" "$tmp/gb-new" --focus default/redis-leader
check "focus elsewhere" 0 "no change" -- diff "$M/guestbook" "$tmp/gb-new" --focus other

# Exposure: the Rahti docs' route, whitelist and insecure policy (R24, R25).
cp -r "$M/rahti-docs" "$tmp/rd-wide"
sed 's|ip_whitelist: 192.168.1.0/24 10.0.0.1|ip_whitelist: 192.168.0.0/16 10.0.0.1|' "$M/rahti-docs/serve.yaml" >"$tmp/rd-wide/serve.yaml"
check "whitelist widened" 1 "my-project/myservice: whitelist widened: 192.168.1.0/24 10.0.0.1 -> 192.168.0.0/16 10.0.0.1 (R25)" \
    -- diff "$M/rahti-docs" "$tmp/rd-wide"
check "whitelist narrowed" 1 "whitelist narrowed" -- diff "$tmp/rd-wide" "$M/rahti-docs"
cp -r "$M/rahti-docs" "$tmp/rd-bad"
sed 's|ip_whitelist: 192.168.1.0/24 10.0.0.1|ip_whitelist: 192.168.1.0/24 10.0.0.300|' "$M/rahti-docs/serve.yaml" >"$tmp/rd-bad/serve.yaml"
check "whitelist opened by a malformed entry" 1 "whitelist opened by a malformed entry" -- diff "$M/rahti-docs" "$tmp/rd-bad"
cp -r "$M/rahti-docs" "$tmp/rd-allow"
sed 's|insecureEdgeTerminationPolicy: Redirect|insecureEdgeTerminationPolicy: Allow|' "$M/rahti-docs/serve.yaml" >"$tmp/rd-allow/serve.yaml"
check "insecure policy" 1 "insecure policy changed: redirect -> allow (R24)" -- diff "$M/rahti-docs" "$tmp/rd-allow"
check "insecure: port 80 reaches the whitelist now (R24, R25)" 1 "redirect -> rejected" -- diff "$M/rahti-docs" "$tmp/rd-allow"

# Bad input and usage: exit 2.
printf 'apiVersion: v1\nkind: Service\nmetadata: {name: [x}\n' >"$tmp/broken.yaml"
check "bad input" 2 "broken.yaml:3:" -- diff "$M/guestbook" "$tmp/broken.yaml"
check "one input" 2 "expected two inputs" -- diff "$M/guestbook"
check "bad format" 2 "unknown --format" -- diff "$M/guestbook" "$M/guestbook" --format xml
check "two stdins" 2 "only one side" -- diff - -

# Load balancers (R48): a port changed, one removed.
cat >"$tmp/lb-old.json" <<'JSON'
{"name": "lb", "platform": "rahti-2",
 "namespaces": [{"name": "shop", "load_balancer_ips": ["86.50.228.10"],
   "deployments": [{"name": "db", "replicas": 1, "labels": {"app": "db"}, "ports": [3306]}],
   "services": [{"name": "db", "type": "load-balancer", "selector": {"app": "db"},
                 "ports": [{"port": 33306, "target_port": 3306}]}]}]}
JSON
sed 's/"port": 33306/"port": 33307/' "$tmp/lb-old.json" >"$tmp/lb-new.json"
check "load balancer changed" 1 "shop/db: load balancer changed: 86.50.228.10:33306 -> 86.50.228.10:33307 (R48)" \
    -- diff "$tmp/lb-old.json" "$tmp/lb-new.json"
sed 's/"type": "load-balancer", //' "$tmp/lb-old.json" >"$tmp/lb-none.json"
check "load balancer removed" 1 "shop/db: load balancer removed: 86.50.228.10:33306 -> (none) (R48)" \
    -- diff "$tmp/lb-old.json" "$tmp/lb-none.json"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
