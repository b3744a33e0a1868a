#!/bin/sh
# teach.sh: the teaching commands from the command line (explain, dig,
# matrix, topology, run --quiz): exit statuses, usage errors, the facts a
# student must see, plain output on a pipe, colour on request, NO_COLOR,
# and byte-identical output on a second run (R37); the limits bind them as
# they bind run: a huge --at exits 2 at once, naming the flag.
# Environment: RAHTISIM (the program), SRCDIR (the source tree).

: "${RAHTISIM:=./rahtisim}"
: "${SRCDIR:=.}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
S=$SRCDIR/scenarios

# check NAME STATUS FRAGMENT -- ARGS...: runs rahtisim with ARGS (stdin from
# $tmp/in when it exists), expects the exit STATUS and FRAGMENT (a fixed
# string, searched in stdout and stderr; empty: none).
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
    if [ -z "$why" ]; then
        pass=$((pass + 1))
        echo "ok: $name"
    else
        fail=$((fail + 1))
        echo "FAIL: $name: $why (rahtisim $*)"
        sed 's/^/  | /' "$tmp/out" | head -30
        sed 's/^/  ! /' "$tmp/err" | head -5
    fi
}

# same NAME -- ARGS...: a second run prints byte-identical output (R37).
same() {
    name=$1
    shift 2
    "$RAHTISIM" "$@" >"$tmp/a" 2>&1 </dev/null
    "$RAHTISIM" "$@" >"$tmp/b" 2>&1 </dev/null
    if cmp -s "$tmp/a" "$tmp/b"; then
        pass=$((pass + 1)); echo "ok: $name"
    else
        fail=$((fail + 1)); echo "FAIL: $name: two runs differ"; diff "$tmp/a" "$tmp/b" | head -10
    fi
}

# --- explain ---
check "explain: a service hop by hop" 0 "service   R13   fenic/nginx:80 sends to fenic/nginx-" -- \
    explain "$S/00-fenic.json" --from fenic/debug --to http://nginx/ --at 5s
check "explain: the DNS query with its rule" 0 "dns       R17   query nginx.fenic.svc.cluster.local: 172.30.1.0" -- \
    explain "$S/00-fenic.json" --from fenic/debug --to http://nginx/ --at 5s
check "explain: the namespace wall" 0 "namespace R12   fenic/nginx is reachable only from namespace fenic" -- \
    explain "$S/00-fenic.json" --from other/client --to http://nginx.fenic/ --at 5s
check "explain: a timeout still exits 0" 0 "outcome: timeout" -- \
    explain "$S/00-fenic.json" --from other/client --to http://nginx.fenic/ --at 5s
check "explain: the rules cited, with titles" 0 "R12  services are reachable from their own namespace only" -- \
    explain "$S/00-fenic.json" --from other/client --to http://nginx.fenic/ --at 5s
check "explain: a stale pod IP (R9)" 0 "no live pod holds 10.128.0.1: dropped" -- \
    explain "$S/00-fenic.json" --from fenic/debug --to http://@fenic/nginx-0:8081/ --at 15s
check "explain: from a deployment" 0 "sent from fenic/nginx-" -- \
    explain "$S/00-fenic.json" --from fenic/nginx --to tcp://mongo:27017
check "explain: default --at is the settled time" 0 "fenic/debug -> http://web/ at 4s" -- \
    explain "$S/06-namespaces.json" --from fenic/debug --to http://web/
check "explain: with routes, the router's reload counts (R28)" 0 "fenic/debug -> http://nginx/ at 8s" -- \
    explain "$S/00-fenic.json" --from fenic/debug --to http://nginx/
check "explain: plain on a pipe" 0 "" -- explain "$S/00-fenic.json" --from fenic/debug --to http://nginx/
if grep -q "$(printf '\033')" "$tmp/out"; then
    fail=$((fail + 1)); echo "FAIL: explain printed escape sequences to a pipe"
else
    pass=$((pass + 1)); echo "ok: no escape sequences on a pipe"
fi
check "explain: --color always" 0 "$(printf '\033[32mok')" -- \
    explain "$S/00-fenic.json" --from fenic/debug --to http://nginx/ --color always
check "explain: --from is required" 2 "explain: --from X and --to URL are required" -- \
    explain "$S/00-fenic.json" --to http://nginx/
