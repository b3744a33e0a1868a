#!/usr/bin/env bash
# run.sh: set up (Debian packages, build) and run rahtisim.
# With no arguments it runs the built-in scenario; arguments go to `rahtisim run`:
#   ./run.sh                       the built-in scenario (the seed's `fenic` namespace)
#   ./run.sh scenarios/x.json      a scenario of your own
set -euo pipefail
. "$(dirname "$0")/scripts/setup.sh"
rs_install_packages $RS_PACKAGES
rs_build
exec "$RS_BUILD/rahtisim" run "$@"
