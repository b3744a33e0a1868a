#!/bin/sh
# plots.sh: `rahtisim run --plot DIR`.
#  - the lesson with traffic gets, per source, four CSV files, four gnuplot
#    scripts and, when gnuplot is installed, four PNG images (checked: the
#    PNG signature, an IHDR chunk first, a non-zero size) and four SVG
#    files (well-formed XML), plus the events and derived-events files;
#  - requests are counted where they were SENT: the crashed pod keeps
#    receiving its share until its failure is detected (R7), and the pods
#    plot splits each pod's requests by outcome (from the outcome table);
#  - derived events (a failure detected, endpoints updated, readiness) are
#    marked; series are drawn as steps; more than 8 pods are capped to the
#    7 sent the most plus "N other pods";
#  - a gnuplot that hangs is killed after RAHTISIM_GNUPLOT_TIMEOUT seconds
#    and the run exits 2 naming the plot (issue 14);
#  - --plot on a scenario without traffic says why the folder is empty;
#  - the CSV files are byte-identical on a second run (R37);
#  - a hostile scenario (names and descriptions with gnuplot's system(),
#    backquotes, quotes, newlines, path separators) executes nothing, and
#    every file lands inside DIR with a plain name;
#  - without gnuplot on the PATH the data and scripts are still written;
#  - traffic that nothing answers (all refused, all timeouts) still gets
#    every plot: empty, labelled "no ok answers", exit 0, no .tmp file;
#  - when gnuplot fails on one plot, the others are still rendered, no .tmp
#    file is left, the report is printed and run exits 2 naming the plot.
# Environment: RAHTISIM (the program), SRCDIR (the source tree).

: "${RAHTISIM:=./rahtisim}"
: "${SRCDIR:=.}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

check() {   # check NAME WHY: WHY empty means it passed
    if [ -z "$2" ]; then
        pass=$((pass + 1)); echo "ok: $1"
    else
        fail=$((fail + 1)); echo "FAIL: $1: $2"
    fi
}

# png_ok FILE: the PNG signature, then the IHDR chunk with a non-zero width and height.
png_ok() {
    [ -s "$1" ] || { echo "$1 is missing or empty"; return; }
    bytes=$(od -An -tx1 -N24 "$1" | tr -d ' \n')
    case "$bytes" in
        89504e470d0a1a0a0000000d49484452*) ;;
        *) echo "$1 is not a PNG (starts with $bytes)"; return ;;
    esac
    w=$(printf '%d' "0x$(echo "$bytes" | cut -c33-40)")
    h=$(printf '%d' "0x$(echo "$bytes" | cut -c41-48)")
    [ "$w" -gt 0 ] && [ "$h" -gt 0 ] || echo "$1 has size ${w}x$h"
}

have_gnuplot=yes
command -v gnuplot >/dev/null 2>&1 || have_gnuplot=no
lesson="$SRCDIR/scenarios/20-traffic-pod-failure.json"
out="$tmp/plots"

"$RAHTISIM" run --quiet --plot "$out" "$lesson" >/dev/null 2>"$tmp/err"; st=$?
why=""
[ "$st" -eq 0 ] || why="exit status $st: $(head -n 3 "$tmp/err")"
p="$out/traffic-pod-failure"
for f in "$p-events.csv" "$p-derived.csv" "$p-shop-rps.csv" "$p-shop-outcomes.csv" \
         "$p-shop-latency.csv" "$p-shop-pods.csv" "$p-shop-rps.gp" "$p-shop-outcomes.gp" \
         "$p-shop-latency.gp" "$p-shop-pods.gp"; do
    [ -s "$f" ] || why="$why; ${f#$out/} missing"
done
check "--plot writes the data and the scripts" "$why"

if [ "$have_gnuplot" = yes ]; then
    why=""
    for k in rps outcomes latency pods; do
        w=$(png_ok "$p-shop-$k.png"); [ -z "$w" ] || why="$why; $w"
        if command -v xmllint >/dev/null 2>&1; then
            xmllint --noout "$p-shop-$k.svg" 2>/dev/null || why="$why; $k.svg is not well-formed XML"
        else
            [ -s "$p-shop-$k.svg" ] || why="$why; $k.svg missing"
        fi
    done
    ls "$out" | grep -q '\.tmp$' && why="$why; a temporary file was left behind"
    check "--plot renders PNG and SVG images" "$why"
else
    echo "SKIP: gnuplot is not installed: images not checked (apt-get install gnuplot-nox)"
