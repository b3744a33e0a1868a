# scripts/setup.sh: shared set-up for run.sh and test.sh (sourced, not run).
#
# Installs the Debian packages rahtisim needs (only those missing), then
# builds out of tree in build/ (or $RS_BUILD).  Safe to run again: a second
# run installs nothing and rebuilds only what changed.

RS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RS_BUILD=${RS_BUILD:-$RS_TOP/build}

# Packages to build and run; tests add their own list (RS_TEST_PACKAGES).
RS_PACKAGES="gcc make autoconf automake pkg-config libglib2.0-dev libcjson-dev libcunit1-dev libyaml-dev openssl"
RS_TEST_PACKAGES="libxml2-utils valgrind gnuplot-nox graphviz slurmctld slurmd slurm-client munge chromium python3 python3-jsonschema haproxy curl cppcheck clang-tidy bear"

rs_say() { printf '==> %s\n' "$*" >&2; }

# Installs the named Debian packages that are not installed yet.
rs_install_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { rs_say "need root or sudo to install: ${missing[*]}"; return 1; }
        sudo=sudo
    fi
    rs_say "installing Debian packages: ${missing[*]}"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

# Configures and builds in $RS_BUILD with the given configure flags.  The
# flags of the last configure are kept in $RS_BUILD/.rs-configure-flags:
# configure runs again (followed by `make clean`, since make cannot see
# changed compiler flags) only when the build has no Makefile yet or the
# flags differ, so `./test.sh --enable-werror` never silently builds without
# -Werror, and a second run with the same flags only rebuilds what changed.
# (run.sh passes no flags: it builds the default configuration.)
rs_build() {
    if [ ! -x "$RS_TOP/configure" ] || [ "$RS_TOP/configure.ac" -nt "$RS_TOP/configure" ]; then
        rs_say "autoreconf"
        (cd "$RS_TOP" && autoreconf -fi >/dev/null 2>&1) || (cd "$RS_TOP" && autoreconf -fi)
    fi
    mkdir -p "$RS_BUILD"
    local stamp="$RS_BUILD/.rs-configure-flags" flags="" old=""
    [ $# -eq 0 ] || flags=$(printf '%q ' "$@")
    [ -f "$stamp" ] && old=$(cat "$stamp")
    if [ ! -f "$RS_BUILD/Makefile" ] || [ ! -f "$stamp" ] || [ "$old" != "$flags" ]; then
        local had_build=no
        [ -f "$RS_BUILD/Makefile" ] && had_build=yes
        rm -f "$stamp"
        rs_say "configure $* (in ${RS_BUILD#$RS_TOP/})${old:+; the build was configured with: $old}"
        (cd "$RS_BUILD" && "$RS_TOP/configure" -q "$@")
        [ "$had_build" = no ] || make -C "$RS_BUILD" -s clean >/dev/null
        printf '%s' "$flags" >"$stamp"
    fi
    make -C "$RS_BUILD" -s -j"$(nproc)" >/dev/null
}
