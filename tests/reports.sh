#!/bin/sh
# reports.sh: the CI report formats of `rahtisim run` are well-formed and complete.
#  - --format tap: "TAP version 13", a plan 1..N that matches the test points,
#    one point per expectation, a YAML block (---/...) for each failure;
#  - --format junit: well-formed XML (xmllint), one <testcase> per
#    expectation, one <failure> per failed one;
#  - a hostile scenario (markup, quotes,
#    `#`, `]]>` in its name; newlines and tabs in descriptions) changes neither;
#  - --output FILE writes exactly what stdout would get, and a failed write
#    leaves nothing behind;
#  - --format json: every expectation has a "description" string ("" when
#    the scenario gave none);
#  - --trace adds the event log to every format: a "log" array of
#    {"at_ns", "rule", "text"} in JSON, comment lines in TAP, the suite's
#    <system-out> in JUnit; without --trace none of them has it.
# Environment: RAHTISIM (the program), SRCDIR (the source tree).

: "${RAHTISIM:=./rahtisim}"
: "${SRCDIR:=.}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

check() {   # check NAME WHY: WHY empty means it passed
    if [ -z "$2" ]; then
        pass=$((pass + 1)); echo "ok: $1"
    else
        fail=$((fail + 1)); echo "FAIL: $1: $2"
    fi
}

if ! command -v xmllint >/dev/null 2>&1; then
    echo "SKIP: xmllint is not installed (apt-get install libxml2-utils)"
    exit 77
fi

# A scenario whose strings try to break every format.
cat >"$tmp/hostile.json" <<'JSON'
{
  "name": "evil <b>&amp;</b> \"q\" 'a' ]]> # not a directive, second line end",
  "description": "</testsuite><testsuite name=\"x\">",
  "namespaces": [{"name": "fenic",
    "deployments": [{"name": "web", "replicas": 2, "labels": {"app": "web"}, "ports": [8080]}],
    "pods": [{"name": "debug", "labels": {"app": "debug"}}],
    "services": [{"name": "web", "selector": {"app": "web"}, "ports": [{"port": 80, "target_port": 8080}]}]}],
  "traffic": [{"name": "t<&>\"'#", "from": "fenic/debug", "to": "http://web/", "rate": "50/s", "start": "3s", "stop": "6s"}],
  "expect": [
    {"at": "5s", "from": "fenic/debug", "to": "http://web/", "outcome": "ok",
     "description": "passes <ok> & \"fine\"\nok 99 - injected # TODO\n]]>"},
    {"at": "5s", "from": "fenic/debug", "to": "http://web/", "outcome": "timeout",
     "description": "fails \t with <markup> & a newline\nnot ok 98 - injected"},
    {"traffic": "t<&>\"'#", "share": {"ok": {"max": 0.5}},
     "description": "a traffic expectation that fails </failure>"}
  ]
}
JSON

# tap_ok FILE EXPECTED_TOTAL EXPECTED_FAILED
tap_ok() {
    head -n 1 "$1" | grep -qx 'TAP version 13' || { echo "no TAP version line"; return; }
    plan=$(sed -n 2p "$1")
    [ "$plan" = "1..$2" ] || { echo "plan '$plan', expected 1..$2"; return; }
    points=$(grep -cE '^(not )?ok [0-9]+ ' "$1")
    [ "$points" -eq "$2" ] || { echo "$points test points, expected $2"; return; }
    nok=$(grep -cE '^not ok [0-9]+ ' "$1")
    [ "$nok" -eq "$3" ] || { echo "$nok failures, expected $3"; return; }
    [ "$(grep -c '^  ---$' "$1")" -eq "$3" ] || { echo "a failure without its YAML block"; return; }
    [ "$(grep -c '^  \.\.\.$' "$1")" -eq "$3" ] || { echo "an unterminated YAML block"; return; }
    # Every line is a version, plan, point, comment or YAML line.
    bad=$(grep -vE '^(TAP version 13|1\.\.[0-9]+|(not )?ok [0-9]+ - .*|# .*|  .*)$' "$1" | head -n 1)
    [ -z "$bad" ] || { echo "stray line: $bad"; return; }
    # Test points are numbered 1..N in order.
    grep -E '^(not )?ok [0-9]+ ' "$1" | sed -E 's/^(not )?ok ([0-9]+) .*/\2/' >"$tmp/nums"
    seq 1 "$2" | cmp -s - "$tmp/nums" || echo "points are not numbered 1..$2"
}

