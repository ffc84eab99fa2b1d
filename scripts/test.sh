#!/usr/bin/env bash
# The whole test suite, from a fresh machine: install what is missing, build, run every test.
#   scripts/test.sh              the normal build (build/)
#   scripts/test.sh --sanitize   the same tests under AddressSanitizer + UBSan (build-asan/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
if [[ "${1:-}" == "--sanitize" ]]; then
  export MLARCH_BUILD_DIR=${MLARCH_BUILD_DIR:-$root/build-asan}
  "$root/scripts/build.sh" -DMLARCH_BUILD_TESTS=ON -DMLARCH_BUILD_BENCH=OFF -DMLARCH_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export LSAN_OPTIONS=suppressions=$root/tests/lsan.supp
else
  export MLARCH_BUILD_DIR=${MLARCH_BUILD_DIR:-$root/build}
  "$root/scripts/build.sh" -DMLARCH_BUILD_TESTS=ON
fi
cd "$MLARCH_BUILD_DIR"
ctest --output-on-failure --parallel "${MLARCH_JOBS:-$(nproc)}" --timeout 600
