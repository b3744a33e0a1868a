#!/bin/sh
# docs.sh: every command shown in the docs runs, and prints what the docs say.
#
# Where commands are shown, and what is checked:
#
#  - ```console blocks of README.md and docs/*.md hold commands, written
#    `$ rahtisim ...` (pipes allowed: `$ printf 'ok\n' | rahtisim run --quiz ...`),
#    each followed by its output.  The runner runs each (stdout and stderr
#    together, stdin empty unless piped) and compares what it printed with the
#    lines shown, byte for byte; so the docs cannot drift from the program
#    (after jq's manual tests).
#  - ```sh blocks of the same files: every line that runs rahtisim (at the
#    start of the line, after `|`, `;`, `&&` or `do`; `build/rahtisim` too) is
#    run, and must exit with the status a reader expects: 0, unless the line
#    says otherwise in its comment, `# exit N` (e.g. `# exit 1: an expectation
#    fails`).  Lines that only pass rahtisim to a script (bench/*.sh
#    build/rahtisim, the benchmarks of `make bench`) are not run.
#  - docs/course.md: the `rahtisim ...` inline commands of the lessons table
#    (its "try" column), run as above (exit 0).
#  - docs/rahtisim.1: the lines of the EXAMPLES section, run as above (exit 0).
#  - ```yaml blocks (the CI files of docs/ci.md): every step that runs
#    rahtisim (`- rahtisim ...`, `- run: rahtisim ...`), run as above.
#
# Every command runs in a fresh temporary folder that links to the source
# tree's scenarios/, tests/, docs/, plots/ and bench/, so relative paths work
# as in the docs and files a command writes (--output, --plot, `> t.svg`)
# never land in the source tree.  `rahtisim` and `build/rahtisim` both mean
# the binary under test.  The status of a command is that of the first
# rahtisim in it that exited non-zero (a pipe into another tool cannot hide
# it), else the command's own.  A command that needs a tool that is not
# installed (e.g. `| dot -Tpng`) is skipped, and the runner says how many it
# skipped and why; a missing tool never hides a rahtisim failure elsewhere.
#
#   tests/docs.sh              check (make check runs this); exit 1 on any difference
#   tests/docs.sh --update     rewrite the console outputs in the docs from what the
#                              program prints (after a deliberate change, e.g. of a hop
#                              sentence; review the result with `git diff docs/`); the
#                              other commands are checked as usual
#
# Environment: RAHTISIM (the program; default build/rahtisim), SRCDIR (the
# source tree; default: this script's parent folder).
# ```jsonc and other blocks are prose.

