#!/usr/bin/env bash
# Install the npm dependencies and build matrix-doctor into dist/ (no root needed).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
chmod +x dist/src/cli/main.js
echo "built: run it with 'npx matrix-doctor --help' (or node dist/src/cli/main.js)"