fi

# The data: the header rows, one row per time bucket, events where they happened.
why=""
head -n 1 "$p-shop-rps.csv" | grep -qx 'time_s,"fenic/web-0","fenic/web-1","fenic/web-2","fenic/web-3","fenic/web-4","fenic/web-5"' ||
    why="rps header: $(head -n 1 "$p-shop-rps.csv")"
head -n 1 "$p-shop-outcomes.csv" | grep -qx 'time_s,"ok","timeout"' || why="$why; outcomes header"
grep -qx '20.000,"delete fenic/web-0"' "$p-events.csv" || why="$why; the delete event"
grep -qx '40.000,"crash fenic/web-1"' "$p-events.csv" || why="$why; the crash event"
rows=$(($(wc -l <"$p-shop-latency.csv") - 1))
[ "$rows" -eq 101 ] || why="$why; $rows latency rows, expected 101 (100 s in 1 s buckets, and the end)"
# Rows at each bucket's start, drawn as steps.
sed -n 2,3p "$p-shop-rps.csv" | cut -d, -f1 | tr '\n' ' ' | grep -qx '0.000 1.000 ' || why="$why; rows not at bucket starts"
grep -q 'with steps' "$p-shop-rps.gp" || why="$why; rps.gp does not draw steps"
# Before the deletion web-0 is sent requests; a second after, never again.
awk -F, 'NR > 1 && $1 > 21.5 && $2 != "0.000" { bad = 1 } END { exit bad }' "$p-shop-rps.csv" ||
    why="$why; web-0 was sent requests after its deletion"
check "the CSV data" "$why"

# The crashed pod is not idle: it is sent its share until the failure is
# detected at 80 s (R7), and all of those requests time out.
why=""
awk -F, 'NR > 1 && $1 >= 45 && $1 < 79 && $3 + 0 < 20 { bad = 1 } END { exit bad }' "$p-shop-rps.csv" ||
    why="web-1 looks idle after its crash"
awk -F, 'NR > 1 && $1 >= 82 && $3 != "0.000" { bad = 1 } END { exit bad }' "$p-shop-rps.csv" ||
    why="$why; web-1 was sent requests after its failure was detected"
head -n 1 "$p-shop-pods.csv" | grep -qx 'pod,"ok","timeout"' || why="$why; pods header: $(head -n 1 "$p-shop-pods.csv")"
awk -F, '$1 == "\"fenic/web-1\"" && $3 > 1500 { found = 1 } END { exit !found }' "$p-shop-pods.csv" ||
    why="$why; web-1's timeouts are not in the pods plot: $(grep web-1 "$p-shop-pods.csv")"
check "requests sent to each pod, by outcome (R7)" "$why"

# Derived events: what the simulation did in answer, not only the scenario's events.
why=""
grep -qx '80.000,"R7 failure detected"' "$p-derived.csv" || why="no failure detected at 80 s"
grep -qx '81.000,"R15 endpoints updated"' "$p-derived.csv" || why="$why; no endpoints update at 81 s"
grep -q '^40.000' "$p-derived.csv" && why="$why; the crash (a scenario event) is marked twice"
grep -qx 'has_derived = 1' "$p-shop-rps.gp" || why="$why; the scripts do not draw them"
check "derived events are marked" "$why"

# Lifecycle (R54-R56): rollout steps and terminations are marked; the new
# outcomes reset and bad-gateway are series of the outcomes plot.
why=""
"$RAHTISIM" run --quiet --plot "$tmp/l22" "$SRCDIR/scenarios/22-rolling-update.json" >/dev/null 2>&1 ||
    why="lesson 22 with --plot failed"
q="$tmp/l22/rolling-update"
grep -qx '22.000,"R54 rollout step"' "$q-derived.csv" || why="$why; no rollout step at 22 s"
grep -q ',"R55 termination"$' "$q-derived.csv" || why="$why; no termination marked"
[ "$(grep -c '^22.000,"R54 rollout step"$' "$q-derived.csv")" -eq 1 ] || why="$why; a rule marked twice at one instant"
grep -qx '20.000,"rollout shop/web"' "$q-events.csv" || why="$why; the rollout event is not labelled"
head -n 1 "$q-slow-outside-outcomes.csv" | grep -q '"bad-gateway"' || why="$why; no bad-gateway series"
head -n 1 "$q-slow-inside-outcomes.csv" | grep -q '"reset"' || why="$why; no reset series"
check "lifecycle marks and outcomes (R54-R56)" "$why"

