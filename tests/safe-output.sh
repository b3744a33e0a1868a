#!/bin/sh
# safe-output.sh: nothing in a scenario can make rahtisim run a command or
# write anywhere but where the user asked.
#  - A scenario full of hostile text (quotes, backquotes, $(...), ../,
#    newlines, tabs, backslashes; control characters are refused at load,
#    tests/bad/) runs in an empty folder: the canary commands never run,
#    nothing appears in the folder, the JSON report parses (python3, when
#    present) and gives the text back exactly.
#  - --output writes exactly the path given, however strange its name, and
#    only it (atomically: a temporary file renamed, none left behind);
#    an impossible --output (missing folder, a folder) writes nothing.
#  - --plot DIR (when built) writes only inside DIR and runs no command.
# Environment: RAHTISIM (the program), SRCDIR (the source tree).

: "${RAHTISIM:=./rahtisim}"
: "${SRCDIR:=.}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
case "$RAHTISIM" in /*) ;; *) RAHTISIM=$(pwd)/$RAHTISIM ;; esac
pass=0
fail=0
PYTHON=
if command -v python3 >/dev/null 2>&1 && python3 -c 'import json' >/dev/null 2>&1; then
    PYTHON=python3
else
    echo "python3 not found: JSON validity checks skipped"
fi

# result NAME WHY: counts a result; WHY empty means it passed.
result() {
    if [ -z "$2" ]; then
        pass=$((pass + 1))
        echo "ok: $1"
    else
        fail=$((fail + 1))
        echo "FAIL: $1: $2"
    fi
}

# canaries: the files a hostile string would create if a shell ran it.
canaries() {
    found=""
    for c in "$tmp"/PWNED* "$tmp"/work/PWNED* /tmp/rahtisim-PWNED-$$*; do
        [ -e "$c" ] && found="$found $c"
    done
    echo "$found"
}

# listing DIR: the files under DIR, one a line, sorted.
listing() {
    (cd "$1" && find . -mindepth 1 | LC_ALL=C sort)
}

name='evil"; `touch PWNED1`; $(touch PWNED2) && touch /tmp/rahtisim-PWNED-'$$' ../../etc/passwd %s %n \'
cat >"$tmp/hostile.json" <<EOF2
{
  "name": "evil\\"; \`touch PWNED1\`; \$(touch PWNED2) && touch /tmp/rahtisim-PWNED-$$ ../../etc/passwd %s %n \\\\",
  "description": "line one\\nline two\\twith a tab, 'single' \\"double\\" \`touch PWNED3\` \$(touch PWNED4) ../../x %n\\\\",
  "namespaces": [{"name": "a", "pods": [{"name": "p", "ports": [8080]}],
                  "services": [{"name": "s", "selector": {"app": "none"}, "ports": [{"port": 80, "target_port": 8080}]}]}],
  "expect": [
    {"at": "3s", "pod": "a/p", "state": "ready", "description": "\`touch PWNED5\` \$(touch PWNED6)\\n../../../tmp/x"},
    {"at": "3s", "from": "a/p", "to": "http://s.a.svc.cluster.local/\$(touch%20PWNED7)/../../etc/passwd?\`id\`",
     "outcome": "refused", "description": "'; DROP TABLE; --"},
    {"at": "3s", "from": "a/p", "resolve": "\$(touch PWNED8).example.org", "answer": "nxdomain"}
  ]
}
EOF2

mkdir "$tmp/work"
for format in text json; do
    (cd "$tmp/work" && "$RAHTISIM" run --trace --format "$format" "$tmp/hostile.json") \
        >"$tmp/out.$format" 2>"$tmp/err"
    status=$?
    why=""
    if [ "$status" -ne 0 ]; then
        why="exit status $status, expected 0: $(cat "$tmp/err")"
    elif [ -n "$(canaries)" ]; then
        why="a command ran:$(canaries)"
    elif [ -n "$(listing "$tmp/work")" ]; then
        why="files appeared in the working folder: $(listing "$tmp/work" | tr '\n' ' ')"
    elif [ -s "$tmp/err" ]; then
        why="stderr: $(cat "$tmp/err")"
    fi
    result "hostile scenario, $format report" "$why"
done
if grep -q 'evil"; `touch PWNED1`' "$tmp/out.text"; then
    result "the text report shows the name as written" ""
else
    result "the text report shows the name as written" "not found"
fi
if [ -n "$PYTHON" ]; then
    why=$($PYTHON - "$tmp/out.json" "$name" <<'EOF2'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    doc = json.load(f)
want = sys.argv[2]
if doc.get("scenario") != want:
    print("scenario name %r, expected %r" % (doc.get("scenario"), want))
elif "`touch PWNED5` $(touch PWNED6)" not in json.dumps(doc):
    print("an expectation description was lost")
EOF2
    ) || why="the JSON report does not parse"
    result "the JSON report parses and keeps the strings exactly" "$why"
fi

# --output: a strange name is a name, written exactly there and only there.
mkdir "$tmp/out dir"
odd="$tmp/out dir/\$(touch PWNED9) \`id\` ';\"x\".json"
"$RAHTISIM" run --format json --output "$odd" "$tmp/hostile.json" >"$tmp/stdout" 2>"$tmp/err"
status=$?
why=""
if [ "$status" -ne 0 ]; then
    why="exit status $status: $(cat "$tmp/err")"
elif [ ! -f "$odd" ]; then
    why="the file was not written where asked"
elif [ "$(listing "$tmp/out dir" | wc -l)" -ne 1 ]; then
    why="other files in the folder: $(listing "$tmp/out dir" | tr '\n' ' ')"
elif [ -s "$tmp/stdout" ]; then
    why="the report also went to stdout"
elif [ -n "$(canaries)" ]; then
    why="a command ran:$(canaries)"
elif [ -n "$PYTHON" ] && ! $PYTHON -m json.tool "$odd" >/dev/null 2>&1; then
    why="the file is not valid JSON"
fi
result "--output with a hostile file name" "$why"

# --output ../ is the user's own path, resolved from the working folder.
mkdir -p "$tmp/a/b"
(cd "$tmp/a/b" && "$RAHTISIM" run --output ../../up.txt "$tmp/hostile.json") >/dev/null 2>&1
if [ -f "$tmp/up.txt" ] && [ -z "$(listing "$tmp/a/b")" ]; then
    result "--output ../../up.txt writes relative to the working folder" ""
else
    result "--output ../../up.txt writes relative to the working folder" "not where asked"
fi

# Replacing a file is atomic: the old inode is never written in place.
echo "old report" >"$tmp/replace.txt"
ln "$tmp/replace.txt" "$tmp/replace-link.txt"
"$RAHTISIM" run --output "$tmp/replace.txt" "$tmp/hostile.json" >/dev/null 2>&1
if [ "$(cat "$tmp/replace-link.txt")" = "old report" ] && grep -q "^scenario evil" "$tmp/replace.txt"; then
    result "--output replaces a file by renaming a new one over it" ""
else
    result "--output replaces a file by renaming a new one over it" "the old file was written in place"
fi

# Impossible destinations: exit 2, nothing created.
before=$(listing "$tmp")
"$RAHTISIM" run --output "$tmp/no/such/dir/out.txt" "$tmp/hostile.json" >/dev/null 2>"$tmp/err"
status=$?
if [ "$status" -eq 2 ] && [ "$before" = "$(listing "$tmp")" ] && grep -q "cannot write" "$tmp/err"; then
    result "--output into a missing folder: exit 2, nothing created" ""
else
    result "--output into a missing folder: exit 2, nothing created" "exit $status: $(cat "$tmp/err")"
fi
mkdir "$tmp/a-folder"
"$RAHTISIM" run --output "$tmp/a-folder" "$tmp/hostile.json" >/dev/null 2>"$tmp/err"
status=$?
if [ "$status" -eq 2 ] && [ -d "$tmp/a-folder" ] && [ -z "$(listing "$tmp/a-folder")" ] &&
   [ "$before" = "$(listing "$tmp" | grep -v '^./a-folder$')" ]; then
    result "--output naming a folder: exit 2, nothing written" ""
else
    result "--output naming a folder: exit 2, nothing written" "exit $status: $(cat "$tmp/err")"
fi

# --plot DIR: files only inside DIR, no command run.
traffic_scenario=""
for f in "$SRCDIR"/scenarios/*.json; do
    if grep -q '"traffic"' "$f"; then
        traffic_scenario=$f
        break
    fi
done
if [ -z "$traffic_scenario" ]; then
    echo "skip: no scenario with traffic to plot"
else
    # The traffic scenario renamed with the hostile name.
    sed "0,/\"name\": *\"[^\"]*\"/s//\"name\": \"..\\/..\\/\`touch PWNED10\` \$(touch PWNED11) ';\\\\\"x\"/" \
        "$traffic_scenario" >"$tmp/plot.json"
    mkdir "$tmp/plotwork"
    before=$(listing "$tmp" | grep -v '^./plotwork')
    (cd "$tmp/plotwork" && "$RAHTISIM" run --plot "out/\$(touch PWNED12)" "$tmp/plot.json") \
        >/dev/null 2>"$tmp/err"
    status=$?
    why=""
    if [ "$status" -gt 1 ]; then
        why="exit status $status: $(cat "$tmp/err")"
    elif [ -n "$(canaries)" ] || [ -n "$(find "$tmp" -name 'PWNED*')" ]; then
        why="a command ran:$(canaries) $(find "$tmp" -name 'PWNED*')"
    elif [ "$before" != "$(listing "$tmp" | grep -v '^./plotwork')" ]; then
        why="files written outside the plot folder"
    elif [ -n "$(listing "$tmp/plotwork" | grep -v '^./out')" ]; then
        why="files outside --plot: $(listing "$tmp/plotwork" | grep -v '^./out' | tr '\n' ' ')"
    elif [ -z "$(listing "$tmp/plotwork/out")" ]; then
        why="no plot files written"
    fi
    result "--plot with a hostile scenario name and folder" "$why"
fi

# --output never renames over something that is not a regular file: a symbolic
# link is followed (the link stays, its target gets the report), a FIFO is
# written in place, a folder is refused with nothing created.
mkdir "$tmp/special"
echo old >"$tmp/special/target.txt"
ln -s target.txt "$tmp/special/link.json"
"$RAHTISIM" run --output "$tmp/special/link.json" -q >/dev/null 2>"$tmp/err"
why=""
[ -L "$tmp/special/link.json" ] || why="the symbolic link was replaced by a file"
grep -q '^scenario fenic' "$tmp/special/target.txt" || why="${why:-the link's target did not get the report}"
result "--output through a symbolic link keeps the link" "$why"

ln -s missing/new.txt "$tmp/special/dangling"
mkdir "$tmp/special/missing"
"$RAHTISIM" run --output "$tmp/special/dangling" -q >/dev/null 2>"$tmp/err"
why=""
[ -L "$tmp/special/dangling" ] || why="the dangling link was replaced by a file"
[ -s "$tmp/special/missing/new.txt" ] || why="${why:-the dangling link's target was not created}"
result "--output through a dangling symbolic link creates its target" "$why"

if command -v mkfifo >/dev/null 2>&1 && mkfifo "$tmp/special/fifo" 2>/dev/null; then
    cat "$tmp/special/fifo" >"$tmp/special/fifo.out" &
    reader=$!
    "$RAHTISIM" run --output "$tmp/special/fifo" -q >/dev/null 2>"$tmp/err"
    wait "$reader"
    why=""
    [ -p "$tmp/special/fifo" ] || why="the FIFO was replaced by a file"
    grep -q '^scenario fenic' "$tmp/special/fifo.out" || why="${why:-nothing came through the FIFO}"
    result "--output to a FIFO writes through it" "$why"
fi

mkdir "$tmp/special/folder"
"$RAHTISIM" run --output "$tmp/special/folder" -q >/dev/null 2>"$tmp/err"
status=$?
why=""
[ "$status" -eq 2 ] || why="exit status $status, expected 2"
[ -z "$(ls -A "$tmp/special/folder")" ] || why="${why:-files appeared in the folder}"
[ -z "$(ls -A "$tmp/special" | grep -v -e '^target.txt$' -e '^link.json$' -e '^dangling$' -e '^missing$' -e '^fifo' -e '^folder$')" ] \
    || why="${why:-temporary files left: $(ls -A "$tmp/special")}"
result "--output to a folder is refused" "$why"

# The HTML report: a name and a description with <script> are shown as text
# (tests/html.sh loads such a page in chromium).
cat >"$tmp/script.json" <<'JSON'
{"name": "<script>alert(1)</script>", "description": "<script>alert(2)</script>\" onload=\"x",
 "namespaces": [{"name": "fenic", "pods": [{"name": "debug", "labels": {"app": "d"}}]}],
 "expect": [{"at": "3s", "from": "fenic/debug", "to": "http://x/", "outcome": "nxdomain",
             "description": "</pre><script>alert(3)</script>"}]}
JSON
"$RAHTISIM" run "$tmp/script.json" --format html --output "$tmp/script.html" >/dev/null 2>"$tmp/err"
status=$?
why=""
[ "$status" -eq 0 ] || why="exit status $status: $(cat "$tmp/err")"
[ "$(grep -o '<script' "$tmp/script.html" | wc -l)" -eq 1 ] || why="$why; a <script> from the scenario reached the page"
grep -q '&lt;/pre&gt;&lt;script&gt;alert(3)' "$tmp/script.html" || why="$why; the description is not shown as text"
grep -q '" onload="' "$tmp/script.html" && why="$why; a quote from the scenario closed an attribute"
result "html: names with <script> are shown as text" "$why"

rm -f /tmp/rahtisim-PWNED-$$*
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
