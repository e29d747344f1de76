#!/usr/bin/env bash
# Everything the tests need, then all tests: Debian packages, npm packages, the build, the Dendrite
# build (cached under ~/.cache/matrix-doctor), the rig in a network namespace, and vitest inside it.
# Usage: bash scripts/test-all.sh [vitest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if [ "$(id -u)" != 0 ]; then
  echo "test-all: the rig needs root (network namespaces, nginx on 443, knot on 53)" >&2
  exit 2
fi

echo "== Debian packages"
bash test/rig/deps.sh

echo "== npm packages and build"
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
npx tsc --noEmit -p .

echo "== Dendrite v0.13.8 (cached)"
bash scripts/build-dendrite.sh >/dev/null

echo "== rig"
export MATRIX_DOCTOR_NETNS=${MATRIX_DOCTOR_NETNS:-mdtest}
cleanup() { bash "$ROOT/test/rig/down.sh" || true; }
trap cleanup EXIT
RIG_JSON=$(bash test/rig/up.sh | tail -n 1)
export MATRIX_DOCTOR_RIG="$RIG_JSON" MATRIX_DOCTOR_REQUIRE_RIG=1

echo "== tests"
mkdir -p test-output
status=0
nsenter --net="/run/netns/$MATRIX_DOCTOR_NETNS" -- \
  npx vitest run --reporter=default --reporter=json --outputFile.json=test-output/vitest.json "$@" || status=$?
node scripts/test-summary.mjs test-output/vitest.json || status=1
exit $status
