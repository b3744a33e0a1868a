#!/bin/sh
# scaling.sh: the cost of a request and the memory of a pod as the cluster
# grows from 10^2 to 10^6 pods (issue 14), as a CSV and a plot.
#
#   bench/scaling.sh [RAHTISIM] [OUTDIR]
#       RAHTISIM  default ./build/rahtisim (`make bench` passes ./rahtisim)
#       OUTDIR    default docs/img: writes OUTDIR/scaling.csv, and with
#                 gnuplot installed OUTDIR/scaling.svg (bench/scaling.gp)
#
# Each row is one `rahtisim bench requests --pods P --services P/10
# --sources 10 --requests R --format json` (R = REQUESTS, default 10^6):
# the cluster is built and brought to readiness (not timed), then R requests
# are sent and the run from the first request to the last answer is timed
# (wall clock, so the load average is written beside it).
#
# ns/request: the bench's own figure (timed wall seconds / requests).
# bytes/pod: (max RSS of the row - max RSS of the baseline) / P, where the
# baseline is the same bench with 1 pod and 1 service (the program, GLib, the
# engine's pools and the empty world): what each further pod costs, with its
# share of the services (one per 10 pods), address pools, DNS records and
# hash tables.  Max RSS is the kernel's peak resident set (getrusage), as the
# bench reports it (max_rss_kib).
#
# PODS="100 1000 ..." picks the rows (default 10^2 to 10^6).  A row that fails
# (out of memory, say) ends the table there, with a note.
set -eu

RAHTISIM=${1:-./build/rahtisim}
OUT=${2:-docs/img}
REQUESTS=${REQUESTS:-1000000}
PODS=${PODS:-"100 1000 10000 100000 1000000"}
here=$(cd "$(dirname "$0")" && pwd)

if [ ! -x "$RAHTISIM" ]; then
    echo "scaling.sh: $RAHTISIM: no such program (build first, or pass the path)" >&2
    exit 2
fi
mkdir -p "$OUT"
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# field NAME: the value of "NAME" in the JSON line on stdin.
field() {
    sed -n "s/.*\"$1\": *\\([0-9.]*\\).*/\\1/p"
}

load() {
    cut -d ' ' -f 1 /proc/loadavg 2>/dev/null || echo "?"
}

run() {
    "$RAHTISIM" bench requests --pods "$1" --services "$2" --sources "$3" \
        --requests "$REQUESTS" --format json
}

base=$(run 1 1 1 | field max_rss_kib)
csv="$tmp/scaling.csv"
{
    echo "# rahtisim bench/scaling.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cpu $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)"
    echo "# requests per row $REQUESTS, baseline max RSS ${base} KiB (1 pod, 1 service)"
    echo "pods,services,sources,requests,seconds,ns_per_request,max_rss_kib,bytes_per_pod,setup_seconds,load_before,load_after"
} >"$csv"
echo "rahtisim bench requests as the cluster grows: $REQUESTS requests per row; baseline max RSS $base KiB"
printf '%8s %9s %10s %9s %10s %10s %9s\n' pods services ns/req "RSS MiB" bytes/pod setup load
for p in $PODS; do
    s=$((p / 10))
    [ "$s" -ge 1 ] || s=1
    l0=$(load)
    if ! line=$(run "$p" "$s" 10 2>"$tmp/err"); then
        echo "# $p pods: failed: $(head -n 1 "$tmp/err")" >>"$csv"
        echo "$p pods: failed (see $csv)"
        break
    fi
    l1=$(load)
    req=$(echo "$line" | field requests)
    sec=$(echo "$line" | field seconds)
    nsr=$(echo "$line" | field ns_per_request)
    rss=$(echo "$line" | field max_rss_kib)
    setup=$(echo "$line" | field setup_seconds)
    bpp=$(awk -v r="$rss" -v b="$base" -v p="$p" 'BEGIN { printf "%.0f", (r - b) * 1024 / p }')
    echo "$p,$s,10,$req,$sec,$nsr,$rss,$bpp,$setup,$l0,$l1" >>"$csv"
    printf '%8d %9d %10s %9.1f %10s %10s %9s\n' "$p" "$s" "$nsr" "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')" \
        "$bpp" "$setup" "$l0-$l1"
done
cp "$csv" "$OUT/scaling.csv"
if command -v gnuplot >/dev/null 2>&1; then
    gnuplot -e "data='$OUT/scaling.csv'; out='$OUT/scaling.svg'" "$here/scaling.gp"
    echo "wrote $OUT/scaling.csv and $OUT/scaling.svg"
else
    echo "wrote $OUT/scaling.csv (no gnuplot: no plot)"
fi
