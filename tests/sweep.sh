#!/bin/sh
# sweep.sh: `rahtisim sweep` and `rahtisim merge` (docs/sweeps.md, sweep.h).
#
#  - the files do not depend on --jobs: --jobs 1 and --jobs 2 write the same
#    bytes (every run report, results.csv, summary.csv, sweep.json);
#  - results.csv has one row per run in run order; summary.csv's pass rate and
#    means agree with results.csv (recomputed here with awk);
#  - shards 0/3, 1/3, 2/3 merged give the single sweep's files byte for byte;
#  - --resume: after runs are deleted (and a partial file left), only those
#    runs are made again, a kept report is not rewritten, and the tables are
#    the same; an interrupted sweep (killed) resumes to the same files;
#  - --plot writes the data, scripts and (with gnuplot) PNG files;
#  - --slurm writes a sweep.sbatch that bash accepts (tests/slurm/ submits one);
#  - bad input (point 5 of the issue): unknown paths with "did you mean",
#    values of the wrong type, an empty grid, too many runs without --force, a
#    shard out of range, an existing folder, merging shards of different
#    sweeps, a missing or doubled shard: exit 2, one line on stderr naming
#    the problem, and no folder written.
# Environment: RAHTISIM (the program), SRCDIR (the source tree).

: "${RAHTISIM:=./rahtisim}"
: "${SRCDIR:=.}"
SRCDIR=$(cd "$SRCDIR" && pwd)
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
S=$SRCDIR/docs/sweeps/error-burst.json
P1='endpoint_delay=0.5,1'
P2='namespaces[0].deployments[0].replicas=2,3'
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
sweep() { "$RAHTISIM" sweep "$S" --param "$P1" --param "$P2" --seeds 3 --quiet "$@"; }

# --- --jobs does not change a byte
if sweep --jobs 1 --output "$tmp/j1" && sweep --jobs 2 --output "$tmp/j2"; then
    if diff -r "$tmp/j1" "$tmp/j2" >/dev/null; then ok; else bad "--jobs 1 and --jobs 2 differ"; fi
else
    bad "sweep failed"
fi

