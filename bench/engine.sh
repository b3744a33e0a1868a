#!/bin/sh
# engine.sh: the event queue's speed in the hold model at three queue sizes.
#
#   bench/engine.sh [RAHTISIM]        (default ./build/rahtisim; `make bench`
#                                      passes the freshly built ./rahtisim)
#
# Each row is one `rahtisim bench engine` run: P events pending at all times,
# each executed event schedules one at now + U(0, 1 ms), EVENTS events in
# all (default 10^7; set EVENTS=... to change it, SEED=... for the seed).
# Figures and what limits them: docs/performance.md.
set -eu

RAHTISIM=${1:-./build/rahtisim}
EVENTS=${EVENTS:-10000000}
SEED=${SEED:-1}

if [ ! -x "$RAHTISIM" ]; then
    echo "engine.sh: $RAHTISIM: no such program (build first, or pass the path)" >&2
    exit 2
fi

echo "rahtisim bench engine: hold model, $EVENTS events per row, seed $SEED"
echo "machine: $(nproc) cpu, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)"
printf '%10s %12s %10s %14s\n' pending events seconds "M events/s"
for pending in 1000 10000 1000000; do
    line=$("$RAHTISIM" bench engine --pending "$pending" --events "$EVENTS" \
        --seed "$SEED" --format json)
    # One flat JSON object per run: pick the numbers out by key.
    echo "$line" | awk -v p="$pending" '
        {
            gsub(/[{}"]/, "")
            n = split($0, kv, ", ")
            for (i = 1; i <= n; i++) {
                split(kv[i], f, ": ")
                v[f[1]] = f[2]
            }
            printf "%10d %12d %10.3f %14.2f\n", p, v["events"], v["seconds"], v["events_per_second"] / 1e6
        }'
done