# More than 8 pods: the 7 sent the most, then the rest summed.
cat >"$tmp/many.json" <<'JSON'
{
  "name": "many", "duration": "10s",
  "namespaces": [{"name": "fenic",
    "deployments": [{"name": "web", "replicas": 20, "labels": {"app": "web"}, "ports": [8080]}],
    "pods": [{"name": "debug", "labels": {"app": "debug"}}],
    "services": [{"name": "web", "selector": {"app": "web"}, "ports": [{"port": 80, "target_port": 8080}]}]}],
  "traffic": [{"name": "shop", "from": "fenic/debug", "to": "http://web/", "rate": "400/s", "start": "3s"}]
}
JSON
PATH=/nonexistent "$RAHTISIM" run --quiet --plot "$tmp/many" "$tmp/many.json" >/dev/null 2>&1
why=""
h=$(head -n 1 "$tmp/many/many-shop-rps.csv")
[ "$(echo "$h" | tr ',' '\n' | wc -l)" -eq 9 ] || why="rps header has not 1 + 8 columns: $h"
echo "$h" | grep -q ',"13 other pods"$' || why="$why; no '13 other pods' column: $h"
[ "$(wc -l <"$tmp/many/many-shop-pods.csv")" -eq 9 ] || why="$why; pods.csv has not 8 rows"
check "per-pod series are capped at 8" "$why"

# No traffic: the folder stays empty, and run says why.
"$RAHTISIM" run --quiet --plot "$tmp/none" "$SRCDIR/scenarios/01-pod-ips.json" >/dev/null 2>"$tmp/err"; st=$?
why=""
[ "$st" -eq 0 ] || why="exit status $st"
grep -q 'nothing written to .*none: plots show traffic, and no scenario run has a "traffic" source' "$tmp/err" ||
    why="$why; stderr: $(cat "$tmp/err")"
check "--plot without traffic says why the folder is empty" "$why"