update=0
[ "${1:-}" = "--update" ] && update=1
: "${SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${RAHTISIM:=$SRCDIR/build/rahtisim}"
case $RAHTISIM in /*) ;; *) RAHTISIM=$(pwd)/$RAHTISIM ;; esac
case $SRCDIR in /*) ;; *) SRCDIR=$(cd "$SRCDIR" && pwd) ;; esac
export RAHTISIM
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0          # console commands whose output is as shown
fail=0          # console commands whose output differs
ran=0           # other commands that exited as expected
bad=0           # other commands that did not
skipped=0
: >"$tmp/skip-why"

# in_work CMD: runs CMD (shell text) in a fresh folder linked to the source
# tree, stdin from /dev/null, stdout and stderr to $tmp/actual; sets $status.
in_work() {
    rm -rf "$tmp/work" "$tmp/rs-status"
    mkdir "$tmp/work" || exit 99
    for e in scenarios tests docs plots bench; do
        [ -e "$SRCDIR/$e" ] && ln -s "$SRCDIR/$e" "$tmp/work/$e"
    done
    (
        cd "$tmp/work" || exit 99
        rahtisim() {
            "$RAHTISIM" "$@"
            rs_st=$?
            [ "$rs_st" -eq 0 ] || [ -s "$tmp/rs-status" ] || echo "$rs_st" >"$tmp/rs-status"
            return "$rs_st"
        }
        eval "$1"
    ) </dev/null >"$tmp/actual" 2>&1
    status=$?
    [ -s "$tmp/rs-status" ] && status=$(cat "$tmp/rs-status")
}

# as_run CMD: CMD with build/rahtisim written as rahtisim.
as_run() {
    printf '%s\n' "$1" | sed 's#\(^\|[^A-Za-z0-9_./-]\)build/rahtisim\([^A-Za-z0-9_.-]\|$\)#\1rahtisim\2#g'
}

# missing_tool CMD: prints the first program CMD runs that is not installed.
missing_tool() {
    printf '%s\n' "$1" | sed 's/[[:space:]]#.*$//' | tr '|;&' '\n\n\n' | while IFS= read -r seg; do
        # shellcheck disable=SC2086
        set -- $seg
        case ${1:-} in do | then | else | '!') shift ;; esac
        case ${1:-} in
        '' | for | done | fi | rahtisim | build/rahtisim | *=*) continue ;;
        esac
        command -v "$1" >/dev/null 2>&1 || { echo "$1"; break; }
    done
}

# check_status WHERE CMD: runs a command shown outside a console block and
# checks its exit status (0, or N from a `# exit N` comment).
check_status() {
    where=$1 shown=$2
    want=$(printf '%s\n' "$shown" | sed -n 's/.*#[[:space:]]*exit[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\1/p')
    : "${want:=0}"
    cmd=$(as_run "$shown")
    tool=$(missing_tool "$cmd")
    if [ -n "$tool" ]; then
        skipped=$((skipped + 1))
        echo "SKIP: $where: $shown (needs $tool, not installed)"
        grep -qx "$tool" "$tmp/skip-why" || echo "$tool" >>"$tmp/skip-why"
        return
    fi
    in_work "$cmd"
    if [ "$status" -eq "$want" ]; then
        ran=$((ran + 1))
    else
        bad=$((bad + 1))
        echo "FAIL: $where: $shown: exit $status, expected $want"
        sed 's/^/  | /' "$tmp/actual" | head -20
    fi
}

# runs_rahtisim LINE: whether a shell line runs rahtisim (comment stripped).
runs_rahtisim() {
    printf '%s\n' "$1" | sed 's/[[:space:]]#.*$//; s/^#.*$//' |
        grep -qE '(^|[|;&]|(^|[[:space:]])do)[[:space:]]*(build/)?rahtisim([[:space:]]|$)'
}

# finish: runs the pending console command ($cmd, shown at line $cmd_line),
# compares its output with $tmp/expected, and writes the command and an
# output to $tmp/new.
finish() {
    [ -n "$cmd" ] || return 0
    in_work "$(as_run "$cmd")"
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
    rel=${doc#"$SRCDIR"/}
    : >"$tmp/new"
    block=""            # "", console, sh or other: the fenced block we are in
    cmd=""
    sh_cmd=""           # an sh line continued with a backslash
    n=0
    while IFS= read -r line || [ -n "$line" ]; do
        n=$((n + 1))
        if [ -z "$block" ]; then
            printf '%s\n' "$line" >>"$tmp/new"
            case $line in
            '```console') block=console ;;
            '```sh') block=sh ;;
            '```yaml') block=yaml ;;
            '```'*) block=other ;;
            '|'*'`rahtisim '*)
                # course.md's lessons table: the "try" column, the row's last cell.
                if [ "$rel" = docs/course.md ]; then
                    try=$(printf '%s\n' "$line" | awk -F'|' '{ print $(NF - 1) }' |
                        sed -n 's/^[^`]*`\(rahtisim [^`]*\)`.*$/\1/p')
                    [ -z "$try" ] || check_status "$rel:$n" "$try"
                fi
                ;;
            esac
            continue
        fi
        if [ "$block" != console ]; then
            printf '%s\n' "$line" >>"$tmp/new"
            if [ "$line" = '```' ]; then
                block=""
                sh_cmd=""
            elif [ "$block" = yaml ]; then
                # CI files (docs/ci.md): a step that runs rahtisim, `- rahtisim ...`
                # (GitLab's script) or `- run: rahtisim ...` (GitHub Actions)
                case $line in
                *'- rahtisim '* | *'- run: rahtisim '*)
                    step=${line#*- }
                    step=${step#run: }
                    check_status "$rel:$n" "$step"
                    ;;
                esac
            elif [ "$block" = sh ]; then
                case $line in
                *\\)
                    [ -n "$sh_cmd" ] || sh_line=$n
                    sh_cmd="$sh_cmd${line%\\} "
                    ;;
                *)
                    [ -n "$sh_cmd" ] || sh_line=$n
                    sh_cmd="$sh_cmd$line"
                    runs_rahtisim "$sh_cmd" && check_status "$rel:$sh_line" "$sh_cmd"
                    sh_cmd=""
                    ;;
                esac
            fi
            continue
        fi
        case $line in
        '```')
            finish
            printf '%s\n' "$line" >>"$tmp/new"
            block=""
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
    if [ "$block" = console ]; then
        echo "FAIL: $doc: a console block is not closed"
        fail=$((fail + 1))
        continue
    fi
    if [ "$update" -eq 1 ] && ! cmp -s "$doc" "$tmp/new"; then
        cp "$tmp/new" "$doc"
    fi
done

# The manual page's EXAMPLES: one command a line between .nf and .fi, in roff
# (\- is a hyphen, \\ a backslash).
man=$SRCDIR/docs/rahtisim.1
if [ -f "$man" ]; then
    awk '/^\.SH / { ex = ($2 == "EXAMPLES") } ex && /^\.nf/ { nf = 1; next } ex && /^\.fi/ { nf = 0 }
         ex && nf { print NR "\t" $0 }' "$man" >"$tmp/man-examples"
    n_man=0
    while IFS="$(printf '\t')" read -r n line; do
        line=$(printf '%s\n' "$line" | sed 's/\\\\/\x01/g; s/\\-/-/g; s/\x01/\\/g')
        runs_rahtisim "$line" || continue
        n_man=$((n_man + 1))
        check_status "docs/rahtisim.1:$n" "$line"
    done <"$tmp/man-examples"
    if [ "$n_man" -eq 0 ]; then
        echo "FAIL: docs/rahtisim.1: no command found in EXAMPLES"
        bad=$((bad + 1))
    fi
fi

why=""
[ "$skipped" -eq 0 ] || why=" (not installed: $(tr '\n' ' ' <"$tmp/skip-why" | sed 's/ $//'))"
echo "docs: $pass commands as shown, $fail $([ "$update" -eq 1 ] && echo updated || echo differ);" \
    "$ran other commands exited as expected, $bad did not; $skipped skipped$why"
[ "$bad" -eq 0 ] || exit 1
[ "$update" -eq 1 ] || [ "$fail" -eq 0 ]
