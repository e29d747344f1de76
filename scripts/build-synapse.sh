#!/usr/bin/env bash
# Install Synapse 1.98.0 (Apache-2.0) with its PostgreSQL driver into a venv cached at
# ${MATRIX_DOCTOR_CACHE:-~/.cache/matrix-doctor}/synapse-1.98.0/venv, unless a working one is there.
# Prints the venv path as its last line of stdout; everything else goes to stderr.
#
# Python: Debian's /usr/bin/python3 (3.11 on Debian 12), not whatever python3 comes first on PATH
# (a pyenv shim, say): its venv module comes from the Debian package python3-venv, and psycopg2 is
# built from source against libpq-dev/python3-dev with gcc (test/rig/deps.sh installs all four).
# Set MATRIX_DOCTOR_SYNAPSE_PYTHON to use another interpreter (3.8..3.12 for Synapse 1.98).
set -euo pipefail

VERSION=1.98.0
CACHE=${MATRIX_DOCTOR_CACHE:-$HOME/.cache/matrix-doctor}
DIR=$CACHE/synapse-$VERSION
VENV=$DIR/venv
PY=${MATRIX_DOCTOR_SYNAPSE_PYTHON:-/usr/bin/python3}

# Synapse 1.98.0 (2023-12-12) declares mostly lower bounds; newer releases of these break it:
PINS=(
  "matrix-synapse[postgres]==$VERSION"
  # prometheus_client 0.24 made Collector generic: `class InFlightGauge(Generic[...], Collector)` in
  # synapse/metrics/__init__.py fails at import ("Cannot create a consistent method resolution order").
  "prometheus_client<0.24"
  # Not pinned, but missing: register_new_matrix_user imports requests, which Synapse 1.98 does not
  # declare as a dependency (the Debian/Docker packages happen to ship it).
  "requests"
)

log() { echo "build-synapse: $*" >&2; }

# The venv is good if it was built from PINS (kept in venv/.requirements, so changing PINS rebuilds
# it) and Synapse's entry point, which pulls in nearly every dependency, imports with the PostgreSQL
# driver at the right version. (`synapse.app.homeserver` has no --version option.)
works() {
  [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.requirements" 2>/dev/null)" = "$(printf '%s\n' "${PINS[@]}")" ] &&
    "$VENV/bin/python" -c "import sys, psycopg2, synapse, synapse.app.homeserver; sys.exit(synapse.__version__ != '$VERSION')" >/dev/null 2>&1
}

if works; then
  echo "$VENV"
  exit 0
fi

[ -x "$PY" ] || { log "no Python at $PY (apt-get install python3 python3-venv)"; exit 1; }
"$PY" -c 'import ensurepip, venv' 2>/dev/null ||
  { log "$PY cannot create venvs with pip (apt-get install python3-venv)"; exit 1; }
command -v pg_config >/dev/null || { log "pg_config missing: psycopg2 is built from source (apt-get install libpq-dev)"; exit 1; }

mkdir -p "$DIR"
exec 8>"$DIR/.lock"
flock -w 600 8 || { log "another build holds $DIR/.lock"; exit 1; }
if works; then echo "$VENV"; exit 0; fi

log "installing Synapse $VERSION into $VENV (about a minute the first time: psycopg2 is compiled)"
# Built in place (a venv cannot be moved: its bin/ scripts name it in their shebangs); works() tells
# a half-built one from a good one, and a failed build is removed.
rm -rf "$VENV"
if ! { "$PY" -m venv "$VENV" >&2 &&
  "$VENV/bin/python" -m pip install -q --upgrade pip wheel >&2 &&
  "$VENV/bin/python" -m pip install -q "${PINS[@]}" >&2; }; then
  rm -rf "$VENV"
  log "pip install failed"
  exit 1
fi
printf '%s\n' "${PINS[@]}" >"$VENV/.requirements"
works || { log "Synapse in $VENV does not import (python -c 'import synapse.app.homeserver')"; exit 1; }
log "Synapse $VERSION ready"
echo "$VENV"
