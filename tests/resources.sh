#!/bin/sh
# resources.sh: rahtisim under hostile resources (issue 14): every input is
# capped, whatever its kind; every write error is an error; --output never
# loses the user's file, its mode or the scenario; what a terminal would act
# on (escape sequences, bidi controls) is shown, not sent raw; memory is
# bounded by --max-memory.  Each check fails on a rahtisim without the fix.
# Environment: RAHTISIM (the program), SRCDIR (the source tree).

: "${RAHTISIM:=./rahtisim}"
: "${SRCDIR:=.}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
S=$SRCDIR/scenarios
ESC=$(printf '\033')
if command -v timeout >/dev/null 2>&1; then TIMEOUT="timeout 60"; else TIMEOUT=; fi

# result NAME WHY: counts a result; WHY empty means it passed.
result() {
    if [ -z "$2" ]; then
        pass=$((pass + 1))
        echo "ok: $1"
    else
        fail=$((fail + 1))
        echo "FAIL: $1: $2"
        sed 's/^/  ! /' "$tmp/err" 2>/dev/null | head -5
    fi
}

# status_is NAME WANT FRAGMENT CMD...: CMD exits WANT with FRAGMENT on stderr
# (empty: any) and no raw ESC byte on stdout or stderr.
status_is() {
    name=$1 want=$2 frag=$3
    shift 3
    $TIMEOUT "$RAHTISIM" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    got=$?
    why=""
    [ "$got" -eq "$want" ] || why="exit $got, expected $want"
    if [ -z "$why" ] && [ -n "$frag" ] && ! grep -qF -- "$frag" "$tmp/err"; then
        why="stderr lacks '$frag'"
    fi
    if [ -z "$why" ] && cat "$tmp/out" "$tmp/err" | grep -q "$ESC"; then
        why="a raw ESC byte reached the terminal"
    fi
    result "$name" "$why"
}

# --- write errors: stdout on /dev/full is exit 2, never a silent 0 ---
if [ -w /dev/full ]; then
    for cmd in "check $S/00-fenic.json" "help" "version" "help run" \
               "bench engine --events 1000 --pending 10" "bench requests --pods 100 --requests 1000"; do
        # shellcheck disable=SC2086
        "$RAHTISIM" $cmd >/dev/full 2>"$tmp/err"
        got=$?
        why=""
        [ "$got" -eq 2 ] || why="exit $got, expected 2"
        grep -q "cannot write to standard output" "$tmp/err" || why="${why:-no message}"
        result "/dev/full: $cmd" "$why"
    done
fi

# --- every input is capped, whatever its kind (64 MiB) ---
status_is "input cap: /dev/zero" 2 "file too large (the limit is 64 MiB)" check /dev/zero
if [ -e /dev/urandom ]; then
    status_is "input cap: /dev/urandom" 2 "file too large (the limit is 64 MiB)" run /dev/urandom
fi
if command -v mkfifo >/dev/null 2>&1 && mkfifo "$tmp/fifo"; then
    (head -c 80000000 /dev/zero >"$tmp/fifo" 2>/dev/null &)
    status_is "input cap: a pipe" 2 "file too large (the limit is 64 MiB)" check "$tmp/fifo"
fi

# --- --output ---
mkdir "$tmp/o"
echo "old" >"$tmp/o/private.txt"
chmod 600 "$tmp/o/private.txt"
"$RAHTISIM" run -q --output "$tmp/o/private.txt" >/dev/null 2>"$tmp/err"
why=""
[ "$(stat -c %a "$tmp/o/private.txt" 2>/dev/null)" = 600 ] || why="mode $(stat -c %a "$tmp/o/private.txt"), expected 600"
grep -q '^scenario fenic' "$tmp/o/private.txt" || why="${why:-the report was not written}"
result "--output keeps the mode of the file it replaces" "$why"

cp "$S/00-fenic.json" "$tmp/o/s.json"
status_is "--output equal to the input is refused" 2 "is the input" run "$tmp/o/s.json" --output "$tmp/o/s.json"
cmp -s "$S/00-fenic.json" "$tmp/o/s.json" || result "the scenario is intact" "it was overwritten"
ln -s s.json "$tmp/o/alias.json"
status_is "--output through a link to the input is refused" 2 "is the input" \
    run "$tmp/o/s.json" --output "$tmp/o/alias.json"
cmp -s "$S/00-fenic.json" "$tmp/o/s.json" || result "the scenario is intact" "it was overwritten"

ln -s b "$tmp/o/a" && ln -s c "$tmp/o/b"
status_is "--output: a dangling chain of links is refused" 2 "a chain of symbolic links" \
    run -q --output "$tmp/o/a"
