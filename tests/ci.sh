#!/bin/sh
# ci.sh: what a CI job needs (issue 12): expectation ids as JUnit/TAP/JSON
# names, load warnings in every report format, `check --strict`, a JUnit file
# with an <error> case for bad input, the matrix expectation (inline and from
# a golden file written by `rahtisim matrix --format json`), durations like
# 1m20s, and the R12 warning for calls to another namespace's service.
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
    "$RAHTISIM" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
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
        sed 's/^/  | /' "$tmp/out" | head -30
        sed 's/^/  ! /' "$tmp/err" | head -10
    fi
}

# A scenario with ids, a warning (a privileged port, R4), a 1m20s duration,
# a call to another namespace's service (R12) and two matrix expectations.
cat >"$tmp/s.json" <<'JSON'
{
  "name": "ci",
  "namespaces": [
    {"name": "a", "deployments": [{"name": "web", "replicas": 1, "labels": {"app": "web"}, "ports": [8080]}],
     "pods": [{"name": "low", "ports": [80]}],
     "services": [{"name": "web", "selector": {"app": "web"}, "ports": [{"port": 80, "target_port": 8080}]}]},
    {"name": "b", "pods": [{"name": "client"}]}
  ],
  "expect": [
    {"id": "same-namespace", "at": "1m20s", "from": "a/web", "to": "http://web/", "outcome": "ok"},
    {"id": "other-namespace", "at": "5s", "from": "b/client", "to": "http://web.a/", "outcome": "ok"},
    {"id": "walls", "at": "5s", "matrix": {"from": ["a/web", "b/client"], "to": ["http://web.a/"],
                                           "expect": ["ok", "timeout"]}}
  ]
}
JSON
check "1m20s is 80 s" 0 "ok (2 namespaces" -- check "$tmp/s.json"
check "R12 warning" 0 "warning: \`b/client\` calls service \`web\` of namespace \`a\`: services answer only their own namespace, so it times out (R12)" \
    -- check "$tmp/s.json"
check "--strict fails on warnings" 1 "warning:" -- check --strict "$tmp/s.json"
check "--strict passes without" 0 "0 warnings" -- check --strict "$M/oc-get-list"
check "text: warnings with their rule (R4)" 1 "  $tmp/s.json:5:41: warning: port 80 is privileged" -- run "$tmp/s.json"
check "text: warnings with their rule (R12)" 1 "so it times out (R12)" -- run "$tmp/s.json"
check "text: warnings also with --quiet" 1 "  $tmp/s.json:11:69: warning: \`b/client\` calls service" -- run "$tmp/s.json" --quiet
check "run: ids in text" 1 "PASS same-namespace (line 10)" -- run "$tmp/s.json"
check "run: inline matrix" 1 "PASS walls (line 12) matrix 2x1 at 5s: all 2 cells as expected" -- run "$tmp/s.json"
check "run: the R12 probe fails" 1 "FAIL other-namespace" -- run "$tmp/s.json"
check "junit: ids are test names" 1 '<testcase classname="rahtisim.ci" name="same-namespace">' -- run "$tmp/s.json" --format junit
check "junit: warnings in system-err" 1 "<system-err>$tmp/s.json:" -- run "$tmp/s.json" --format junit
check "tap: ids are test names" 1 "ok 1 - ci same-namespace (line 10)" -- run "$tmp/s.json" --format tap
check "tap: warnings as diagnostics" 1 "# $tmp/s.json:" -- run "$tmp/s.json" --format tap
check "json: ids" 1 '"id":	"walls"' -- run "$tmp/s.json" --format json
check "json: warnings" 1 '"warnings":	["' -- run "$tmp/s.json" --format json
sed 's/"expect": \["ok", "timeout"\]/"expect": ["ok", "ok"]/' "$tmp/s.json" >"$tmp/wrong.json"
check "matrix: a wrong cell fails" 1 "b/client -> http://web.a/: timeout, not ok" -- run "$tmp/wrong.json"

