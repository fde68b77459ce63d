#!/usr/bin/env bash
# Runs the OpenAI-client integration tests against `densing serve` (CTest: server_openai_client).
# The pinned `openai` package is installed with `npm ci` into WORK_DIR, once per lock file.
# Exits 77 (CTest: skipped) when node or npm is missing or the model is absent.
# usage: run_openai_tests.sh SOURCE_DIR WORK_DIR DENSING_BINARY MODEL
set -euo pipefail
src=$1 work=$2 densing=$3 model=$4

skip() {
  echo "SKIPPED: $*"
  exit 77
}
command -v node >/dev/null || skip "node is not installed (Debian: apt-get install nodejs npm)"
command -v npm >/dev/null || skip "npm is not installed (Debian: apt-get install npm)"
major=$(node -p 'process.versions.node.split(".")[0]')
((major >= 18)) || skip "node $major is too old: node --test and fetch need node >= 18"
[[ -f $model ]] || skip "$model not found (the shared test models are absent)"

mkdir -p "$work"
cp "$src"/package.json "$src"/package-lock.json "$src"/*.mjs "$work"/
cd "$work"
if ! cmp -s package-lock.json node_modules/.densing-package-lock.json; then
  echo "installing the pinned openai package from the npm registry (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error ||
    { echo "npm ci failed: the npm registry must be reachable"; exit 1; }
  cp package-lock.json node_modules/.densing-package-lock.json
fi
DENSING_BINARY=$densing DENSING_MODEL=$model exec node --test ./*.test.mjs
