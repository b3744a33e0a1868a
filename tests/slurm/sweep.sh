#!/bin/bash
# tests/slurm/sweep.sh: a sweep on a real (one-node) Slurm cluster gives the
# local sweep's files byte for byte (docs/sweeps.md, issue 15 point 4).
#
# Starts munged, slurmctld and slurmd on localhost (tests/slurm/cluster.sh:
# own munge key and socket, free ports above 10000, everything in a mktemp
# folder), writes the sweep.sbatch of a small sweep (2 parameters x 2 values
# x 3 seeds, 4 array tasks) with `rahtisim sweep --slurm`, submits it the way
# a user does (`bash DIR/sweep.sbatch`: the array job, then the merge job
# with --dependency=afterok), waits at most 90 s, and compares results.csv,
# summary.csv and the runs with a local `rahtisim sweep`.  Every daemon is
# stopped by its pid on exit, also on failure.  A daemon that cannot start
# fails the test with its log: it never skips.
# Environment: RAHTISIM (the program), SRCDIR (the source tree).
set -u
: "${RAHTISIM:=./rahtisim}"
: "${SRCDIR:=.}"
case $RAHTISIM in /*) ;; *) RAHTISIM=$(pwd)/$RAHTISIM ;; esac
case $SRCDIR in /*) ;; *) SRCDIR=$(cd "$SRCDIR" && pwd) ;; esac
# A short path: the munge socket's name must fit in sun_path (108 bytes).
tmp=$(mktemp -d /tmp/rs-slurm.XXXXXX) || exit 99
. "$SRCDIR/tests/slurm/cluster.sh"
cleanup() {
    [ -n "${SLURM_CONF:-}" ] && timeout 5 scancel --quiet --user="$(id -un)" >/dev/null 2>&1
    rs_slurm_stop
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
    echo "FAIL: $*"
    exit 1
}

for tool in munged slurmctld slurmd sbatch squeue scontrol; do
    command -v "$tool" >/dev/null || fail "$tool is not installed (Debian: slurmctld slurmd slurm-client munge)"
done

t0=$SECONDS
rs_slurm_start "$tmp/cluster" || fail "the Slurm cluster did not start (logs above)"
echo "slurm: cluster up in $((SECONDS - t0)) s: $(sinfo -h -N -o '%N %c CPUs %t')"

S=$SRCDIR/docs/sweeps/error-burst.json
grid=(--param 'endpoint_delay=0.5,1' --param 'namespaces[0].deployments[0].replicas=2,3' --seeds 3)
"$RAHTISIM" sweep "$S" "${grid[@]}" --quiet --output "$tmp/local" || fail "the local sweep failed"
"$RAHTISIM" sweep "$S" "${grid[@]}" --slurm --shards 4 --output "$tmp/hpc" >"$tmp/submit.txt" ||
    fail "sweep --slurm failed"
grep -q -- '--array=0-3' "$tmp/hpc/sweep.sbatch" || fail "sweep.sbatch is not an array of 4 tasks"

# Submit as the printed instructions say.
cmd=$(grep -o 'bash .*/sweep.sbatch' "$tmp/submit.txt") || fail "no submit command printed: $(cat "$tmp/submit.txt")"
(cd "$tmp" && eval "$cmd") >"$tmp/submitted.txt" 2>&1 || fail "submitting failed: $(cat "$tmp/submitted.txt")"
echo "slurm: $(cat "$tmp/submitted.txt")"

# Wait (bounded) until no job is left, then for the merged tables.
deadline=$((SECONDS + 90))
while [ $SECONDS -lt $deadline ]; do
    [ -z "$(squeue -h -o %i 2>/dev/null)" ] && [ -f "$tmp/hpc/summary.csv" ] && break
    sleep 0.5
done
if [ ! -f "$tmp/hpc/summary.csv" ]; then
    echo "---- squeue"; squeue
    for f in "$tmp"/hpc/slurm/*.out; do [ -f "$f" ] && { echo "---- $f"; cat "$f"; }; done
    rs_slurm_log slurmctld "$tmp/cluster/slurmctld.log"
    rs_slurm_log slurmd "$tmp/cluster/slurmd.log"
    fail "the jobs did not finish within 90 s"
fi
echo "slurm: array and merge done $((SECONDS - t0)) s after the start"

# Four array tasks ran, each one shard; one merge job.
for i in 0 1 2 3; do
    grep -q "\"index\":[[:space:]]*$i" "$tmp/hpc/shards/$i/sweep.json" 2>/dev/null || fail "shard $i/4 did not run"
done
n_out=$(ls "$tmp"/hpc/slurm/sweep-*_*.out 2>/dev/null | wc -l)
[ "$n_out" -eq 4 ] || fail "expected 4 array task logs, found $n_out"
ls "$tmp"/hpc/slurm/merge-*.out >/dev/null 2>&1 || fail "no merge job log"

for f in results.csv summary.csv; do
    cmp "$tmp/local/$f" "$tmp/hpc/$f" || fail "$f from Slurm differs from the local sweep's"
done
diff -r "$tmp/local/runs" "$tmp/hpc/runs" >/dev/null || fail "the run reports from Slurm differ"
echo "slurm: results.csv, summary.csv and $(ls "$tmp/hpc/runs" | wc -l) run reports identical to the local sweep"
echo "slurm: PASS in $((SECONDS - t0)) s"
