#!/bin/sh
# valgrind.sh: `make check-valgrind`: every scenario and every test program
# under valgrind's memcheck: zero errors, zero definite or indirect leaks.
#   scenarios/*.json, tests/scenarios/*.json, the built-in scenario: run, as
#   text (with --trace) and as JSON; tests/good/*.json: check; every
#   tests/bad/*.json: check and run (the error paths free what they made);
#   a run stopped by --max-events; then each program given as an argument
#   (the unit tests and the fuzz replays, from make).
# Environment: VALGRIND (the command with its flags, --error-exitcode=1),
# RAHTISIM (the program), SRCDIR (the source tree).

: "${RAHTISIM:=./rahtisim}"
: "${SRCDIR:=.}"
: "${VALGRIND:=valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
VG_STATUS=99   # valgrind's --error-exitcode must not clash with rahtisim's 0, 1, 2
VALGRIND=$(echo "$VALGRIND" | sed "s/--error-exitcode=[0-9]*/--error-exitcode=$VG_STATUS/")

# vg NAME MAXSTATUS CMD...: runs CMD under valgrind; fails on a valgrind
# error or an exit status above MAXSTATUS (2 for rahtisim, 0 for tests).
vg() {
    name=$1 max=$2
    shift 2
    $VALGRIND --log-file="$tmp/vg.log" "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$status" -eq "$VG_STATUS" ] || [ -s "$tmp/vg.log" ] || [ "$status" -gt "$max" ]; then
        fail=$((fail + 1))
        echo "FAIL: $name (exit $status)"
        sed 's/^/  | /' "$tmp/vg.log" | head -60
        tail -n 5 "$tmp/err" | sed 's/^/  ! /'
    else
        pass=$((pass + 1))
        echo "ok: $name"
    fi
}

for f in "$SRCDIR"/scenarios/*.json "$SRCDIR"/tests/scenarios/*.json; do
    vg "run --trace $f" 2 "$RAHTISIM" run --trace "$f"
    vg "run --format json $f" 2 "$RAHTISIM" run --format json --output "$tmp/out.json" "$f"
done
vg "run (the built-in scenario)" 2 "$RAHTISIM" run
vg "run --format json (the built-in scenario)" 2 "$RAHTISIM" run --format json
for f in "$SRCDIR"/tests/good/*.json; do
    vg "check $f" 2 "$RAHTISIM" check "$f"
done
for f in "$SRCDIR"/tests/bad/*.json; do
    vg "check $f" 2 "$RAHTISIM" check "$f"
    vg "run $f" 2 "$RAHTISIM" run --output "$tmp/bad.json" "$f"
done
vg "run stopped by --max-events" 2 "$RAHTISIM" run --max-events 30 "$SRCDIR/scenarios/02-pod-lifecycle.json"
for prog in "$@"; do
    vg "$prog" 0 "./$prog"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
