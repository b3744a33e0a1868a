#!/bin/sh
# scenarios.sh: scenarios as end-to-end tests.
#  - every scenarios/*.json (the course, one lesson per rule group) must hold:
#    `rahtisim run` exits 0, and a second run prints byte-identical output (R37);
#  - every tests/scenarios/*.json is a scenario whose expectations are all
#    wrong on purpose (one file per kind of expectation and rule): `run` must
#    exit 1 with every expectation failed, each with an explanation;
#  - the JSON report of each has the spec's top-level keys.
# Environment: RAHTISIM (the program), SRCDIR (the source tree).

: "${RAHTISIM:=./rahtisim}"
: "${SRCDIR:=.}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

# report NAME WHY: counts a result; WHY empty means it passed.
report() {
    if [ -z "$2" ]; then
        pass=$((pass + 1))
        echo "ok: $1"
    else
        fail=$((fail + 1))
        echo "FAIL: $1: $2"
        sed 's/^/  | /' "$tmp/out" | head -40
        sed 's/^/  ! /' "$tmp/err" | head -10
    fi
}

# json_ok FILE: the JSON report has the keys scenario-format.md lists.
json_ok() {
    "$RAHTISIM" run --format json "$1" >"$tmp/json" 2>"$tmp/err"
    for key in '"rahtisim"' '"scenario"' '"seed"' '"profile"' '"duration_ns"' '"events"' \
               '"expectations"' '"traffic"' '"summary"'; do
        grep -q "^	$key:" "$tmp/json" || { echo "no top-level $key"; return; }
    done
}

for f in "$SRCDIR"/scenarios/*.json; do
    why=""
    "$RAHTISIM" run "$f" >"$tmp/out" 2>"$tmp/err"
    st=$?
    [ "$st" -eq 0 ] || why="exit status $st, expected 0"
    if [ -z "$why" ]; then
        "$RAHTISIM" run "$f" >"$tmp/out2" 2>&1
        cmp -s "$tmp/out" "$tmp/out2" || why="a second run printed something else"
    fi
    [ -n "$why" ] || why=$(json_ok "$f")
    report "holds: ${f#$SRCDIR/}" "$why"
done

for f in "$SRCDIR"/tests/scenarios/*.json; do
    why=""
    "$RAHTISIM" run "$f" >"$tmp/out" 2>"$tmp/err"
    st=$?
    if [ "$st" -ne 1 ]; then
        why="exit status $st, expected 1"
    elif ! tail -n 1 "$tmp/out" | grep -q ': 0 passed, [1-9][0-9]* failed$'; then
        why="some expectation passed: $(tail -n 1 "$tmp/out")"
    elif [ "$(grep -c '^FAIL #' "$tmp/out")" -ne "$(grep -c '^      expected: ' "$tmp/out")" ]; then
        why="a failure without its expected/observed lines"
    fi
    [ -n "$why" ] || why=$(json_ok "$f")
    report "fails as it must: ${f#$SRCDIR/}" "$why"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
