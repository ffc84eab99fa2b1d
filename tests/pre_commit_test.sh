#!/usr/bin/env bash
# Drives the real pre-commit (Debian package) with this repository's .pre-commit-hooks.yaml in a
# temporary git repository: a spec with an error is refused with the finding shown; a clean spec
# commits. Usage: pre_commit_test.sh MLARCH_BINARY SOURCE_DIR
set -euo pipefail
mlarch_bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" PRE_COMMIT_HOME="$work/cache" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME" "$work/bin"
ln -s "$mlarch_bin" "$work/bin/mlarch"
export PATH="$work/bin:$PATH"
git config --global user.email test@example.com
git config --global user.name test
git config --global init.defaultBranch main
git config --global protocol.file.allow always

# The hook repository: a snapshot of this project's hook definition.
hooks="$work/hooks"
mkdir -p "$hooks"
cp "$src/.pre-commit-hooks.yaml" "$hooks/"
git -C "$hooks" init -q
git -C "$hooks" add .pre-commit-hooks.yaml
git -C "$hooks" commit -qm hooks
rev=$(git -C "$hooks" rev-parse HEAD)

repo="$work/repo"
mkdir -p "$repo"
cd "$repo"
git init -q
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $hooks
    rev: $rev
    hooks:
      - id: mlarch-lint
YAML
git add .pre-commit-config.yaml
git commit -qm config --no-verify
pre-commit install >/dev/null

cat > bad.yaml <<'YAML'
mlarch: 1
system: {name: bad, owner: team}
components:
  api: {kind: gateway, replicas: 2, security: {public: true, tls: false, authn: oauth2, rate_limit_rps: 5}}
  backend: {kind: service, replicas: 2}
flows:
  - {from: api, to: backend}
budget: {usd_per_month: 10}
YAML
git add bad.yaml
if git commit -qm bad > out.txt 2>&1; then
  cat out.txt
  echo "FAIL: a spec with an error was committed"
  exit 1
fi
grep -q "bad.yaml:4:.*error\[SEC001\]" out.txt || { cat out.txt; echo "FAIL: the finding was not shown"; exit 1; }

sed -i 's/tls: false/tls: true/' bad.yaml
git add bad.yaml
if ! git commit -qm good > out.txt 2>&1; then
  cat out.txt
  echo "FAIL: a clean spec was refused"
  exit 1
fi
echo "pre-commit hook: refused the bad spec, accepted the clean one"