# A golden matrix: written by `rahtisim matrix --format json`, then pinned.
mkdir "$tmp/repo"
cp -r "$M/rahti-docs" "$tmp/repo/k8s"
"$RAHTISIM" matrix "$tmp/repo/k8s" --at 10s --format json >"$tmp/repo/k8s.matrix.json" 2>/dev/null
cat >"$tmp/repo/guard.json" <<'JSON'
{"name": "golden", "manifests": ["k8s/"],
 "expect": [{"id": "golden", "at": "10s", "matrix": {"golden": "k8s.matrix.json"}}]}
JSON
check "golden: holds" 0 "PASS golden" -- run "$tmp/repo/guard.json"
sed 's|ip_whitelist: 192.168.1.0/24 10.0.0.1|ip_whitelist: 0.0.0.0/0|' "$M/rahti-docs/serve.yaml" >"$tmp/repo/k8s/serve.yaml"
check "golden: a change fails it" 1 "FAIL golden" -- run "$tmp/repo/guard.json"
check "golden: the cell that changed" 1 "my-project/nginx -> https://myservice.rahtiapp.fi/: ok, not rejected" -- run "$tmp/repo/guard.json"
printf '{"name": "g", "expect": [{"at": "1s", "matrix": {"golden": "nope.json"}}]}\n' >"$tmp/repo/missing.json"
check "golden: missing file" 2 "cannot read the golden matrix" -- check "$tmp/repo/missing.json"
printf '{"sources": [], "destinations": [], "cells": {}}\n' >"$tmp/repo/bad.matrix.json"
printf '{"name": "g", "expect": [{"at": "1s", "matrix": {"golden": "bad.matrix.json"}}]}\n' >"$tmp/repo/badg.json"
check "golden: errors name the golden file" 2 "bad.matrix.json:1:1: not a matrix written by" -- check "$tmp/repo/badg.json"

# Bad input with --format junit still writes a JUnit file with an <error> case.
check "junit: bad input exits 2" 2 "" -- run "$SRCDIR/tests/bad/outcome-typo.json" --format junit --output "$tmp/bad.xml"
why=""
grep -q '<error type="bad-input" message="' "$tmp/bad.xml" 2>/dev/null || why="no <error> test case in the JUnit file"
result "junit: the <error> case" "$why"
if command -v xmllint >/dev/null 2>&1; then
    why=""
    xmllint --noout "$tmp/bad.xml" 2>"$tmp/err" || why="not well-formed XML"
    result "junit: the error file is XML" "$why"
fi

# Every error of a file's events, traffic and expectations at once (up to 20).
cat >"$tmp/errs.json" <<'JSON'
{"name": "errors", "namespaces": [{"name": "a", "pods": [{"name": "p"}]}],
 "expect": [{"at": "1s", "pod": "a/p", "state": "redy"},
            {"at": "2s", "pod": "a/p", "state": "ready", "colour": "red"},
            {"at": "3s", "from": "a/p", "to": "http://x/", "outcome": "timout"}]}
JSON
"$RAHTISIM" check "$tmp/errs.json" >"$tmp/out" 2>"$tmp/err"
why=""
[ "$(grep -c "^rahtisim: $tmp/errs.json:" "$tmp/err")" -eq 3 ] || why="not 3 error lines"
grep -q "expect\[2\].outcome: unknown outcome \`timout\` (did you mean \`timeout\`?)" "$tmp/err" || why="the third error is missing"
result "three errors at once" "$why"
{
    printf '{"name": "many", "namespaces": [{"name": "a", "pods": [{"name": "p"}]}], "expect": ['
    i=0
    while [ $i -lt 25 ]; do printf '%s{"at": "1s", "pod": "a/p", "state": "x%d"}' "$([ $i -gt 0 ] && echo ,)" $i; i=$((i + 1)); done
    printf ']}\n'
} >"$tmp/many.json"
"$RAHTISIM" check "$tmp/many.json" >"$tmp/out" 2>"$tmp/err"
st=$?
why=""
[ "$st" -eq 2 ] || why="exit $st"
[ "$(wc -l <"$tmp/err")" -eq 20 ] || why="$(wc -l <"$tmp/err") error lines, expected 20"
result "at most 20 errors" "$why"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
