#!/usr/bin/env bash
# The main job on a bundled example, from a fresh machine: install what is missing, build, then
# lint the card-fraud example, simulate it, and write its design review (one HTML file).
# Usage: scripts/demo.sh [SPEC]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
spec=${1:-$root/examples/card-fraud.yaml}
"$root/scripts/setup.sh"
MLARCH_BUILD_DIR=${MLARCH_BUILD_DIR:-$root/build} "$root/scripts/build.sh" -DMLARCH_BUILD_TESTS=ON >/dev/null
build_dir=${MLARCH_BUILD_DIR:-$root/build}
mlarch="$build_dir/cli/mlarch"
echo "== mlarch lint $spec"
"$mlarch" lint "$spec"
echo
echo "== mlarch simulate $spec --duration 600 --replications 5"
"$mlarch" simulate "$spec" --duration 600 --replications 5
echo
review="$build_dir/review-$(basename "${spec%.*}").html"
echo "== mlarch review $spec -o $review --duration 300 --replications 3"
# Exit 1 is a failing verdict: the review is written all the same.
status=0
"$mlarch" review "$spec" -o "$review" --duration 300 --replications 3 || status=$?
if ((status > 1)); then exit "$status"; fi
echo "The design review is in $review: open file://$review in a browser."
