#!/bin/sh
# bad.sh: every malformed scenario in tests/bad/ must be refused by
# `rahtisim check` with exit status 2, nothing on stdout, and one line on
# stderr per error: "rahtisim: FILE:LINE:COL: ..." (or "rahtisim: FILE: ..."
# when the sidecar says `-`) containing the expected fragment; one line unless
# the sidecar lists more errors (lines 3 on).
# Manifests (NAME.yaml, rahtisim import) are checked the same way.
# Sidecar NAME.expect: line 1 LINE:COL or -, line 2 a message fragment;
# lines 3 on, "LINE:COL fragment" of each further error reported at once.
# Also covers a missing file and a directory.
# Each file is also given to `rahtisim run --output OUT` (text and JSON): it
# must exit 2, print the same error line, and leave no OUT (nor any
# temporary file) behind.
# Environment: RAHTISIM (the program), SRCDIR (the source tree).

: "${RAHTISIM:=./rahtisim}"
: "${SRCDIR:=.}"
dir="$SRCDIR/tests/bad"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

pass=0
fail=0

# check_one FILE POS FRAGMENT [MORE]: runs check on FILE and compares.  MORE
# (a file, the sidecar's lines 3 on: "LINE:COL fragment" each) lists the
# further errors the loader reports at once (issue 12: up to 20), in order.
check_one() {
    file=$1 pos=$2 fragment=$3 more=${4:-/dev/null}
    "$RAHTISIM" check "$file" >"$tmp/out" 2>"$tmp/err"
    status=$?
    why=""
    nmore=$(grep -c . "$more")
    if [ "$status" -ne 2 ]; then
        why="exit status $status, expected 2"
    elif [ -s "$tmp/out" ]; then
        why="stdout is not empty"
    elif [ "$(wc -l <"$tmp/err")" -ne $((1 + nmore)) ]; then
        why="stderr has $(wc -l <"$tmp/err") lines, expected $((1 + nmore))"
    else
        k=2
        while read -r mpos mfrag; do
            [ -n "$mpos" ] || continue
            mline=$(sed -n "${k}p" "$tmp/err")
            case "$mline" in
            "rahtisim: $file:$mpos: "*"$mfrag"*) ;;
            *) why="error line $k is not '$mpos ... $mfrag': $mline"; break ;;
            esac
            k=$((k + 1))
        done <"$more"
    fi
    if [ -z "$why" ] && [ "$status" -eq 2 ]; then
        if [ "$pos" = "-" ]; then
            prefix="rahtisim: $file: "
        else
            prefix="rahtisim: $file:$pos: "
        fi
        line=$(sed -n 1p "$tmp/err")
        case "$line" in
        "$prefix"*) ;;
        *) why="stderr does not start with '$prefix'" ;;
        esac
        if [ -z "$why" ]; then
            case "$line" in
            *"$fragment"*) ;;
            *) why="stderr lacks '$fragment'" ;;
            esac
        fi
    fi
    # The same file through `run --output`: exit 2, same error, nothing written.
    for format in text json; do
        [ -z "$why" ] || break
        mkdir "$tmp/outdir"
        "$RAHTISIM" run --format "$format" --output "$tmp/outdir/out.json" "$file" \
            >"$tmp/run-out" 2>"$tmp/run-err"
        status=$?
        if [ "$status" -ne 2 ]; then
            why="run --format $format: exit status $status, expected 2"
        elif [ -e "$tmp/outdir/out.json" ]; then
            why="run --format $format: the output file was written"
        elif [ -n "$(ls -A "$tmp/outdir")" ]; then
            why="run --format $format: left files behind: $(ls -A "$tmp/outdir")"
        elif [ -s "$tmp/run-out" ]; then
            why="run --format $format: stdout is not empty"
        elif ! cmp -s "$tmp/err" "$tmp/run-err"; then
            why="run --format $format: a different error than check's: $(cat "$tmp/run-err")"
        fi
        rm -rf "$tmp/outdir"
    done
    if [ -z "$why" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $file: $why"
        sed 's/^/  stderr: /' "$tmp/err"
        sed 's/^/  stdout: /' "$tmp/out"
    fi
}

for f in "$dir"/*.json "$dir"/*.yaml; do
    exp="${f%.*}.expect"
    if [ ! -f "$exp" ]; then
        fail=$((fail + 1))
        echo "FAIL $f: no sidecar $exp"
        continue
    fi
    pos=$(sed -n 1p "$exp")
    fragment=$(sed -n 2p "$exp")
    sed -n '3,$p' "$exp" >"$tmp/more"
    check_one "$f" "$pos" "$fragment" "$tmp/more"
done

check_one "$tmp/no-such-file.json" - "No such file or directory"
mkdir "$tmp/a-directory.json"
check_one "$tmp/a-directory.json" - "is a directory"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
