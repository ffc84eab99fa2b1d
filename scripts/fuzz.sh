#!/usr/bin/env bash
# Builds the libFuzzer target for the spec loader with clang 14 and runs it for N seconds
# (default 60), starting from the examples and rule fixtures. Exits non-zero on a finding.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
"$root/scripts/setup.sh"
build_dir=${MLARCH_FUZZ_BUILD_DIR:-$root/build-fuzz}
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer"
if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMLARCH_BUILD_FUZZ=ON -DMLARCH_BUILD_TESTS=ON -DMLARCH_BUILD_BENCH=OFF -DCMAKE_CXX_FLAGS="$flags" >/dev/null
fi
cmake --build "$build_dir" --target fuzz_loader --parallel "$(nproc)"
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp "$root"/examples/*.yaml "$corpus/"
for f in "$root"/rules/*/*.yaml; do cp "$f" "$corpus/$(basename "$(dirname "$f")")-$(basename "$f")"; done
cd "$build_dir"
ASAN_OPTIONS=detect_leaks=1 ./tests/fuzz_loader -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 "$corpus"
