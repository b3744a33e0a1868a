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

# C1, C5: `check` warns about a route target_port that is the service's port,
# and about `random` balance on rahti-1.
G=${SRCDIR:-.}/tests/good/corrections-warnings.json
expect 0 "write 8080 or the port's name" "" -- check "$G"
expect 0 "does not exist in rahti-1's HAProxy 1.8" "" -- check "$G"

# export haproxy (issue 13): bad usage exits 2 and writes nothing; an
# existing folder that is not an export is refused; an export is replaced.
S26=${SRCDIR:-.}/scenarios/27-router-config.json
E=$(mktemp -d)
expect 2 "" "--output DIR is required" -- export haproxy "$S26"
expect 2 "" "what to export" -- export nginx "$S26" --output "$E/x"
expect 2 "" "the router has 1 replica" -- export haproxy "$S26" --replica 7 --output "$E/x"
expect 2 "" "--bind takes" -- export haproxy "$S26" --bind nowhere --output "$E/x"
expect 2 "" "--map-pods takes" -- export haproxy "$S26" --map-pods 127.1.0.0 --output "$E/x"
if [ -e "$E/x" ] || ls -a "$E" | grep -q tmp; then
    echo "FAIL: a refused export left files behind"; ls -la "$E"; fail=$((fail + 1))
else
    pass=$((pass + 1))
fi
mkdir "$E/other" && touch "$E/other/keep"
expect 2 "" "not an earlier export" -- export haproxy "$S26" --output "$E/other"
expect 0 "" "" -- export haproxy "$S26" --output "$E/x" --bind 127.0.0.1:8080:8443
expect 0 "" "" -- export haproxy "$S26" --output "$E/x"
for f in haproxy.cfg os_http_be.map os_edge_reencrypt_be.map os_sni_passthrough.map os_tcp_be.map \
        os_route_http_redirect.map cert_config.map ca.pem default_pub_keys.pem pods/vault.rahtiapp.fi.pem; do
    if [ -s "$E/x/$f" ] || [ "$f" = cert_config.map ]; then pass=$((pass + 1)); else echo "FAIL: export wrote no $f"; fail=$((fail + 1)); fi
done
if [ -e "$E/other/keep" ] && grep -q "bind 193.167.189.101:80" "$E/x/haproxy.cfg"; then
    pass=$((pass + 1))
else
    echo "FAIL: the refused folder was touched, or the second export did not replace the first"; fail=$((fail + 1))
fi
rm -rf "$E"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