[ ! -e "$tmp/o/c" ] || result "--output: nothing created at the chain's end" "c was created"
ln -s loop2 "$tmp/o/loop1" && ln -s loop1 "$tmp/o/loop2"
status_is "--output: a loop of links is refused" 2 "the symbolic links loop" run -q --output "$tmp/o/loop1"
status_is "--output '': a plain error" 2 "--output needs a file name" run -q --output ''
grep -q 'XXXXXX\|\.json\.' "$tmp/err" && result "--output '': no temporary name" "$(cat "$tmp/err")"
left=$(ls -A "$tmp/o" | grep -v -e '^private.txt$' -e '^s.json$' -e '^alias.json$' -e '^a$' -e '^b$' \
    -e '^loop1$' -e '^loop2$')
result "--output leaves no temporary file" "$left"

# --- escapes: names, arguments and scenario text reach the terminal shown, not acted on ---
evil="$tmp/o/evil$(printf '\033]0;pwned\007').json"
cp "$S/00-fenic.json" "$evil"
status_is "escape: check's line shows the file name's ESC" 0 "" check "$evil"
grep -qF 'evil\x1b]0;pwned\x07.json: ok' "$tmp/out" || result "escape: check line" "$(cat "$tmp/out")"
status_is "escape: dig NAME" 0 "" dig "$S/00-fenic.json" "web$(printf '\033[2J')" --from fenic/debug
grep -qF 'web\x1b[2J' "$tmp/out" || result "escape: dig NAME shown" "$(head -1 "$tmp/out")"
status_is "escape: explain --from in an error" 2 'fenic/x\x1b]0;t\x07' \
    explain "$S/00-fenic.json" --from "fenic/x$(printf '\033]0;t\007')" --to http://web/
status_is "escape: explain --to in an error" 2 'http://web\x1b[2J/' explain "$S/00-fenic.json" \
    --from fenic/debug --to "http://web$(printf '\033[2J')/"
status_is "escape: the --output path in an error" 2 'nowhere\x1b]0;x\x07' \
    run -q --output "$tmp/nowhere$(printf '\033]0;x\007')/r.txt"
sed 's/"R17: the short name resolves/"R17: \xe2\x80\xae the short name resolves/' "$S/00-fenic.json" \
    >"$tmp/o/bidi.json"
status_is "escape: U+202E from the scenario" 0 "" run "$tmp/o/bidi.json"
if grep -q "$(printf '\342\200\256')" "$tmp/out"; then
    result "escape: no raw U+202E in the report" "found"
else
    grep -qF 'R17: \u202e the short' "$tmp/out" && result "escape: U+202E shown as \\u202e" "" \
        || result "escape: U+202E shown as \\u202e" "$(head -1 "$tmp/out")"
fi

# --- the memory budget (--max-memory) and the object limit ---
cat >"$tmp/flood.json" <<'EOF2'
{"name": "flood", "namespaces": [{"name": "a",
  "deployments": [{"name": "web", "replicas": 1, "labels": {"app": "web"}, "ports": [8080],
                   "concurrency": 1, "service_time": "10ms"},
                  {"name": "client", "replicas": 1, "labels": {"app": "c"}}],
  "services": [{"name": "web", "selector": {"app": "web"}, "ports": [{"port": 80, "target_port": 8080}]}]}],
 "traffic": [{"name": "flood", "from": "a/client", "to": "http://web/", "rate": "100000/s",
              "start": "5s", "stop": "15s"}]}
EOF2
# 10^5 requests/s into a pod that serves 100/s: they queue until their timeout
# (R38), ~1 KB each: the run stops cleanly at the budget (it used to end in a
# GLib allocation abort after gigabytes).
status_is "memory: a run crossing --max-memory stops with exit 2" 2 \
    "the run crossed the memory budget" run -q "$tmp/flood.json" --max-memory 64M
status_is "memory: --max-memory takes a size" 2 "--max-memory takes a size" run -q --max-memory lots
awk 'BEGIN { printf "{\"name\": \"n\", \"namespaces\": ["
             for (i = 0; i < 5000; i++) printf "%s{\"name\": \"n%d\"}", (i ? "," : ""), i
             print "]}" }' >"$tmp/many.json"
status_is "memory: the load-time estimate refuses what cannot fit" 2 \
    "the scenario needs at least 1.2 MiB of memory (5000 objects" check "$tmp/many.json" --max-memory 1M
status_is "objects: namespaces count against --max-objects" 2 "namespaces[1000]: too many objects" \
    check "$tmp/many.json" --max-objects 1000
status_is "objects: within the limits" 0 "" check "$tmp/many.json"

# --- bench requests: networks sized for the benchmark, failures loud ---
# 300 000 pods do not fit rahti-1's /14 pod network (262 142 addresses): the
# bench overrides the networks, so every request succeeds (it used to report
# 18041 ok of 20048 and exit 0).
"$RAHTISIM" bench requests --pods 300000 --services 10 --requests 20000 >"$tmp/out" 2>"$tmp/err"
got=$?
why=""
[ "$got" -eq 0 ] || why="exit $got"
grep -q '(20048 requests (20048 ok)\|: 20048 requests (20048 ok)' "$tmp/out" || why="${why:-$(cat "$tmp/out")}"
result "bench requests: 300 000 pods, every request ok" "$why"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
