#!/bin/sh
# limits.sh: a scenario cannot make rahtisim exhaust memory or run forever
# by accident.  Each limit (--max-objects, --max-events, --max-duration) is
# hit by a runaway scenario, which must be refused with exit status 2, one
# error line naming the flag, nothing written, and quickly; the same
# scenario passes the limit once the flag raises it.  The run-time guard
# (engine events executed) is tested with scenarios that are small to load
# but grow while they run: a crash-looping deployment kept for weeks, a
# low --max-events on a normal lesson.
# Environment: RAHTISIM (the program), SRCDIR (the source tree).

: "${RAHTISIM:=./rahtisim}"
: "${SRCDIR:=.}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
# A runaway must be stopped well before this many seconds (timeout(1) if present).
LIMIT_SECONDS=60
if command -v timeout >/dev/null 2>&1; then
    TIMEOUT="timeout $LIMIT_SECONDS"
else
    TIMEOUT=
fi

# result NAME WHY: counts a result; WHY empty means it passed.
result() {
    if [ -z "$2" ]; then
        pass=$((pass + 1))
        echo "ok: $1"
    else
        fail=$((fail + 1))
        echo "FAIL: $1: $2"
        sed 's/^/  ! /' "$tmp/err" | head -5
    fi
}

# refused NAME FRAGMENT CMD...: CMD must exit 2 with one stderr line
# containing FRAGMENT, print nothing and write no $tmp/out.json.
refused() {
    name=$1 fragment=$2
    shift 2
    rm -f "$tmp/out.json"
    $TIMEOUT "$RAHTISIM" "$@" >"$tmp/stdout" 2>"$tmp/err"
    status=$?
    why=""
    if [ "$status" -eq 124 ]; then
        why="still running after ${LIMIT_SECONDS}s"
    elif [ "$status" -ne 2 ]; then
        why="exit status $status, expected 2"
    elif [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
        why="stderr has $(wc -l <"$tmp/err") lines, expected 1"
    elif ! grep -qF -- "$fragment" "$tmp/err"; then
        why="stderr lacks '$fragment'"
    elif [ -s "$tmp/stdout" ]; then
        why="stdout is not empty"
    elif [ -e "$tmp/out.json" ]; then
        why="the output file was written"
    fi
    result "$name" "$why"
}

# accepted NAME STATUS CMD...: CMD must exit with STATUS (0 or 1).
accepted() {
    name=$1 want=$2
    shift 2
    $TIMEOUT "$RAHTISIM" "$@" >"$tmp/stdout" 2>"$tmp/err"
    status=$?
    if [ "$status" -ne "$want" ]; then
        result "$name" "exit status $status, expected $want"
    else
        result "$name" ""
    fi
}

# scenario NAME JSON: writes $tmp/NAME.json.
scenario() {
    printf '%s\n' "$2" >"$tmp/$1.json"
}

# --- objects ---
scenario replicas '{"name": "r", "namespaces": [{"name": "a", "deployments": [{"name": "d", "replicas": 4000000000}]}]}'
refused "replicas: 4000000000" "out of range (0-1000000)" run --output "$tmp/out.json" "$tmp/replicas.json"

scenario objects '{"name": "o", "namespaces": [{"name": "a", "deployments": [{"name": "d", "replicas": 100001}]}]}'
refused "100001 replicas: --max-objects" "raise the limit with --max-objects" run --output "$tmp/out.json" "$tmp/objects.json"
# the namespace counts as an object too (issue 14: 2.4 M empty namespaces took 3.8 GB)
accepted "100001 replicas and a namespace with --max-objects 100002" 0 check --max-objects 100002 "$tmp/objects.json"

scenario scale '{"name": "s", "namespaces": [{"name": "a", "deployments": [{"name": "d"}]}],
  "events": [{"at": "1s", "scale": "a/d", "replicas": 1000000}]}'
refused "scale to 1000000: --max-objects" "raise the limit with --max-objects" run --output "$tmp/out.json" "$tmp/scale.json"
accepted "scale to 1000000 with --max-objects 2000000" 0 check --max-objects=2000000 "$tmp/scale.json"

# Every delete of a deployment's pod makes a replacement the world keeps.
{
    printf '{"name": "churn", "namespaces": [{"name": "a", "deployments": [{"name": "d"}]}], "events": [\n'
    i=0
    while [ $i -lt 40 ]; do
        printf '{"at": "%ds", "delete": "a/d-%d"},\n' $((i + 1)) $i
        i=$((i + 1))
    done
    printf '{"at": "50s", "delete": "a/d-40"}]}\n'
} >"$tmp/churn.json"
refused "recreating a deployment's pod 41 times: --max-objects 30" "--max-objects" \
    run --max-objects 30 --output "$tmp/out.json" "$tmp/churn.json"
accepted "the same with --max-objects 100" 0 run --max-objects 100 "$tmp/churn.json"