"$RAHTISIM" run --quiet --plot "$tmp/again" "$lesson" >/dev/null 2>&1
why=""
for f in "$out"/*.csv "$out"/*.gp; do
    cmp -s "$f" "$tmp/again/${f##*/}" || why="$why ${f##*/}"
done
check "CSV and scripts are byte-identical on a second run (R37)" "${why:+differ:$why}"

# A hostile scenario: everything a scenario can name tries to run a command.
mkdir -p "$tmp/hostile"
cat >"$tmp/hostile.json" <<JSON
{
  "name": "x'; system(\"touch $tmp/pwned1\"); print '\`touch $tmp/pwned2\`\" ../../etc/passwd \\\\",
  "description": "\`touch $tmp/pwned3\` system('touch $tmp/pwned4')\\nsecond line\\tafter a tab",
  "duration": "10s",
  "namespaces": [{"name": "fenic",
    "deployments": [{"name": "web", "replicas": 2, "labels": {"app": "web"}, "ports": [8080]}],
    "pods": [{"name": "debug", "labels": {"app": "debug"}}],
    "services": [{"name": "web", "selector": {"app": "web"}, "ports": [{"port": 80, "target_port": 8080}]}]}],
  "events": [{"at": "6s", "delete": "fenic/web-0"}],
  "traffic": [
    {"name": "\`touch\${IFS}pwned5\`'\"system(\"touch\${IFS}pwned6\")", "from": "fenic/debug",
     "to": "http://web/", "rate": "50/s", "start": "3s"},
    {"name": "..", "from": "fenic/debug", "to": "http://web/", "rate": "10/s", "start": "3s"}
  ]
}
JSON
before=$(cd "$tmp" && find . -path ./hostile -prune -o -print | sort)
"$RAHTISIM" run --quiet --plot "$tmp/hostile/out" "$tmp/hostile.json" >/dev/null 2>"$tmp/err"; st=$?
why=""
[ "$st" -eq 0 ] || why="exit status $st: $(head -n 3 "$tmp/err")"
found=$(find "$tmp" / -xdev -maxdepth 1 -name 'pwned*' 2>/dev/null; find "$tmp" -name 'pwned*' 2>/dev/null)
[ -z "$found" ] || why="$why; a command ran: $found"
after=$(cd "$tmp" && find . -path ./hostile -prune -o -print | sort)
[ "$before" = "$after" ] || why="$why; files appeared outside DIR"
bad=$(ls -A "$tmp/hostile/out" | grep -v '^[A-Za-z0-9][A-Za-z0-9._-]*$')
[ -z "$bad" ] || why="$why; unsafe file names: $bad"
[ "$(ls -A "$tmp/hostile" | tr '\n' ' ')" = "out " ] || why="$why; files next to DIR: $(ls -A "$tmp/hostile")"
n_csv=$(ls "$tmp/hostile/out" | grep -c '\.csv$')
[ "$n_csv" -eq 10 ] || why="$why; $n_csv CSV files, expected 10 (events, derived + 2 sources x 4)"
if [ "$have_gnuplot" = yes ]; then
    n_png=$(ls "$tmp/hostile/out" | grep -c '\.png$')
    [ "$n_png" -eq 8 ] || why="$why; $n_png PNG files, expected 8"
    for f in "$tmp"/hostile/out/*.png; do
        w=$(png_ok "$f"); [ -z "$w" ] || why="$why; $w"
    done
fi
# Scenario strings reach a script only through the title's whitelist: no
# backquote, no system(, no double quote in the header rahtisim writes.
if grep -l -e '`' -e 'system(' "$tmp"/hostile/out/*.gp >/dev/null 2>&1 ||
   sed -n '3,9p' "$tmp"/hostile/out/*.gp | grep -q '"'; then
    why="$why; a scenario string reached a gnuplot script unescaped"
fi
check "a hostile scenario executes nothing and writes only inside DIR" "$why"

# Without gnuplot: data and scripts, no images, still exit 0.
PATH=/nonexistent "$RAHTISIM" run --plot "$tmp/nognuplot" "$lesson" >/dev/null 2>"$tmp/err"; st=$?
why=""
[ "$st" -eq 0 ] || why="exit status $st"
[ -s "$tmp/nognuplot/traffic-pod-failure-shop-rps.csv" ] || why="$why; no CSV"
[ -s "$tmp/nognuplot/traffic-pod-failure-shop-rps.gp" ] || why="$why; no script"
ls "$tmp/nognuplot" | grep -q '\.png$' && why="$why; an image without gnuplot?"
grep -q 'gnuplot not found' "$tmp/err" || why="$why; no note on stderr"
check "without gnuplot: data and scripts only" "$why"

# Traffic nothing answers: every request refused (a service without
# endpoints), or every request timed out (a pod address nobody holds).
cat >"$tmp/refused.json" <<'JSON'
{
  "name": "all-refused", "duration": "10s",
  "namespaces": [{"name": "fenic",
    "pods": [{"name": "debug", "labels": {"app": "debug"}}],
    "services": [{"name": "web", "selector": {"app": "web"}, "ports": [{"port": 80, "target_port": 8080}]}]}],
  "traffic": [{"name": "shop", "from": "fenic/debug", "to": "http://web/", "rate": "20/s", "start": "3s"}]
}
JSON
cat >"$tmp/timeouts.json" <<'JSON'
{
  "name": "all-timeouts", "duration": "20s",
  "namespaces": [{"name": "fenic",
    "pods": [{"name": "debug", "labels": {"app": "debug"}}, {"name": "web", "ports": [8080]}]}],
  "events": [{"at": "2s", "delete": "fenic/web"}],
  "traffic": [{"name": "shop", "from": "fenic/debug", "to": "http://@fenic/web:8080/", "rate": "10/s",
               "start": "3s"}]
}
JSON
for s in refused timeouts; do
    "$RAHTISIM" run --plot "$tmp/$s" "$tmp/$s.json" >"$tmp/out" 2>"$tmp/err"; st=$?
    why=""
    [ "$st" -eq 0 ] || why="exit status $st: $(head -n 3 "$tmp/err")"
    grep -q "outcomes: ${s%s} [0-9]* (100.0 %)" "$tmp/out" || why="$why; not all ${s%s}: $(grep outcomes: "$tmp/out")"
    p="$tmp/$s/all-$s-shop"
    for k in rps latency; do
        grep -qx 'has_data = 0' "$p-$k.gp" || why="$why; $k.gp does not say it has no data"
    done
    if [ "$have_gnuplot" = yes ]; then
        for k in rps outcomes latency; do
            w=$(png_ok "$p-$k.png"); [ -z "$w" ] || why="$why; $w"
            [ -s "$p-$k.svg" ] || why="$why; $k.svg missing"
        done
        grep -q 'no ok answers' "$p-latency.svg" || why="$why; latency.svg has no 'no ok answers' label"
    fi
    ls "$tmp/$s" | grep -q '\.tmp$' && why="$why; a temporary file was left behind"
    check "--plot when nothing answers ($s): empty, labelled plots" "$why"
done

# gnuplot failing on one plot: the others are still made, nothing .tmp stays.
if [ "$have_gnuplot" = yes ]; then
    mkdir -p "$tmp/bin"
    real=$(command -v gnuplot)
    cat >"$tmp/bin/gnuplot" <<SH
#!/bin/sh
# A gnuplot that fails on rps plots after writing half an image.
case "\$*" in
    *-rps.gp*) b=\${3#./}; echo partial >"\${b%.gp}.png.tmp"; echo 'line 1: broken' >&2; exit 1 ;;
esac
exec "$real" "\$@"
SH
    chmod +x "$tmp/bin/gnuplot"
    PATH="$tmp/bin:$PATH" "$RAHTISIM" run --plot "$tmp/broken" "$lesson" >"$tmp/out" 2>"$tmp/err"; st=$?
    why=""
    [ "$st" -eq 2 ] || why="exit status $st, expected 2"
    grep -q '^9 expectations: 9 passed' "$tmp/out" || why="$why; the report was not printed"
    grep -q '^rahtisim: --plot: 1 of 4 plots not rendered.*traffic-pod-failure-shop-rps.gp: gnuplot failed.*broken' "$tmp/err" ||
        why="$why; stderr: $(cat "$tmp/err")"
    p="$tmp/broken/traffic-pod-failure-shop"
    for k in outcomes latency; do
        w=$(png_ok "$p-$k.png"); [ -z "$w" ] || why="$why; $w"
    done
    [ -e "$p-rps.png" ] && why="$why; an rps image despite the failure"
    [ -s "$p-rps.csv" ] && [ -s "$p-rps.gp" ] || why="$why; rps data or script missing"
    ls "$tmp/broken" | grep -q '\.tmp$' && why="$why; a temporary file was left behind: $(ls "$tmp/broken" | grep '\.tmp$')"
    check "one plot failing: the others are rendered, exit 2 after the report" "$why"
fi

# A gnuplot that hangs is killed after the time limit; the run ends, exit 2.
mkdir -p "$tmp/hang"
cat >"$tmp/hang/gnuplot" <<SH
#!/bin/sh
echo \$\$ >>"$tmp/hang/pids"
exec sleep 600
SH
chmod +x "$tmp/hang/gnuplot"
start=$(date +%s)
RAHTISIM_GNUPLOT_TIMEOUT=1 PATH="$tmp/hang:$PATH" timeout 60 "$RAHTISIM" run --quiet --plot "$tmp/hung" "$lesson" \
    >/dev/null 2>"$tmp/err"; st=$?
took=$(($(date +%s) - start))
why=""
[ "$st" -eq 2 ] || why="exit status $st, expected 2"
[ "$took" -le 30 ] || why="$why; took ${took}s"
grep -q 'gnuplot did not finish in 1 s: killed' "$tmp/err" || why="$why; stderr: $(head -c 300 "$tmp/err")"
for pid in $(cat "$tmp/hang/pids" 2>/dev/null); do
    kill -0 "$pid" 2>/dev/null && { why="$why; gnuplot $pid still runs"; kill -9 "$pid"; }
done
ls "$tmp/hung" | grep -q '\.tmp$' && why="$why; a temporary file was left behind"
check "a hanging gnuplot is killed after RAHTISIM_GNUPLOT_TIMEOUT" "$why"
"$RAHTISIM" run --quiet --plot "$tmp/x" "$lesson" >/dev/null 2>&1 </dev/null
RAHTISIM_GNUPLOT_TIMEOUT=soon "$RAHTISIM" run --quiet --plot "$tmp/x" "$lesson" >/dev/null 2>"$tmp/err"; st=$?
check "RAHTISIM_GNUPLOT_TIMEOUT must be seconds" "$([ "$st" -eq 2 ] && grep -q 'RAHTISIM_GNUPLOT_TIMEOUT=soon' "$tmp/err" || echo "exit $st: $(cat "$tmp/err")")"

# --plot into a path that cannot be a folder fails with exit 2.
: >"$tmp/afile"
"$RAHTISIM" run --quiet --plot "$tmp/afile" "$lesson" >/dev/null 2>&1; st=$?
check "--plot into a file fails cleanly" "$([ "$st" -eq 2 ] || echo "exit status $st, expected 2")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
