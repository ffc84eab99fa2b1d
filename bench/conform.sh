#!/usr/bin/env bash
# Times `mlarch conform` on the example C++ service (examples/scoring-service), process start
# included, on two threads (-j 2) and on one: the median of 5 runs of each, and the parse time
# per translation unit that conform itself reports. Needs a built mlarch (default: build/).
#   bench/conform.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$root/examples/scoring-service" "$tmp/"
rm -rf "$tmp/scoring-service/build"
cmake -S "$tmp/scoring-service" -B "$tmp/scoring-service/build" >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for jobs in 2 1; do
  rm -f "$tmp/runs.txt"
  for _ in $(seq 5); do
    s=$(date +%s%N)
    "$build/cli/mlarch" conform "$tmp/scoring-service/spec.yaml" -j "$jobs" 2>>"$tmp/runs.txt" >/dev/null
    e=$(date +%s%N)
    echo "wall $(( (e - s) / 1000000 ))" >>"$tmp/runs.txt"
  done
  wall=$(awk '/^wall/{print $2}' "$tmp/runs.txt" | median)
  per_unit=$(grep -o '[0-9]* ms of parsing per unit' "$tmp/runs.txt" | awk '{print $1}' | median)
  units=$(grep -m1 -o '[0-9]* translation units read' "$tmp/runs.txt" | awk '{print $1}')
  echo "conform examples/scoring-service ($units translation units), -j $jobs: median ${wall} ms of 5 runs, ${per_unit} ms of parsing per unit"
done