check "explain: unknown pod" 2 "rahtisim: explain: --from fenic/nobody: no pod or deployment" -- \
    explain "$S/00-fenic.json" --from fenic/nobody --to http://nginx/
check "explain: unknown namespace" 2 "the scenario has no namespace lumi" -- \
    explain "$S/00-fenic.json" --from lumi/x --to http://nginx/
check "explain: bad URL" 2 "rahtisim: explain: --to nginx:" -- \
    explain "$S/00-fenic.json" --from fenic/debug --to nginx
check "explain: bad --at" 2 "--at takes a time" -- \
    explain "$S/00-fenic.json" --from fenic/debug --to http://nginx/ --at soon
check "explain: an option of another command" 2 "explain: unknown option '--format'" -- \
    explain "$S/00-fenic.json" --from fenic/debug --to http://nginx/ --format json
check "explain: missing scenario file" 2 "rahtisim: " -- \
    explain "$tmp/none.json" --from fenic/debug --to http://nginx/
check "explain: no scenario" 2 "explain: missing arguments" -- explain --from fenic/debug --to http://nginx/
same "explain: deterministic" -- explain "$S/03-services.json" --from fenic/debug --to http://sticky/ --at 6s

# --- smaller truths (issue 16) ---
check "explain: a pod's own 400 is not the router's" 0 "the client sees: HTTP 400: the router or the pod could not read the request" -- \
    explain "$S/09-tls.json" --from fenic/debug --to http://inner:443/ --at 6s
check "explain: TLS inside the cluster is checked against the name asked for (R23)" 0 \
    "pod       R23   the certificate of fenic/wrong-0 (port 8443) is valid for elsewhere.fenic.svc, not for wrong: the client's TLS check fails" -- \
    explain "$S/09-tls.json" --from fenic/debug --to https://wrong/ --at 6s
check "explain: egress from a namespace the pool could not serve cites R33" 0 \
    "egress    R33   namespace lumi asked for a dedicated egress IP, but the pool was empty when it was created: it keeps the shared one" -- \
    explain "$S/17-egress.json" --from lumi/worker --to tcp://licence.example.org:27000 --at 3s
if command -v script >/dev/null 2>&1; then
    script -qec "stty cols 60; \"$RAHTISIM\" run \"$S/13-reloads.json\"" /dev/null >"$tmp/out" 2>&1
    # The description: the lines between the header and "simulated ...".
    long=$(tr -d '\r' <"$tmp/out" | awk '/^  simulated/ { exit } NR > 1 && length > 60' | wc -l)
    if [ "$long" -eq 0 ] && grep -q "^  The router does not watch the cluster live: each replica" "$tmp/out"; then
        pass=$((pass + 1)); echo "ok: descriptions wrap to a 60-column terminal"
    else
        fail=$((fail + 1)); echo "FAIL: descriptions do not wrap to a 60-column terminal"; head -5 "$tmp/out"
    fi
else
    fail=$((fail + 1)); echo "FAIL: script (bsdutils) is missing: cannot test wrapping on a terminal"
fi
"$RAHTISIM" run "$S/13-reloads.json" | grep -q "^  The router does not watch .* the reload at 5 s.$" &&
    { pass=$((pass + 1)); echo "ok: a pipe gets one line per description"; } ||
    { fail=$((fail + 1)); echo "FAIL: a pipe does not get one line per description"; }

check "matrix: the legend explains a pod's W on a route (hairpin, R34)" 0 "W from a pod: its request leaves through its namespace's egress IP" -- \
    matrix "$S/11-whitelist.json"
# The man page's SYNOPSIS names every command of `rahtisim help`, and bench requests.
man="$SRCDIR/docs/rahtisim.1"
missing=""
for c in $("$RAHTISIM" help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }') "bench requests" "bench engine"; do
    sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$man" | grep -q "^\.B rahtisim $c" || missing="$missing $c"
done
for sec in "SCENARIO FORMAT" ERRORS ENVIRONMENT "EXIT STATUS" FILES EXAMPLES; do
    grep -q "^\.SH $sec" "$man" || missing="$missing section:$sec"
done
grep -q "JSONPATH" "$man" && grep -q "NO_COLOR" "$man" || missing="$missing error-format/NO_COLOR"
if [ -z "$missing" ]; then pass=$((pass + 1)); echo "ok: the man page names every command and section"
else fail=$((fail + 1)); echo "FAIL: the man page lacks:$missing"; fi