# --- results.csv: 12 runs in order; summary.csv agrees with it
rows=$(tail -n +2 "$tmp/j1/results.csv" | cut -d, -f1 | tr '\n' ' ')
[ "$rows" = "0 1 2 3 4 5 6 7 8 9 10 11 " ] && ok || bad "results.csv rows: $rows"
[ "$(wc -l <"$tmp/j1/summary.csv")" -eq 5 ] && ok || bad "summary.csv has $(wc -l <"$tmp/j1/summary.csv") lines"
# column numbers by name
col() { head -1 "$1" | tr ',' '\n' | grep -n -x -F "$2" | cut -d: -f1; }
cp=$(col "$tmp/j1/results.csv" passed)
ce=$(col "$tmp/j1/results.csv" traffic.users.errors)
sr=$(col "$tmp/j1/summary.csv" pass_rate)
sm=$(col "$tmp/j1/summary.csv" traffic.users.errors.mean)
if [ -n "$cp" ] && [ -n "$ce" ] && [ -n "$sr" ] && [ -n "$sm" ]; then
    want=$(awk -F, -v cp="$cp" -v ce="$ce" 'NR > 1 { p = $2; n[p]++; s[p] += $cp; e[p] += $ce }
        END { for (p = 0; p < 4; p++) printf "%s %s\n", s[p] / n[p], e[p] / n[p] }' "$tmp/j1/results.csv")
    got=$(awk -F, -v sr="$sr" -v sm="$sm" 'NR > 1 { printf "%s %s\n", $sr + 0, $sm + 0 }' "$tmp/j1/summary.csv")
    [ "$want" = "$got" ] && ok || bad "summary.csv disagrees with results.csv: want '$want' got '$got'"
else
    bad "missing columns (passed, traffic.users.errors, pass_rate, traffic.users.errors.mean)"
fi
# every row of results.csv has as many fields as the header (nothing unquoted)
awk -F, 'NR == 1 { n = NF } NF != n { exit 1 }' "$tmp/j1/results.csv" && ok || bad "ragged results.csv"

# --- shards and merge
for i in 0 1 2; do sweep --shard "$i/3" --output "$tmp/shard$i" || bad "shard $i/3 failed"; done
if "$RAHTISIM" merge "$tmp/shard2" "$tmp/shard0" "$tmp/shard1" --output "$tmp/merged" --quiet; then
    for f in results.csv summary.csv sweep.json; do
        cmp -s "$tmp/j1/$f" "$tmp/merged/$f" && ok || bad "merged $f differs from the single sweep's"
    done
    diff -r "$tmp/j1/runs" "$tmp/merged/runs" >/dev/null && ok || bad "merged runs/ differ"
else
    bad "merge failed"
fi

# --- resume: deleted runs are made again, kept ones are not
cp -r "$tmp/j1" "$tmp/res"
rm "$tmp/res/runs/p1-s2.json" "$tmp/res/runs/p3-s1.json" "$tmp/res/runs/p3-s3.json" "$tmp/res/results.csv"
: >"$tmp/res/runs/p3-s1.json.A1b2C3"        # what an interrupted write leaves
printf ' ' >>"$tmp/res/runs/p0-s1.json"      # a kept report: must not be rewritten
"$RAHTISIM" sweep "$S" --param "$P1" --param "$P2" --seeds 3 --output "$tmp/res" --resume 2>"$tmp/err"
grep -q '(9 already done, 3 run now)' "$tmp/err" && ok || bad "resume: $(cat "$tmp/err")"
[ "$(tail -c 1 "$tmp/res/runs/p0-s1.json" | od -An -c | tr -d ' ')" = "" ] && ok ||
    bad "resume rewrote a finished run"
[ ! -e "$tmp/res/runs/p3-s1.json.A1b2C3" ] && ok || bad "resume left a partial file"
cmp -s "$tmp/j1/results.csv" "$tmp/res/results.csv" && cmp -s "$tmp/j1/summary.csv" "$tmp/res/summary.csv" &&
    ok || bad "resumed tables differ"
# an interrupted sweep: killed while running, then resumed
sweep --jobs 1 --output "$tmp/int" &
pid=$!
sleep 0.3
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
sweep --jobs 2 --output "$tmp/int" --resume && cmp -s "$tmp/j1/results.csv" "$tmp/int/results.csv" &&
    cmp -s "$tmp/j1/summary.csv" "$tmp/int/summary.csv" && ok || bad "interrupted + resumed sweep differs"

# --- --plot
if sweep --output "$tmp/plot" --plot; then
    for f in pass_rate.csv pass_rate.gp traffic.users.errors.csv traffic.users.errors.gp; do
        [ -s "$tmp/plot/plots/$f" ] && ok || bad "--plot wrote no $f"
    done
    if command -v gnuplot >/dev/null; then
        [ -s "$tmp/plot/plots/traffic.users.errors.png" ] && ok || bad "--plot rendered no PNG"
    fi
else
    bad "sweep --plot failed"
fi

# --- --slurm writes the array job; nothing runs
if sweep --output "$tmp/slurm" --slurm --shards 2 >"$tmp/out"; then
    bash -n "$tmp/slurm/sweep.sbatch" && grep -q '^#SBATCH --array=0-1$' "$tmp/slurm/sweep.sbatch" &&
        [ ! -d "$tmp/slurm/runs" ] && grep -q 'bash .*/sweep.sbatch' "$tmp/out" && ok ||
        bad "--slurm: bad sweep.sbatch or output"
else
    bad "sweep --slurm failed"
fi

# --- manifests are a SCENARIO too (scenario-format.md, "New commands"): a folder of
# manifests, and a scenario that starts from them (`manifests`)
if "$RAHTISIM" sweep "$SRCDIR/tests/manifests/guestbook" --param endpoint_delay=1s,2s \
    --param 'namespaces[0].deployments[0].replicas=1,2' --seeds 2 --quiet --output "$tmp/man1"; then
    [ "$(wc -l <"$tmp/man1/results.csv")" -eq 9 ] && ok || bad "sweep over manifests: $(wc -l <"$tmp/man1/results.csv") lines"
else
    bad "sweep over a folder of manifests failed"
fi
printf '{"name": "gb", "manifests": ["%s/tests/manifests/guestbook"]}\n' "$SRCDIR" >"$tmp/gb.json"
if "$RAHTISIM" sweep "$tmp/gb.json" --param 'namespaces[0].deployments[0].replicas=1,2' --seeds 1 --quiet \
    --output "$tmp/man2"; then
    [ "$(wc -l <"$tmp/man2/results.csv")" -eq 3 ] && ok || bad "sweep over a scenario with manifests: rows"
else
    bad "sweep over a scenario with manifests failed"
fi

# --- bad input: exit 2, one line on stderr with the fragment, no folder
# expect_bad FRAGMENT ARGS...: `rahtisim ARGS` with --output $tmp/no (sweep)
expect_bad() {
    frag=$1
    shift
    rm -rf "$tmp/no"
    "$RAHTISIM" "$@" >"$tmp/out" 2>"$tmp/err"
    st=$?
    if [ "$st" -ne 2 ]; then
        bad "$*: exit $st, expected 2"
    elif [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
        bad "$*: stderr has $(wc -l <"$tmp/err") lines: $(cat "$tmp/err")"
    elif ! grep -q -F -- "$frag" "$tmp/err"; then
        bad "$*: stderr lacks '$frag': $(cat "$tmp/err")"
    elif [ -e "$tmp/no" ]; then
        bad "$*: wrote $tmp/no"
    else
        ok
    fi
}
O="--output $tmp/no"
expect_bad "unknown key \`endpoint_dely\` in the platform (did you mean \`endpoint_delay\`?)" \
    sweep "$S" --param endpoint_dely=1s --seeds 2 $O
expect_bad "unknown key \`platfrom\` in a scenario (did you mean \`platform\`?)" \
    sweep "$S" --param platfrom.endpoint_delay=1s --seeds 2 $O
expect_bad "error-burst.json:11:" sweep "$S" --param 'namespaces[0].deployments[0].replica=1' --seeds 2 $O
expect_bad "(did you mean \`replicas\`?)" sweep "$S" --param 'namespaces[0].deployments[0].replica=1' --seeds 2 $O
expect_bad "expected replicas (an integer from 0 to 1000000), found a string" \
    sweep "$S" --param 'namespaces[0].deployments[0].replicas=2,three' --seeds 2 $O
expect_bad "invalid duration \`soon\`" sweep "$S" --param 'events[0].at=soon' --seeds 2 $O
expect_bad "\`namespaces\` has 1 entry: [2] is out of range (0 to 0)" \
    sweep "$S" --param 'namespaces[2].name=x' --seeds 2 $O
expect_bad "\`name\` is a string, not an object" sweep "$S" --param 'name.first=x' --seeds 2 $O
expect_bad "no values: the grid would be empty" sweep "$S" --param 'endpoint_delay=' --seeds 2 $O
expect_bad "value 2 is empty" sweep "$S" --param 'endpoint_delay=1s,,2s' --seeds 2 $O
expect_bad "--seeds takes a number of seeds from 1" sweep "$S" --seeds 0 $O
expect_bad "is more than 100000: check the grid, and add --force" \
    sweep "$S" --param 'endpoint_delay=1,2,3,4,5,6,7,8,9,10' --param 'namespaces[0].deployments[0].replicas=1,2,3,4,5,6,7,8,9,10,11' --seeds 1000 $O
expect_bad "--shard 3/3: out of range" sweep "$S" --seeds 2 --shard 3/3 $O
expect_bad "--shard takes I/N" sweep "$S" --seeds 2 --shard 2 $O
expect_bad "the seeds are swept by --seeds" sweep "$S" --param seed=1,2 --seeds 2 $O
expect_bad "set the same value (platform.endpoint_delay)" \
    sweep "$S" --param endpoint_delay=1s --param platform.endpoint_delay=2s --seeds 2 $O
# an existing sweep folder: not without --resume, and never another sweep's
expect_bad "holds this sweep already: add --resume" \
    sweep "$S" --param "$P1" --param "$P2" --seeds 3 --output "$tmp/j1"
expect_bad "holds another sweep" \
    sweep "$S" --param "$P1" --seeds 3 --output "$tmp/j1" --resume
# merge: different sweeps, a missing shard, a doubled shard, not a sweep
"$RAHTISIM" sweep "$S" --param "$P1" --param "$P2" --seeds 2 --shard 1/3 --quiet --output "$tmp/other1"
expect_bad "are parts of different sweeps" merge "$tmp/shard0" "$tmp/other1" "$tmp/shard2" $O
expect_bad "shard 1/3 is missing" merge "$tmp/shard0" "$tmp/shard2" $O
expect_bad "shard 0/3 is given twice" merge "$tmp/shard0" "$tmp/shard0" "$tmp/shard1" "$tmp/shard2" $O
expect_bad "not a sweep folder (no sweep.json)" merge "$tmp/j1/runs" $O
expect_bad "unknown key \`replica\` in a deployment (did you mean \`replicas\`?)" \
    sweep "$SRCDIR/tests/manifests/guestbook" --param 'namespaces[0].deployments[0].replica=1' --seeds 1 $O
cp -r "$tmp/shard1" "$tmp/shard1-partial"
rm "$tmp/shard1-partial/runs/p1-s2.json"
expect_bad "p1-s2.json is missing: that shard has not finished" \
    merge "$tmp/shard0" "$tmp/shard1-partial" "$tmp/shard2" $O

# text a spreadsheet would run as a formula is written with a leading ' (CSV injection);
# a negative number stays a number
"$RAHTISIM" sweep "$S" --param 'description==HYPERLINK("http://x"),@SUM(1),-x' --param 'endpoint_delay=0.5' \
    --seeds 1 --quiet --output "$tmp/formula" 2>"$tmp/err"
got=$(cut -d, -f3 "$tmp/formula/results.csv" 2>/dev/null | tr '\n' ' ')
if [ "$got" = "description \"'=HYPERLINK(\"\"http://x\"\")\" '@SUM(1) '-x " ] &&
   grep -q "^0,\"'=HYPERLINK" "$tmp/formula/summary.csv"; then ok
else bad "formula-like cells are not guarded: $got $(head -c 200 "$tmp/err")"; fi

echo "sweep: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
