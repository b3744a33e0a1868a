#!/usr/bin/env bash
# test.sh: set up (Debian packages, build) and run every test (`make check`).
# Exits non-zero on any failure.  Extra arguments go to configure, e.g.
#   RS_BUILD=build-asan ./test.sh --enable-sanitizers --enable-werror
set -euo pipefail
. "$(dirname "$0")/scripts/setup.sh"
rs_install_packages $RS_PACKAGES $RS_TEST_PACKAGES
case "$RS_BUILD" in /*) ;; *) RS_BUILD=$RS_TOP/$RS_BUILD ;; esac
rs_build "$@"
status=0
make -C "$RS_BUILD" -s -j"$(nproc)" check >/dev/null 2>&1 || status=$?

# Show each suite's closing lines (CUnit's run summary, the scenario runners'
# counts), then the failures in full.
for log in $(cd "$RS_BUILD" && find tests -name '*.log' ! -name test-suite.log | sort); do
    echo "--- $log"
    if grep -q 'Run Summary' "$RS_BUILD/$log"; then
        sed -n '/Run Summary/,$p' "$RS_BUILD/$log"
    else
        tail -n 3 "$RS_BUILD/$log"
    fi
done
pass=$(cat "$RS_BUILD"/tests/*.trs "$RS_BUILD"/tests/*/*.trs 2>/dev/null | grep -c '^:test-result: PASS' || true)
fail=$(cat "$RS_BUILD"/tests/*.trs "$RS_BUILD"/tests/*/*.trs 2>/dev/null | grep -c '^:test-result: \(FAIL\|ERROR\|XPASS\)' || true)
if [ "$status" -ne 0 ]; then
    [ -f "$RS_BUILD/test-suite.log" ] && cat "$RS_BUILD/test-suite.log"
fi
echo "test programs: $pass passed, $fail failed"
exit "$status"