# --- dig ---
check "dig: the search walk" 0 ";; QUERY 2" -- dig "$S/05-dns.json" nginx.fenic --from fenic/debug --at 5s
check "dig: the answer section" 0 "nginx.fenic.svc.cluster.local.  IN A  172.30.10.80" -- \
    dig "$S/05-dns.json" nginx.fenic --from fenic/debug --at 5s
check "dig: ndots" 0 "has 4 dots, fewer than ndots:5" -- \
    dig "$S/05-dns.json" nginx.fenic.svc.cluster.local --from fenic/debug --at 5s
check "dig: trailing dot" 0 "ends with a dot: a complete name" -- \
    dig "$S/05-dns.json" nginx.fenic.svc.cluster.local. --from fenic/debug --at 5s
check "dig: nxdomain exits 0" 0 ";; FINAL ANSWER: NXDOMAIN (nxdomain) after 4 queries" -- \
    dig "$S/05-dns.json" mongo --from fenic/debug --at 5s
check "dig: headless answers" 0 "peers.fenic.svc.cluster.local.  IN A  10.128.0.3" -- \
    dig "$S/04-endpoint-views.json" peers --from fenic/debug --at 5s
check "dig: a pre-created public name" 0 "IN CNAME  rahtiapp.fi." -- \
    dig "$S/05-dns.json" myapp.rahtiapp.fi --from fenic/debug --at 5s
check "dig: NAME is required" 2 "dig: missing arguments" -- dig "$S/05-dns.json" --from fenic/debug
check "dig: --from is required" 2 "dig: --from X is required" -- dig "$S/05-dns.json" nginx
check "dig: --to is not dig's" 2 "dig: unknown option '--to'" -- \
    dig "$S/05-dns.json" nginx --from fenic/debug --to http://x/
same "dig: deterministic" -- dig "$S/05-dns.json" nginx --from other/client

# --- matrix ---
check "matrix: the namespace wall" 0 "other/client   T  T  T  T  T  T  T" -- matrix "$S/00-fenic.json" --at 5s
check "matrix: the legend" 0 "  T  timeout          no answer at all: packets dropped" -- matrix "$S/00-fenic.json" --at 5s
check "matrix: the destinations" 0 "    1  svc fenic/nginx:80" -- matrix "$S/00-fenic.json" --at 5s
check "matrix: refused by a failed pod (R4)" 0 "fenic/debug              R  .  R  .  ." -- \
    matrix "$S/02-pod-lifecycle.json" --at 5s
check "matrix: csv" 0 "other/client,timeout,timeout," -- matrix "$S/00-fenic.json" --at 5s --format csv
check "matrix: json" 0 '"letters":' -- matrix "$S/00-fenic.json" --at 5s --format json
check "matrix: bad format" 2 "matrix: --format takes text, csv or json, not 'xml'" -- \
    matrix "$S/00-fenic.json" --format xml
same "matrix: deterministic" -- matrix "$S/03-services.json" --at 6s

# --- topology ---
check "topology: a tree" 0 "|-- namespace fenic  egress 193.167.189.25 (shared, R32)" -- topology "$S/00-fenic.json"
check "topology: ClusterIP and mapping" 0 "service nginx  172.30.1.0  80 -> 8081" -- topology "$S/00-fenic.json"
check "topology: the data plane lags (R15)" 0 "(gone: a stale entry, R15)" -- topology "$S/00-fenic.json" --at 10.5s
check "topology: dot" 0 "digraph rahtisim {" -- topology "$S/00-fenic.json" --format dot
check "topology: bad format" 2 "topology: --format takes text or dot" -- topology "$S/00-fenic.json" --format png
same "topology: deterministic" -- topology "$S/04-endpoint-views.json" --at 10.5s

# --- limits: --at within --max-duration; --max-events bounds the simulation ---
start=$(date +%s)
check "limits: matrix --at beyond --max-duration" 2 \
    "matrix: --at 100000h is beyond the duration limit (720h); raise it with --max-duration" -- \
    matrix "$S/00-fenic.json" --at 100000h
check "limits: explain --at beyond --max-duration" 2 "explain: --at 1000000h is beyond the duration limit" -- \
    explain "$S/00-fenic.json" --from fenic/debug --to http://nginx/ --at 1000000h
