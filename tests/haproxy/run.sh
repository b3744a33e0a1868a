#!/usr/bin/env bash
# tests/haproxy/run.sh: the differential test: the simulator's router model
# against a real HAProxy running what `rahtisim export haproxy` writes
# (docs/fidelity.md).
#
# For each profile (rahti-1: the OKD 3.11 template; rahti-2: the OKD 4.x
# template), on loopback only:
#   1. export the scenario's router configuration at 9 s, pods moved into a
#      127.R.0.0/16 of this run (--map-pods), frontends on 127.0.0.1 at two
#      free ports chosen now (--bind);
#   2. start the stub pods (stub.py, one listener per pod port of pods.tsv)
#      and Debian's haproxy with the export (foreground, -db);
#   3. ask the simulator for every probe of the scenario (`run --format json`)
#      and send the same probes, in the same order, with curl from the
#      probes' 127.0.0.x source addresses (compare.py);
#   4. compare outcome, HTTP status and serving pod, probe by probe.
# Every process it starts is stopped on exit (trap), the whole test is
# bounded (each curl by --max-time 5, haproxy's start by 10 s), and if
# haproxy cannot start the test fails with haproxy's log.
#
# Environment: RAHTISIM (the program), SRCDIR (the source tree).
set -u
: "${RAHTISIM:=./rahtisim}"
: "${SRCDIR:=.}"
here=$SRCDIR/tests/haproxy
tmp=$(mktemp -d) || exit 99
cleanup() {
    # every process started (stub pods, haproxy), also on failure
    if [ -f "$tmp/pids" ]; then
        while read -r p; do kill "$p" 2>/dev/null; done <"$tmp/pids"
        sleep 0.2
        while read -r p; do kill -9 "$p" 2>/dev/null; done <"$tmp/pids"
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

for tool in haproxy curl python3 openssl; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (scripts/setup.sh RS_TEST_PACKAGES)"; exit 1; }
done
haproxy -v | head -n 1

# free_port: a TCP port nothing listens on now, on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# one_profile PROFILE: the whole comparison for one profile; its output goes
# to $tmp/PROFILE.out, its status is the function's.
one_profile() {
    local profile=$1 status=0
    echo "=== $profile"
    sc=$tmp/$profile.json
    if [ "$profile" = rahti-1 ]; then
        cp "$here/rahti-1.json" "$sc"
    else
        # the same routes and probes on rahti-2: its app domain and template
        sed -e 's/rahtiapp\.fi/2.rahtiapp.fi/g' -e 's/"rahti-1"/"rahti-2"/' -e 's/fidelity-rahti-1/fidelity-rahti-2/' \
            "$here/rahti-1.json" >"$sc"
    fi
    hport=$(free_port) && sport=$(free_port) || { echo "FAIL: no free port"; return 1; }
    net=$((($$ + RANDOM) % 200 + 20))
    exp=$tmp/export-$profile
    if ! "$RAHTISIM" export haproxy "$sc" --at 9s --bind "127.0.0.1:$hport:$sport" \
            --map-pods "127.$net.0.0/16" --output "$exp"; then
        echo "FAIL: $profile: export failed"; return 1
    fi
    python3 "$here/stub.py" "$exp/pods.tsv" "$exp" </dev/null >"$tmp/stub-$profile.out" 2>&1 &
    spid=$!
    echo "$spid" >>"$tmp/pids"
    # the pods listen before the router starts: its first health checks pass (R29)
    for _ in $(seq 1 50); do
        grep -q ready "$tmp/stub-$profile.out" 2>/dev/null && break
        kill -0 "$spid" 2>/dev/null || break
        sleep 0.1
    done
    haproxy -db -f "$exp/haproxy.cfg" >"$tmp/haproxy-$profile.log" 2>&1 &
    hpid=$!
    echo "$hpid" >>"$tmp/pids"
    up=no
    for _ in $(seq 1 100); do
        kill -0 "$hpid" 2>/dev/null || break
        if grep -q ready "$tmp/stub-$profile.out" 2>/dev/null &&
            python3 -c "import socket; socket.create_connection(('127.0.0.1', $hport), 1); socket.create_connection(('127.0.0.1', $sport), 1)" 2>/dev/null; then
            up=yes; break
        fi
        sleep 0.1
    done
    if [ "$up" != yes ]; then
        echo "FAIL: $profile: haproxy or the stub pods did not start; haproxy's log:"
        sed 's/^/  | /' "$tmp/haproxy-$profile.log"
        sed 's/^/  stub | /' "$tmp/stub-$profile.out"
        return 1
    fi
    "$RAHTISIM" run --format json "$sc" >"$tmp/sim-$profile.json"
    if [ $? -ge 2 ]; then echo "FAIL: $profile: the simulation failed"; return 1; fi
    if ! python3 "$here/compare.py" "$sc" "$tmp/sim-$profile.json" "$exp" "$hport" "$sport" 127.0.0.1 "$tmp/$profile-" "$profile"; then
        echo "FAIL: $profile: the simulator and HAProxy differ (above); haproxy's log:"
        sed 's/^/  | /' "$tmp/haproxy-$profile.log" | tail -n 20
        status=1
    fi
    kill "$hpid" "$spid" 2>/dev/null
    return $status
}

# The profiles run side by side (2 cores), each in its own addresses and ports.
profiles=${*:-rahti-1 rahti-2}
runs=()
for profile in $profiles; do
    one_profile "$profile" >"$tmp/$profile.out" 2>&1 &
    runs+=($!)
done
status=0
for r in "${runs[@]}"; do wait "$r" || status=1; done
for profile in $profiles; do cat "$tmp/$profile.out"; done
[ "$status" -eq 0 ] && echo "PASS: the simulator and HAProxy agree on every probe ($profiles)"
exit "$status"
