#!/usr/bin/env bash
# Reproduces the figures in docs/performance.md. Builds (Release) into build-bench/, then:
#  1. the stage benchmarks (Google Benchmark, 5 repetitions, medians);
#  2. `mlarch lint` on one example, process start included: median of 51 runs;
#  3. `mlarch lint` on a generated 10,000-component / 30,000-flow spec: median wall time and
#     peak RSS of 5 runs (GNU time), pinned to one core.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${MLARCH_BENCH_BUILD_DIR:-$root/build-bench}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMLARCH_BUILD_TESTS=OFF -DMLARCH_BUILD_BENCH=ON >/dev/null
cmake --build "$build" --parallel "$(nproc)" >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB"
echo
"$build/bench/mlarch_bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_filter="${MLARCH_BENCH_FILTER:-.}" 2>/dev/null | grep -E 'median|Benchmark' || true

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo
spec="$root/examples/card-fraud.yaml"
for _ in $(seq 5); do "$build/cli/mlarch" lint "$spec" >/dev/null; done
times=$(for _ in $(seq 51); do
  s=$(date +%s%N); "$build/cli/mlarch" lint "$spec" >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000 ))
done | median)
echo "lint one example (card-fraud.yaml), process start included: median $(awk -v us="$times" 'BEGIN{printf "%.1f", us/1000}') ms of 51 runs"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/bench/mlarch_gen_spec" 10000 > "$tmp/big.yaml"
"$build/bench/mlarch_gen_spec" 10000 --json > "$tmp/big.json"
for format in yaml json; do
  file="$tmp/big.$format"
  echo "generated spec ($format): $(wc -l < "$file") lines, $(du -h "$file" | cut -f1)"
  rm -f "$tmp/time.txt"
  for _ in $(seq 5); do
    /usr/bin/time -f "%e %M" taskset -c 0 "$build/cli/mlarch" lint --fail-on never "$file" >/dev/null 2>>"$tmp/time.txt" || true
  done
  wall=$(awk '{print $1}' "$tmp/time.txt" | median)
  rss=$(awk '{print $2}' "$tmp/time.txt" | median)
  echo "lint 10,000 components + 30,000 flows, $format (one core): median ${wall} s, peak RSS median $((rss / 1024)) MiB of 5 runs"
done

# Reference kernels: roofline against measured for every architecture type (bench/kernels.yaml),
# on one thread (the default), batches 8 and 16;
# the whole `mlarch kernels` command on an example; `mlarch validate` on it, 3 runs.
echo
echo "load average before the kernel figures: $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/cli/mlarch" kernels "$root/bench/kernels.yaml" --batches 8,16
s=$(date +%s%N); "$build/cli/mlarch" kernels "$spec" >/dev/null; e=$(date +%s%N)
echo "mlarch kernels card-fraud.yaml (probe, 3 batch sizes, default threads): $(( (e - s) / 1000000 )) ms wall"
for _ in 1 2 3; do "$build/cli/mlarch" validate "$spec" | sed -n '/latency/,/p99/p'; done
