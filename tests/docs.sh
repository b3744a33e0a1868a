#!/bin/sh
# docs.sh: every command shown in the docs runs, and prints what the docs say.
#
# Each ```console block of docs/*.md and README.md holds commands, written
# `$ rahtisim ...` (pipes allowed: `$ printf 'ok\n' | rahtisim run --quiz ...`),
# each followed by its output.  This runner runs every command from the
# source folder (stdout and stderr together, stdin empty unless piped) and
# compares what it printed with the lines shown, byte for byte; so the docs
# cannot drift from the program (house-style.md, after jq's manual tests).
#
#   tests/docs.sh              check (make check runs this); exit 1 on any difference
#   tests/docs.sh --update     rewrite the outputs in the docs from what the program prints
#                              (after a deliberate change, e.g. of a hop sentence; review
#                              the result with `git diff docs/`)
#
# Environment: RAHTISIM (the program; default build/rahtisim), SRCDIR (the
# source tree; default: this script's parent folder).
# Only blocks fenced exactly ```console are run; ```sh and ```jsonc are prose.

update=0
[ "${1:-}" = "--update" ] && update=1
: "${SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${RAHTISIM:=$SRCDIR/build/rahtisim}"
case $RAHTISIM in /*) ;; *) RAHTISIM=$(pwd)/$RAHTISIM ;; esac
export RAHTISIM
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

# finish: runs the pending command ($cmd, shown at line $cmd_line), compares
# its output with $tmp/expected, and writes the command and an output to $tmp/new.
finish() {
    [ -n "$cmd" ] || return 0
    (
        cd "$SRCDIR" || exit 99
        rahtisim() { "$RAHTISIM" "$@"; }
        eval "$cmd"
    ) </dev/null >"$tmp/actual" 2>&1
    if cmp -s "$tmp/expected" "$tmp/actual"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        if [ "$update" -eq 1 ]; then
            echo "updated: $doc:$cmd_line: \$ $cmd"
        else
            echo "FAIL: $doc:$cmd_line: \$ $cmd"
            diff -u "$tmp/expected" "$tmp/actual" | sed '1,2d; s/^/  /' | head -40
        fi
    fi
    printf '$ %s\n' "$cmd" >>"$tmp/new"
    if [ "$update" -eq 1 ]; then
        cat "$tmp/actual" >>"$tmp/new"
    else
        cat "$tmp/expected" >>"$tmp/new"
    fi
    cmd=""
}

for doc in "$SRCDIR"/README.md "$SRCDIR"/docs/*.md; do
    [ -f "$doc" ] || continue
    : >"$tmp/new"
    in_block=0
    cmd=""
    n=0
    while IFS= read -r line || [ -n "$line" ]; do
        n=$((n + 1))
        if [ "$in_block" -eq 0 ]; then
            printf '%s\n' "$line" >>"$tmp/new"
            [ "$line" = '```console' ] && in_block=1
            continue
        fi
        case $line in
        '```')
            finish
            printf '%s\n' "$line" >>"$tmp/new"
            in_block=0
            ;;
        '$ '*)
            finish
            cmd=${line#'$ '}
            cmd_line=$n
            : >"$tmp/expected"
            ;;
        *)
            if [ -n "$cmd" ]; then
                printf '%s\n' "$line" >>"$tmp/expected"
            else
                printf '%s\n' "$line" >>"$tmp/new"
            fi
            ;;
        esac
    done <"$doc"
    if [ "$in_block" -eq 1 ]; then
        echo "FAIL: $doc: a console block is not closed"
        fail=$((fail + 1))
        continue
    fi
    if [ "$update" -eq 1 ] && ! cmp -s "$doc" "$tmp/new"; then
        cp "$tmp/new" "$doc"
    fi
done

echo "docs: $pass commands as shown, $fail $([ "$update" -eq 1 ] && echo updated || echo differ)"
[ "$update" -eq 1 ] || [ "$fail" -eq 0 ]
