#!/usr/bin/env bash
# Configures and builds mlarch into a build directory (default: build/). Extra arguments go to
# CMake. Used by demo.sh, test.sh and CI; safe to run again (incremental).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${MLARCH_BUILD_DIR:-$root/build}
generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
else
  cmake -S "$root" -B "$build_dir" "$@" >/dev/null
fi
cmake --build "$build_dir" --parallel "${MLARCH_JOBS:-$(nproc)}"
