#!/usr/bin/env bash
# Tear the test rig down: stop every recorded process by PID (TERM, then KILL),
# delete the network namespace and the run dir's state. Logs stay in
# <run dir>/logs for post-mortems. Safe to run when nothing is up.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rig_lock
rig_down
log "down (netns $NS)"
