#!/usr/bin/env bash
# scripts/lint.sh [BUILD]: the static checks of .ci/run; exits non-zero on any finding.
#
#  - clang-tidy, bug-finding checks (clang-analyzer-*, bugprone-*), over every
#    C file of src/ with the flags of the build: BUILD/compile_commands.json,
#    recorded by bear while BUILD is built.  Left out, with the reason:
#      clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling:
#        asks for C11 Annex K (memcpy_s, ...), which glibc does not have;
#      bugprone-easily-swappable-parameters: a naming style, not a bug (every
#        (const char *ns, const char *name) pair is reported);
#      bugprone-sizeof-expression: its 44 findings are glib's g_clear_pointer
#        (sizeof of a pointer on purpose) and `sizeof *p` of arrays of
#        pointers (qsort, memmove), which is what they mean;
#      bugprone-narrowing-conversions: -Wconversion (the build's warning set)
#        already judges conversions; this check flags int -> char after an
#        explicit cast (all 9 findings);
#      clang-analyzer-unix.Malloc: all of its 23 findings (2026-12-05) are
#        false: 21 "potential leak" of a g_autofree/g_autoptr variable (the
#        analyzer of clang-tidy 14 does not model __attribute__((cleanup)),
#        so every early return of such a function "leaks"), one leak of an
#        array handed to a GArray whose caller frees it (loader-policy.c,
#        lint_namespace's ports), and one "size zero" g_renew in
#        service.c:view_update (cap_pods is 0 only for a gone view, which
#        view_update refuses before it grows anything; clang-tidy reports
#        that one with the check off too, under no check name, so it is
#        suppressed inline there as well).  What the check is
#        for (leaks, double frees, use after free) the suite's
#        AddressSanitizer + LeakSanitizer run in .ci/run checks on every
#        test.  `RS_LINT_MALLOC=1 scripts/lint.sh` shows them again.
#  - cppcheck (warning, portability) on src/ with glib's macros known
#    (--library=gtk and scripts/cppcheck-glib.cfg).  It gets the include
#    folders, not the compile database: with the database it parses all of
#    glib's headers for every file (over 10 minutes instead of 15 seconds).
#    Suppressed everywhere, with the reason:
#      varFuncNullUB: NULL as the end of a variadic list; glibc defines NULL
#        as ((void *)0) and glib's own API (g_strconcat, g_build_filename)
#        relies on the same sentinel.
# False positives in the code are suppressed inline, each with its reason
# (`cppcheck-suppress ID ; why`, `NOLINT(check): why`).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build-lint}
case "$build" in /*) ;; *) build=$top/$build ;; esac
jobs=${RS_LINT_JOBS:-2}

# -O0: the database needs the flags, not optimised code.
if [ ! -f "$build/Makefile" ]; then
    mkdir -p "$build"
    (cd "$build" && "$top/configure" -q CFLAGS=-O0)
fi
if [ ! -f "$build/compile_commands.json" ] || [ -n "$(find "$top/src" "$top/include" -newer "$build/compile_commands.json" -name '*.[ch]' | head -n 1)" ]; then
    echo "==> compile database (bear, $build)"
    make -C "$build" -s clean >/dev/null
    (cd "$build" && bear --output compile_commands.json -- make -s -j"$jobs" librahtisim.a rahtisim >/dev/null)
fi

status=0
echo "==> cppcheck (database: ${SECONDS}s)"
cppcheck -q --std=c11 --enable=warning,portability --inline-suppr --error-exitcode=1 \
    --library=gtk --library="$top/scripts/cppcheck-glib.cfg" \
    --suppress=missingIncludeSystem --suppress=varFuncNullUB \
    -I "$top/include" -I "$top/src" -I "$build" -j"$jobs" "$top/src" || status=1

echo "==> clang-tidy (so far: ${SECONDS}s)"
checks='-*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling'
checks="$checks,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-sizeof-expression,-bugprone-narrowing-conversions"
[ "${RS_LINT_MALLOC:-0}" = 1 ] || checks="$checks,-clang-analyzer-unix.Malloc"
out=$(cd "$top" && find src -name '*.c' | sort | xargs -n 8 -P "$jobs" \
    clang-tidy -quiet -p "$build" --checks="$checks" --warnings-as-errors='*' 2>/dev/null) || status=1
if [ -n "$out" ]; then
    printf '%s\n' "$out"
    status=1
fi
[ "$status" -eq 0 ] && echo "lint: no findings (${SECONDS}s)"
exit "$status"