# junit_ok FILE EXPECTED_TOTAL EXPECTED_FAILED
junit_ok() {
    xmllint --noout "$1" 2>"$tmp/xmlerr" || { echo "not well-formed: $(head -n 2 "$tmp/xmlerr")"; return; }
    n=$(xmllint --xpath 'count(//testsuite/testcase)' "$1")
    [ "$n" = "$2" ] || { echo "$n testcases, expected $2"; return; }
    f=$(xmllint --xpath 'count(//testcase/failure)' "$1")
    [ "$f" = "$3" ] || { echo "$f failures, expected $3"; return; }
    t=$(xmllint --xpath 'string(/testsuites/@tests)' "$1")
    [ "$t" = "$2" ] || echo "testsuites tests=$t, expected $2"
}

# A scenario that holds, one whose expectations all fail, the hostile one,
# and all three in one run.
lesson="$SRCDIR/scenarios/20-traffic-pod-failure.json"
wrong="$SRCDIR/tests/scenarios/traffic-wrong.json"
n_lesson=$("$RAHTISIM" run --format json "$lesson" | grep -c '"index":')
n_wrong=$("$RAHTISIM" run --format json "$wrong" | grep -c '"index":')

"$RAHTISIM" run --format tap "$lesson" >"$tmp/a.tap"; st=$?
why=$(tap_ok "$tmp/a.tap" "$n_lesson" 0); [ "$st" -eq 0 ] || why="exit $st $why"
check "tap: a passing scenario" "$why"

"$RAHTISIM" run --format tap "$wrong" >"$tmp/b.tap"; st=$?
why=$(tap_ok "$tmp/b.tap" "$n_wrong" "$n_wrong"); [ "$st" -eq 1 ] || why="exit $st $why"
check "tap: a failing scenario" "$why"

"$RAHTISIM" run --format tap "$tmp/hostile.json" >"$tmp/c.tap"; st=$?
why=$(tap_ok "$tmp/c.tap" 3 2); [ "$st" -eq 1 ] || why="exit $st $why"
check "tap: hostile strings stay on their line" "$why"

"$RAHTISIM" run --format tap "$lesson" "$wrong" "$tmp/hostile.json" >"$tmp/d.tap"
check "tap: several scenarios, one plan" "$(tap_ok "$tmp/d.tap" $((n_lesson + n_wrong + 3)) $((n_wrong + 2)))"

"$RAHTISIM" run --format junit "$lesson" >"$tmp/a.xml"; st=$?
why=$(junit_ok "$tmp/a.xml" "$n_lesson" 0); [ "$st" -eq 0 ] || why="exit $st $why"
check "junit: a passing scenario" "$why"

"$RAHTISIM" run --format junit "$wrong" >"$tmp/b.xml"
check "junit: a failing scenario" "$(junit_ok "$tmp/b.xml" "$n_wrong" "$n_wrong")"

"$RAHTISIM" run --format junit "$tmp/hostile.json" >"$tmp/c.xml"
why=$(junit_ok "$tmp/c.xml" 3 2)
if [ -z "$why" ]; then
    # The name survives as text, not markup: one suite, and its name round-trips.
    [ "$(xmllint --xpath 'count(//testsuite)' "$tmp/c.xml")" = 1 ] || why="the description made a second suite"
    xmllint --xpath 'string(//testsuite/@name)' "$tmp/c.xml" | grep -q '^evil <b>&amp;</b> "q"' ||
        why="the suite name did not round-trip"
fi
check "junit: hostile strings are escaped" "$why"

"$RAHTISIM" run --format junit "$lesson" "$wrong" "$tmp/hostile.json" >"$tmp/d.xml"
why=$(junit_ok "$tmp/d.xml" $((n_lesson + n_wrong + 3)) $((n_wrong + 2)))
[ -n "$why" ] || [ "$(xmllint --xpath 'count(//testsuite)' "$tmp/d.xml")" = 3 ] || why="not three suites"
check "junit: several scenarios, one suite each" "$why"

# The failure carries the explanation.
xmllint --xpath 'string(//testcase/failure)' "$tmp/b.xml" | grep -q '^why:'
check "junit: a failure explains why" "$([ $? -eq 0 ] || echo 'no why: in the failure text')"

# --output writes what stdout gets; a failed write leaves nothing.
"$RAHTISIM" run --format junit --output "$tmp/out.xml" "$lesson" >"$tmp/stdout"
why=""
cmp -s "$tmp/out.xml" "$tmp/a.xml" || why="--output differs from stdout"
[ -s "$tmp/stdout" ] && why="$why; --output also printed to stdout"
check "--output FILE" "$why"
"$RAHTISIM" run --format tap --output "$tmp/missing/dir/out.tap" "$lesson" 2>/dev/null; st=$?
why=""
[ "$st" -eq 2 ] || why="exit $st, expected 2"
[ -e "$tmp/missing" ] && why="$why; something was created"
check "--output into a missing folder fails cleanly" "$why"

