#!/bin/sh
# determinism.sh: the same scenario and seed give byte-identical output (R37).
# Every scenario (scenarios/*.json, tests/scenarios/*.json and the built-in
# one) is run as text and as JSON, twice, and again under other time zones,
# locales and working directories; every output and exit status must match
# the first.  `check` output (tests/good/) is compared the same way.  The
# JSON report must record the version and the seed.
# Environment: RAHTISIM (the program), SRCDIR (the source tree).

: "${RAHTISIM:=./rahtisim}"
: "${SRCDIR:=.}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
case "$RAHTISIM" in /*) ;; *) RAHTISIM=$(pwd)/$RAHTISIM ;; esac
case "$SRCDIR" in /*) ;; *) SRCDIR=$(pwd)/$SRCDIR ;; esac
pass=0
fail=0
mkdir "$tmp/elsewhere"

# Locales to try: C, and a UTF-8 one and a Finnish one when installed.
locales="C"
for l in C.UTF-8 C.utf8 fi_FI.UTF-8 fi_FI.utf8 en_US.UTF-8; do
    if locale -a 2>/dev/null | grep -qix "$l"; then
        locales="$locales $l"
    fi
done
echo "locales: $locales"

# variant N: runs the command of this round (set in $cmd) in environment
# variant N (0 the reference), storing stdout+status in $tmp/out.N.
variant() {
    n=$1
    case $n in
    0) env TZ=UTC LC_ALL=C sh -c "cd '$SRCDIR' && $cmd" ;;
    1) env TZ=UTC LC_ALL=C sh -c "cd '$SRCDIR' && $cmd" ;;
    2) env TZ=Pacific/Kiritimati LC_ALL=C sh -c "cd '$tmp/elsewhere' && $cmd" ;;
    3) env TZ=America/St_Johns LC_ALL="$loc" sh -c "cd / && $cmd" ;;
    4) env -u TZ LC_ALL="$loc" LANG="$loc" sh -c "cd '$tmp' && $cmd" ;;
    esac >"$tmp/out.$n" 2>&1
    echo "exit $?" >>"$tmp/out.$n"
}

# compare NAME: runs every variant of $cmd and compares with variant 0.
compare() {
    variant 0
    why=""
    for loc in $locales; do
        for n in 1 2 3 4; do
            variant $n
            if ! cmp -s "$tmp/out.0" "$tmp/out.$n"; then
                why="variant $n (LC_ALL=$loc) differs: $(diff "$tmp/out.0" "$tmp/out.$n" | head -3 | tr '\n' ' ')"
                break 2
            fi
        done
    done
    if [ -z "$why" ] && [ "$(wc -l <"$tmp/out.0")" -lt 2 ]; then
        why="no output"
    fi
    if [ -z "$why" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $1: $why"
    fi
}

for f in "$SRCDIR"/scenarios/*.json "$SRCDIR"/tests/scenarios/*.json ""; do
    name=${f:-"the built-in scenario"}
    for format in text json; do
        cmd="'$RAHTISIM' run --trace --format $format $f"
        [ "$format" = json ] && cmd="'$RAHTISIM' run --format json $f"
        compare "$name ($format)"
    done
    cmd="'$RAHTISIM' run --seed 12345 --format json $f"
    compare "$name (json, --seed 12345)"
    # The JSON report records the version and the seed.
    "$RAHTISIM" run --seed 12345 --format json $f >"$tmp/json" 2>/dev/null
    version=$("$RAHTISIM" --version 2>/dev/null | sed -n '1s/.* \([0-9][0-9.]*\).*/\1/p')
    if ! grep -q '"seed":[[:space:]]*12345' "$tmp/json"; then
        fail=$((fail + 1)); echo "FAIL: $name: the JSON report does not record seed 12345"
    elif [ -n "$version" ] && ! grep -q "\"rahtisim\":[[:space:]]*\"$version\"" "$tmp/json"; then
        fail=$((fail + 1)); echo "FAIL: $name: the JSON report does not record version $version"
    else
        pass=$((pass + 1))
    fi
done
for f in "$SRCDIR"/tests/good/*.json; do
    cmd="'$RAHTISIM' check $f"
    compare "check $f"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