# --- events ---
scenario flood '{"name": "f", "duration": "1h", "hosts": [{"name": "h", "ip": "1.2.3.4"}],
  "traffic": [{"name": "t", "from": "h", "to": "http://a.b/", "rate": 1e12}]}'
refused "traffic at 1e12/s for an hour: --max-events" "engine events (10 per request, with the scenario's events), more than --max-events (100000000) allows; raise it with --max-events" run --output "$tmp/out.json" "$tmp/flood.json"

# check and run agree: --max-events counts engine events in both.  Lesson 21
# sends 6217 requests in 37333 engine events; at load a request counts 10.
sticky="$SRCDIR/scenarios/21-sticky-sessions.json"
refused "lesson 21 with --max-events 30000: refused by check" "more than --max-events (30000) allows" \
    check --max-events 30000 "$sticky"
refused "the same by run, at load" "more than --max-events (30000) allows" \
    run --max-events 30000 --output "$tmp/out.json" "$sticky"
accepted "lesson 21 with --max-events 70000: check" 0 check --max-events 70000 "$sticky"
accepted "lesson 21 with --max-events 70000: run" 0 run --max-events 70000 "$sticky"

scenario probes '{"name": "p", "namespaces": [{"name": "a", "pods": [{"name": "p"}]}],
  "expect": [{"at": "1s", "pod": "a/p", "state": "pending"}, {"at": "3s", "pod": "a/p", "state": "ready"},
             {"at": "4s", "pod": "a/p", "state": "ready"}]}'
refused "3 expectations with --max-events 2" "raise the limit with --max-events" check --max-events 2 "$tmp/probes.json"

# Run time: a deployment on a privileged port restarts every 5 minutes
# forever (R4); 1000 replicas for 29 days are 8.4 million events (within
# the default 100 million: under a second, and the event log keeps only its
# first 200 000 entries, so memory stays small), so the guard is shown at 1 million.
scenario crashloop '{"name": "loop", "duration": "696h",
  "namespaces": [{"name": "a", "deployments": [{"name": "d", "replicas": 1000, "ports": [80]}]}]}'
refused "a deployment restarting forever: run-time --max-events" "raise it with --max-events" \
    run --max-events 1000000 --output "$tmp/out.json" "$tmp/crashloop.json"
refused "the same as JSON" "the run reached the event limit (1000000 engine events" \
    run --max-events 1000000 --format json --output "$tmp/out.json" "$tmp/crashloop.json"
scenario crashloop-short '{"name": "loop", "duration": "1h",
  "namespaces": [{"name": "a", "deployments": [{"name": "d", "replicas": 10, "ports": [80]}]}]}'
accepted "a short crash loop within the limit" 0 run "$tmp/crashloop-short.json"

# The whole 29 days within the default limit: the event log stops growing at
# its cap and says how much it left out (bounded memory, not a crash).
$TIMEOUT "$RAHTISIM" run --trace "$tmp/crashloop.json" >"$tmp/trace.txt" 2>"$tmp/err"
status=$?
why=""
[ "$status" -eq 0 ] || why="exit status $status"
grep -q 'later entries not kept (the log keeps its first 200000)' "$tmp/trace.txt" \
    || why="${why:-the trace does not say the log was capped}"
[ "$(grep -c ' R4 ' "$tmp/trace.txt")" -le 200000 ] || why="${why:-more than 200000 log lines}"
result "a crash loop for 29 days: the event log is capped" "$why"

lesson="$SRCDIR/scenarios/02-pod-lifecycle.json"
refused "a lesson with --max-events 20" "the run reached the event limit (20 engine events" \
    run --max-events 20 --output "$tmp/out.json" "$lesson"
accepted "the lesson with the default limit" 0 run "$lesson"

# --- duration ---
scenario years '{"name": "y", "duration": "8760000h"}'
refused "a duration of 1000 years" "is too large" run --output "$tmp/out.json" "$tmp/years.json"
scenario long '{"name": "l", "duration": "1000h", "namespaces": [{"name": "a"}]}'
refused "1000 hours: --max-duration" "raise it with --max-duration" run --output "$tmp/out.json" "$tmp/long.json"
accepted "1000 hours with --max-duration 1001h" 0 run --max-duration 1001h "$tmp/long.json"
scenario late '{"name": "l", "namespaces": [{"name": "a", "pods": [{"name": "p"}]}],
  "expect": [{"at": "2000h", "pod": "a/p", "state": "ready"}]}'
refused "an expectation after 2000 hours: --max-duration" "--max-duration" check "$tmp/late.json"
accepted "with --max-duration 2001h" 0 check --max-duration 2001h "$tmp/late.json"

# --- the flags themselves ---
refused "--max-events 0" "--max-events takes a whole number" run --max-events 0 "$lesson"
refused "--max-objects 5000000000" "--max-objects takes a whole number" check --max-objects 5000000000 "$lesson"
refused "--max-duration -1s" "--max-duration takes a duration" check --max-duration -1s "$lesson"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
