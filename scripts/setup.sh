#!/usr/bin/env bash
# Installs the Debian bookworm packages mlarch needs to build and test, only those missing.
# Works as root (or with sudo) on a fresh machine; safe to run again.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libyaml-cpp-dev nlohmann-json3-dev libvalijson-dev libboost-graph-dev libboost-math-dev
  libeigen3-dev libfmt-dev libcli11-dev libkainjow-mustache-dev libgraphviz-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev libomp-14-dev
  # Clang LibTooling for `mlarch conform`. Debian's ClangTargets.cmake refuses to load unless
  # every file it lists is installed, tools included (see design/research/ecosystem.md §4).
  llvm-14-dev libclang-14-dev libclang-cpp14-dev clang-tools-14 clang-format-14 clang-tidy-14 clangd-14
  pre-commit
  chromium  # the review's browser test opens every example's review in headless Chromium
)
# Extras once optional, now installed by default; still accepted so that old CI settings work.
for extra in ${MLARCH_SETUP_EXTRAS:-}; do
  case "$extra" in
    browser | clang-tooling) ;;
    *) echo "setup: unknown extra '$extra'" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 2; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
