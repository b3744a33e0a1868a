#!/usr/bin/env bash
# mutants.sh: a small mutation check (`make check-mutants`, docs/reliability.md).
#
# Applies each mutant of tests/mutants.list to the source tree, one at a
# time, rebuilds the test program that covers it in the build tree and runs
# it: the program must FAIL (a test that cannot fail on a wrong model is no
# test).  Every file is restored afterwards, also on failure or interrupt.
# Usage: tests/mutants.sh BUILD_DIR
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:?usage: tests/mutants.sh BUILD_DIR}" && pwd)
list=$top/tests/mutants.list
saved=$(mktemp -d)
# Puts back the file of a mutant still applied (interrupted) and gives it a
# new time, so make rebuilds what the mutant built.  A restored mutant's
# copy is removed at once: restoring an older copy of the same file with
# its old time (cp -p) would leave the last mutant's objects in the build,
# newer than the source (seen with several mutants in profile.c).
restore() {
    for f in "$saved"/*; do
        case $f in *.path) continue ;; esac
        [ -e "$f" ] || continue
        orig=$(cat "$f.path" 2>/dev/null) || continue
        cp "$f" "$orig"
        touch "$orig"
    done
}
trap 'restore; rm -rf "$saved"; make -C "$build" -s >/dev/null 2>&1 || true' EXIT INT TERM
n=0; survived=0
while IFS='|' read -r file text repl test; do
    case "$file" in ''|'#'*) continue ;; esac
    n=$((n + 1))
    path=$top/$file
    count=$(grep -cF -- "$text" "$path" || true)
    if [ "$count" != 1 ]; then
        echo "mutants.sh: mutant $n: '$text' occurs $count times in $file (must be once)"
        exit 1
    fi
    cp -p "$path" "$saved/$n"
    echo "$path" > "$saved/$n.path"
    MUT_TEXT=$text MUT_REPL=$repl python3 -c '
import os, sys
p = sys.argv[1]; s = open(p).read()
open(p, "w").write(s.replace(os.environ["MUT_TEXT"], os.environ["MUT_REPL"], 1))' "$path"
    if ! make -C "$build" -s "$test" >/dev/null 2>&1; then
        echo "mutants.sh: mutant $n ($file) does not build"
        cp -p "$saved/$n" "$path"; exit 1
    fi
    if "$build/$test" >/dev/null 2>&1; then
        echo "SURVIVED mutant $n: $file: '$text' -> '$repl' ($test passes)"
        survived=$((survived + 1))
    else
        echo "killed   mutant $n: $file ($test fails)"
    fi
    cp "$saved/$n" "$path"
    touch "$path"
    rm -f "$saved/$n" "$saved/$n.path"
done < "$list"
echo "mutants.sh: $n mutants, $survived survived"
[ "$survived" -eq 0 ]