# Byte-identical on a second run (R37).
"$RAHTISIM" run --format junit "$lesson" "$wrong" "$tmp/hostile.json" >"$tmp/d2.xml"
"$RAHTISIM" run --format tap "$lesson" "$wrong" "$tmp/hostile.json" >"$tmp/d2.tap"
why=""
cmp -s "$tmp/d.xml" "$tmp/d2.xml" || why="junit differs"
cmp -s "$tmp/d.tap" "$tmp/d2.tap" || why="$why tap differs"
check "deterministic (R37)" "$why"

# JSON: "description" is always there, a string ("" when none was given).
cat >"$tmp/nodesc.json" <<'JSON'
{
  "name": "nodesc",
  "namespaces": [{"name": "fenic", "pods": [{"name": "debug"}, {"name": "web", "ports": [8080]}]}],
  "events": [{"at": "6s", "delete": "fenic/web"}],
  "expect": [
    {"at": "5s", "from": "fenic/debug", "to": "http://@fenic/web:8080/", "outcome": "ok"},
    {"at": "7s", "from": "fenic/debug", "to": "http://@fenic/web:8080/", "outcome": "timeout",
     "description": "R9: gone"}
  ]
}
JSON
"$RAHTISIM" run --format json "$tmp/nodesc.json" >"$tmp/nd.json"; st=$?
why=""
[ "$st" -eq 0 ] || why="exit $st"
[ "$(grep -c '"description":' "$tmp/nd.json")" -eq 2 ] || why="$why; not one description per expectation"
grep -q "$(printf '"description":\t""')" "$tmp/nd.json" || why="$why; no empty description string"
grep -q '"log":' "$tmp/nd.json" && why="$why; a log without --trace"
check "json: description always present, \"\" when none" "$why"

# --trace: the event log in JSON, TAP and JUnit, entry for entry as in the text.
"$RAHTISIM" run --trace "$tmp/nodesc.json" | sed -n '/^what happened:$/,/^$/p' | grep -c '^  ' >"$tmp/nlog"
n_log=$(cat "$tmp/nlog")
"$RAHTISIM" run --trace --format json "$tmp/nodesc.json" >"$tmp/tr.json"; st=$?
why=""
[ "$st" -eq 0 ] || why="exit $st"
[ "$n_log" -gt 3 ] || why="$why; only $n_log log lines in the text report"
grep -q '"log":' "$tmp/tr.json" || why="$why; no log array"
[ "$(grep -c '"at_ns":' "$tmp/tr.json")" -eq "$n_log" ] || why="$why; $(grep -c '"at_ns":' "$tmp/tr.json") entries, expected $n_log"
grep -q "$(printf '"at_ns":\t6000000000,')" "$tmp/tr.json" || why="$why; no entry at 6 s (the deletion)"
grep -q "$(printf '"rule":\t"R8",')" "$tmp/tr.json" || why="$why; no R8 entry"
grep -q "$(printf '"text":\t"fenic/web deleted')" "$tmp/tr.json" || why="$why; no deletion text: $(grep '"text"' "$tmp/tr.json" | head -n 8)"
check "json --trace: a log array of {at_ns, rule, text}" "$why"

"$RAHTISIM" run --trace --format json "$lesson" "$tmp/nodesc.json" >"$tmp/tr2.json"
[ "$(grep -c '"log":' "$tmp/tr2.json")" -eq 2 ]
check "json --trace: one log per run" "$([ $? -eq 0 ] || echo "$(grep -c '"log":' "$tmp/tr2.json") logs")"

"$RAHTISIM" run --trace --format tap "$tmp/nodesc.json" >"$tmp/tr.tap"
why=$(tap_ok "$tmp/tr.tap" 2 0)
grep -q '^# what happened:$' "$tmp/tr.tap" || why="$why; no log"
[ "$(grep -c '^#  .*s  ' "$tmp/tr.tap")" -eq "$n_log" ] || why="$why; not $n_log log lines"
check "tap --trace: the log as comment lines" "$why"

"$RAHTISIM" run --trace --format junit "$tmp/nodesc.json" >"$tmp/tr.xml"
why=$(junit_ok "$tmp/tr.xml" 2 0)
xmllint --xpath 'string(/testsuites/testsuite/system-out)' "$tmp/tr.xml" | grep -q "R8 .*fenic/web deleted" ||
    why="$why; no log in the suite's system-out"
"$RAHTISIM" run --format junit "$tmp/nodesc.json" >"$tmp/notr.xml"
[ "$(xmllint --xpath 'count(/testsuites/testsuite/system-out)' "$tmp/notr.xml")" = 0 ] || why="$why; a log without --trace"
check "junit --trace: the log in the suite's system-out" "$why"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
