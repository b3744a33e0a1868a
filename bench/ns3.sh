#!/bin/sh
# ns3.sh: rahtisim's event engine side by side with ns-3's schedulers, hold model.
#
#   bench/ns3.sh [RAHTISIM]           (default ./build/rahtisim; `make bench-ns3`
#                                      passes the freshly built ./rahtisim)
#
# Optional: needs ns-3's development files (Debian 12: apt-get install
# libns3-dev, ns-3.37) and a C++ compiler.  Without them it says how to get
# them and exits 0; nothing else in rahtisim needs ns-3.
#
# Builds bench/ns3-hold.cc (the same hold model written against ns-3's
# Simulator) with g++ -O2 into the folder of RAHTISIM (NS3_HOLD=... to put it
# elsewhere; rebuilt when the source is newer), then runs at P = 10^3, 10^4
# and 10^6 pending events: `rahtisim bench engine`, then ns3-hold with each
# ns-3 scheduler that is reasonable at that P: ns3::ListScheduler (O(P) per
# insert) only at P = 10^3 and with EVENTS/10 events; ns3::CalendarScheduler
# only up to P = 10^4 (ns-3.37 caps it at 32768 buckets, so at 10^6 pending
# events its sorted bucket lists grow long: under 0.01 M events/s, half an
# hour for a row).  ns3::MapScheduler is ns-3's default.  EVENTS events per row
# (default 10^7), SEED=... for the seed.  The last column is how many times
# faster rahtisim's row of the same P is (rahtisim's events/s over the
# row's).  Figures and their reading:
# docs/performance.md, "Side by side with ns-3".
set -eu

RAHTISIM=${1:-./build/rahtisim}
EVENTS=$(awk -v e="${EVENTS:-10000000}" 'BEGIN { printf "%.0f", e }')   # 1e7 is accepted
SEED=${SEED:-1}
CXX=${CXX:-g++}
CXXFLAGS=${CXXFLAGS:--O2}
HERE=$(dirname "$0")
SRC=$HERE/ns3-hold.cc

if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists ns3-core; then
    echo "ns3.sh: ns-3 is not installed (pkg-config finds no ns3-core); to compare with it:"
    echo "    sudo apt-get install libns3-dev g++     # Debian 12: ns-3.37"
    echo "ns3.sh: skipped"
    exit 0
fi
if ! command -v "$CXX" >/dev/null 2>&1; then
    echo "ns3.sh: no C++ compiler '$CXX'; to compare with ns-3:"
    echo "    sudo apt-get install g++                # or set CXX=..."
    echo "ns3.sh: skipped"
    exit 0
fi
if [ ! -x "$RAHTISIM" ]; then
    echo "ns3.sh: $RAHTISIM: no such program (build first, or pass the path)" >&2
    exit 2
fi

# Debian's ns3-core.pc names a malformed include folder ("-I/usr;") and the
# .so files of libgsl-dev, which libns3-dev does not pull in (libns3-core.so
# already links the GSL runtime): keep only the folders and files that exist.
cflags=
for w in $(pkg-config --cflags ns3-core); do
    case $w in
        -I*) [ -d "${w#-I}" ] && cflags="$cflags $w" ;;
        *) cflags="$cflags $w" ;;
    esac
done
libs=
for w in $(pkg-config --libs ns3-core); do
    case $w in
        /*) [ -e "$w" ] && libs="$libs $w" ;;
        *) libs="$libs $w" ;;
    esac
done

if [ -z "${NS3_HOLD:-}" ]; then
    dir=$(dirname "$RAHTISIM")
    if [ -w "$dir" ]; then
        NS3_HOLD=$dir/ns3-hold
    else
        NS3_HOLD=${TMPDIR:-/tmp}/rahtisim-ns3-hold
    fi
fi
if [ ! -x "$NS3_HOLD" ] || [ -n "$(find "$SRC" -newer "$NS3_HOLD")" ]; then
    echo "ns3.sh: $CXX $CXXFLAGS -std=c++17 $SRC -o $NS3_HOLD (ns-3 $(pkg-config --modversion ns3-core))"
    # shellcheck disable=SC2086  # the flags are words
    "$CXX" $CXXFLAGS -std=c++17 $cflags "$SRC" -o "$NS3_HOLD" $libs
fi

# Prints one table row from one flat JSON object on stdin; $1 = the row's
# name, $2 = rahtisim's events/s at this P (0: this is rahtisim's row).
row() {
    awk -v name="$1" -v ref="$2" '
        {
            gsub(/[{}"]/, "")
            n = split($0, kv, ", ")
            for (i = 1; i <= n; i++) {
                split(kv[i], f, ": ")
                v[f[1]] = f[2]
            }
            r = v["events_per_second"]
            printf "%10d  %-28s %10d %9.3f %11.2f %14.1f\n", v["pending"], name, v["events"],
                v["seconds"], r / 1e6, (ref > 0 && r > 0) ? ref / r : 1
            print r > "/dev/stderr"
        }'
}

echo "hold model, rahtisim bench engine vs ns3-hold: $EVENTS events per row, seed $SEED"
echo "machine: $(nproc) cpu, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)"
echo "ns-3: $("$NS3_HOLD" --pending 1 --events 1 --format json | sed 's/.*"ns3": "\([^"]*\)".*/\1/')" \
    "(version, build profile), ns3-hold: $("$CXX" --version | head -n 1) $CXXFLAGS"
printf '%10s  %-28s %10s %9s %11s %14s\n' pending engine events seconds "M events/s" "rahtisim/this"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
trap 'exit 130' INT TERM
for pending in 1000 10000 1000000; do
    "$RAHTISIM" bench engine --pending "$pending" --events "$EVENTS" --seed "$SEED" \
        --format json | row rahtisim 0 2>"$tmp"
    ref=$(cat "$tmp")
    if [ -z "$ref" ]; then
        echo "ns3.sh: $RAHTISIM bench engine failed" >&2
        exit 1
    fi
    scheds="Map Heap PriorityQueue"
    [ "$pending" -le 10000 ] && scheds="$scheds Calendar"
    [ "$pending" -le 1000 ] && scheds="$scheds List"
    for s in $scheds; do
        n=$EVENTS
        [ "$s" = List ] && [ "$EVENTS" -ge 10 ] && n=$((EVENTS / 10))
        "$NS3_HOLD" --pending "$pending" --events "$n" --seed "$SEED" \
            --scheduler "ns3::${s}Scheduler" --format json | row "ns-3 ${s}Scheduler" "$ref" 2>/dev/null
    done
done
