#!/usr/bin/env bash
# tests/cli.sh: the command line's contract (scenario-format.md, "Command line"):
# help, version, unknown and ambiguous commands, unbuilt commands, exit codes.
set -u
R=${RAHTISIM:-./rahtisim}
pass=0 fail=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# expect STATUS STDOUT-FRAGMENT STDERR-FRAGMENT -- ARGS...
expect() {
    local want=$1 o=$2 e=$3; shift 4
    "$R" "$@" >"$out" 2>"$err" </dev/null
    local got=$?
    if [ "$got" -ne "$want" ] || { [ -n "$o" ] && ! grep -qF -- "$o" "$out"; } \
        || { [ -n "$e" ] && ! grep -qF -- "$e" "$err"; }; then
        echo "FAIL: rahtisim $* -> exit $got (want $want)"; sed 's/^/  out: /' "$out"; sed 's/^/  err: /' "$err"
        fail=$((fail + 1))
    else
        echo "ok: rahtisim $*"
        pass=$((pass + 1))
    fi
}

expect 0 "Usage: rahtisim COMMAND" "" -- --help
expect 0 "Usage: rahtisim COMMAND" "" -- -h
expect 0 "Usage: rahtisim COMMAND" "" -- help
expect 0 "rahtisim " "" -- --version
expect 0 "rahtisim " "" -- version
expect 0 "Usage: rahtisim run" "" -- help run
expect 0 "Usage: rahtisim check" "" -- check --help
expect 0 "Usage: rahtisim bench" "" -- help ben
expect 2 "" "Usage: rahtisim COMMAND" --
expect 2 "" "unknown command 'rnu'; did you mean 'run'?" -- rnu
expect 2 "" "unknown command 'frobnicate'" -- frobnicate
expect 2 "" "unknown option '--frob'" -- --frob
expect 2 "" "unknown command 'xyzzy'" -- help xyzzy
expect 2 "" "version takes no arguments" -- version extra
for c in explain dig matrix topology; do
    if "$R" help "$c" | grep -q "Not built yet"; then
        expect 2 "" "$c: not built yet" -- "$c" x.json
    fi
done

# C1, C5: `check` warns about a route target_port that is the service's port,
# and about `random` balance on rahti-1.
G=${SRCDIR:-.}/tests/good/corrections-warnings.json
expect 0 "write 8080 or the port's name" "" -- check "$G"
expect 0 "does not exist in rahti-1's HAProxy 1.8" "" -- check "$G"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