check "limits: dig --at beyond --max-duration" 2 "raise it with --max-duration" -- \
    dig "$S/05-dns.json" nginx --from fenic/debug --at 31d
check "limits: topology --at beyond a lowered --max-duration" 2 "--at 2h is beyond the duration limit (1h)" -- \
    topology "$S/01-pod-ips.json" --at 2h --max-duration 1h
check "limits: a raised --max-duration lets --at through" 0 "cluster rahti-1 at 2h" -- \
    topology "$S/01-pod-ips.json" --at 2h --max-duration 2h
check "limits: explain stops at --max-events" 2 \
    "explain: simulating up to 700h reached the event limit (1000 engine events" -- \
    explain "$S/08-routes.json" --from fenic/debug --to http://web/ --at 700h --max-events 1000
check "limits: topology stops at --max-events" 2 "raise it with --max-events, or choose an earlier --at" -- \
    topology "$S/08-routes.json" --at 700h --max-events 1000
check "limits: dig stops at --max-events" 2 "reached the event limit" -- \
    dig "$S/08-routes.json" web --from fenic/debug --at 700h --max-events 1000
check "limits: matrix bounds all its cells together" 2 \
    "45 cells at 10h need more than the event limit (28828 engine events in all: 28823 to reach 10h" -- \
    matrix "$S/08-routes.json" --at 10h --max-events 28828
# The world is built once for all the cells (src/teach/matrix.c): 30
# namespaces, 3 600 cells, within 20 000 events; re-simulating per cell took
# 3 600 x 121.
awk -v n=30 'BEGIN {
    printf "{\"name\": \"m30\", \"namespaces\": [\n"
    for (i = 0; i < n; i++)
        printf "{\"name\": \"ns%d\", \"pods\": [{\"name\": \"client\", \"labels\": {\"app\": \"c\"}}], \"deployments\": [{\"name\": \"web\", \"replicas\": 1, \"labels\": {\"app\": \"web\"}, \"ports\": [8080]}], \"services\": [{\"name\": \"web\", \"selector\": {\"app\": \"web\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]}]}%s\n", i, (i < n - 1 ? "," : "")
    print "]}"
}' >"$tmp/m30.json"
check "limits: matrix builds the world once, not once per cell" 0 "ns29/client,timeout" -- \
    matrix "$tmp/m30.json" --format csv --max-events 20000
check "limits: matrix within the budget" 0 "reachability in routes at 1h" -- \
    matrix "$S/08-routes.json" --at 1h --max-events 100000
took=$(($(date +%s) - start))
if [ "$took" -le 20 ]; then
    pass=$((pass + 1)); echo "ok: limits: the refusals are quick (${took}s)"
else
    fail=$((fail + 1)); echo "FAIL: limits: the checks took ${took}s"
fi

# --- help ---
check "help bench: both benchmarks" 0 "bench requests [--pods P]" -- help bench
check "help matrix: the limits" 0 "once (again per 8192 cells) and every cell's request runs in it" -- help matrix

# --- run --quiz ---
printf 'refused\nok\ntimeout\ntimeout\nT\nok\n' >"$tmp/in"
check "quiz: all right from a pipe" 0 "score: 6 of 6 answered" -- run --quiz "$S/02-pod-lifecycle.json"
printf 'ok\n' >"$tmp/in"
check "quiz: answers run out" 0 "score: 0 of 1 answered (6 questions)" -- run --quiz "$S/02-pod-lifecycle.json"
check "quiz: context: who holds the address, ready since when" 0 "its data plane lists fenic/api-0 (10.128.0.2, ready since 2s)" -- run --quiz "$S/02-pod-lifecycle.json"
check "quiz: reveals why" 0 "R4, R14: a failed pod is never ready" -- run --quiz "$S/02-pod-lifecycle.json"
rm -f "$tmp/in"
check "quiz: the built-in scenario" 0 "Quiz: fenic" -- run --quiz
check "quiz: does not combine with --format" 2 "run --quiz: '--format' does not combine" -- \
    run --quiz --format json "$S/02-pod-lifecycle.json"
check "quiz: one scenario" 2 "run --quiz: one scenario at a time" -- \
    run --quiz "$S/01-pod-ips.json" "$S/02-pod-lifecycle.json"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
