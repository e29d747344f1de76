#!/usr/bin/env bash
# Build Dendrite v0.13.8 into a cache and print the bin dir (last stdout line).
# Skips the build when the binaries the rig needs are already there.
set -euo pipefail

VERSION=v0.13.8
CACHE=${MATRIX_DOCTOR_CACHE:-$HOME/.cache/matrix-doctor}
BIN="$CACHE/dendrite-$VERSION/bin"

have_all() {
  local b
  for b in dendrite generate-keys create-account; do
    [ -x "$BIN/$b" ] || return 1
  done
}

if ! have_all; then
  command -v go >/dev/null 2>&1 || { echo "build-dendrite.sh: go not found in PATH" >&2; exit 1; }
  mkdir -p "$BIN"
  echo "build-dendrite.sh: building Dendrite $VERSION into $BIN (takes a few minutes)" >&2
  GOBIN="$BIN" go install "github.com/matrix-org/dendrite/cmd/...@$VERSION" >&2
  have_all || { echo "build-dendrite.sh: build finished but binaries are missing in $BIN" >&2; exit 1; }
fi

echo "$BIN"
