#!/usr/bin/env bash
# The main job on a bundled example, from a fresh machine: install what is missing, build, then
# lint the card-fraud example and simulate it (the HTML review joins when it lands).
# Usage: scripts/demo.sh [SPEC]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
spec=${1:-$root/examples/card-fraud.yaml}
"$root/scripts/setup.sh"
MLARCH_BUILD_DIR=${MLARCH_BUILD_DIR:-$root/build} "$root/scripts/build.sh" -DMLARCH_BUILD_TESTS=ON >/dev/null
mlarch="${MLARCH_BUILD_DIR:-$root/build}/cli/mlarch"
echo "== mlarch lint $spec"
"$mlarch" lint "$spec"
echo
echo "== mlarch simulate $spec --duration 600 --replications 5"
"$mlarch" simulate "$spec" --duration 600 --replications 5
