#!/bin/sh
# sweep.sh: `rahtisim sweep --jobs 2` against `--jobs 1` on a sweep of 40 runs.
#
#   bench/sweep.sh [RAHTISIM]      (default ./build/rahtisim)
#
# The sweep of docs/sweeps.md at 2 delays x 2 replica counts x 10 seeds = 40
# runs, at 2000 requests a second (about 32 000 requests a run, so that a run
# costs more than starting it).  With hyperfine (Debian: hyperfine) each
# variant runs RUNS times (default 5, alternating, a fresh folder each time)
# and the medians are compared; without it, a loop of `date` stamps does the
# same.  Also prints the machine's load, since the speed-up is only as good
# as the free cores.  Figures: docs/performance.md, "Sweeps".
set -eu
RAHTISIM=${1:-./build/rahtisim}
RUNS=${RUNS:-5}
case $RAHTISIM in /*) ;; *) RAHTISIM=$(pwd)/$RAHTISIM ;; esac
[ -x "$RAHTISIM" ] || { echo "sweep.sh: $RAHTISIM: no such program" >&2; exit 2; }
SRC=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sweep="$RAHTISIM sweep $SRC/docs/sweeps/error-burst.json --param endpoint_delay=0.5,1 --param 'namespaces[0].deployments[0].replicas=2,3' --param 'traffic[0].rate=2000/s' --seeds 10 --quiet"
echo "machine: $(nproc) cpu, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
if command -v hyperfine >/dev/null; then
    hyperfine --runs "$RUNS" --style basic --export-json "$tmp/h.json" \
        --prepare "rm -rf $tmp/out" \
        -n "jobs 1" "$sweep --jobs 1 --output $tmp/out" \
        -n "jobs 2" "$sweep --jobs 2 --output $tmp/out"
    # median speed-up
    awk '/"median"/ { gsub(/[^0-9.]/, "", $2); m[n++] = $2 }
         END { printf "median jobs 1: %.3f s, jobs 2: %.3f s, speed-up %.2fx\n", m[0], m[1], m[0] / m[1] }' "$tmp/h.json"
else
    for j in 1 2; do
        for i in $(seq "$RUNS"); do
            rm -rf "$tmp/out"
            t0=$(date +%s.%N)
            sh -c "$sweep --jobs $j --output $tmp/out"
            t1=$(date +%s.%N)
            echo "jobs $j: $(echo "$t1 - $t0" | bc) s"
        done
    done
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
