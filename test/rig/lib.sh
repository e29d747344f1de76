# Shared by up.sh and down.sh (sourced, not run).
# Paths, netns helpers and the PID bookkeeping of the rig.

RIG_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$RIG_SRC/../.." && pwd)
NS=${MATRIX_DOCTOR_NETNS:-mdtest}
RUN=$(realpath -m "${MATRIX_DOCTOR_RIG_DIR:-$REPO/.rig}")
CACHE=${MATRIX_DOCTOR_CACHE:-$HOME/.cache/matrix-doctor}
PKI=$CACHE/pki-v1
NSFILE=/run/netns/$NS
# Recorded in $RUN/state/pids/<name>; a rig is reused only while all are alive. dendrite is the host
# PID of dendrite.service's main process (it runs under the rig's systemd, not started by up.sh).
DAEMONS=(nginx dendrite knot)
# Which run dir owns the namespace name: a second rig (another checkout, CI) must not take it over.
NS_OWNER=/run/matrix-doctor-netns-$NS.owner
# Present while /run/netns is a mount point made by a rig's `ip netns add`.
NETNS_MARK=/run/matrix-doctor-netns-mount

log() { echo "rig: $*" >&2; }

# Extra services: each test/rig/services/<name>.sh defines these hooks, run for all services in
# glob order of the file names (coturn, postgres, synapse, systemd, ...) at each step:
#   svc_<name>_start    (up, before dendrite.yaml is written; may append to the dendrite_edits array;
#                        starts daemons with nsenter, records their PIDs in $RUN/state/pids/<name>*,
#                        waits until they serve, and writes its part of rig.json to
#                        $RUN/state/services/<name>.json)
#   svc_<name>_after_config (optional; up, after $DD/dendrite.yaml and the nginx config are written
#                        and knotd/nginx are started, before up.sh waits for Dendrite: starts what
#                        needs the final config. systemd's hook starts systemd, and with it
#                        dendrite.service, the rig's Dendrite)
#   svc_<name>_ready    (optional; up, after Dendrite answers on 127.0.0.1:8008: accounts, final checks)
#   svc_<name>_healthy  (optional; decides whether a running rig can be reused)
#   svc_<name>_stop     (optional; down, before the recorded PIDs get TERM; systemd's SIGKILLs its
#                        PID 1, which ends Dendrite with the whole PID namespace)
# Hooks may use $RUN, $NS, $NSFILE, $CACHE, $PKI; up hooks also $BIN (Dendrite's bin dir), $DD ($RUN/dendrite).
RIG_SERVICES=()
for _svc in "$RIG_SRC"/services/*.sh; do
  [ -e "$_svc" ] || continue
  # shellcheck source=/dev/null
  source "$_svc"
  RIG_SERVICES+=("$(basename "$_svc" .sh)")
done
unset _svc

# "name": {...}, for every service that wrote its part of rig.json.
services_json() {
  local first=1 name
  for name in "${RIG_SERVICES[@]}"; do
    [ -s "$RUN/state/services/$name.json" ] || continue
    [ $first = 1 ] || printf ','
    first=0
    printf '\n    "%s": %s' "$name" "$(cat "$RUN/state/services/$name.json")"
  done
}
die() { echo "rig: error: $*" >&2; exit 1; }

[[ $NS =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad MATRIX_DOCTOR_NETNS: $NS"
[ "$RUN" != / ] || die "MATRIX_DOCTOR_RIG_DIR must not be /"
[ "$(id -u)" -eq 0 ] || die "the rig needs root (network namespaces)"

# Run a command inside the rig's network namespace.
in_ns() { nsenter --net="$NSFILE" -- "$@"; }

# Serialise up/down on one run dir. Daemons must not inherit fd 9 (9>&-).
rig_lock() {
  mkdir -p "$RUN"
  exec 9>"$RUN/.lock"
  flock -w 60 9 || die "another up/down holds $RUN/.lock"
}

# Is PID alive (not a zombie)?
pid_alive() {
  local st
  [ -r "/proc/$1/stat" ] || return 1
  st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# Is PID one of ours: in the rig's netns (as recorded at up), or with the run
# dir on its command line? Guards against killing a recycled PID.
pid_ours() {
  local pid=$1 nsid=
  pid_alive "$pid" || return 1
  [ -s "$RUN/state/netns-id" ] && nsid=$(cat "$RUN/state/netns-id")
  if [ -n "$nsid" ] && [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$nsid" ]; then return 0; fi
  { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qF -- "$RUN/"
}

# All recorded PIDs (one per line, every file in state/pids).
recorded_pids() {
  [ -d "$RUN/state/pids" ] || return 0
  cat "$RUN/state/pids"/* 2>/dev/null | grep -E '^[0-9]+$' || true
}

# Stop every recorded process that is still ours: TERM, wait, then KILL.
stop_recorded() {
  local pid pids=() left i
  for pid in $(recorded_pids); do
    if pid_ours "$pid"; then pids+=("$pid"); kill -TERM "$pid" 2>/dev/null || true; fi
  done
  [ "${#pids[@]}" -eq 0 ] && return 0
  for i in $(seq 1 100); do          # up to 10 s
    left=()
    for pid in "${pids[@]}"; do pid_alive "$pid" && left+=("$pid"); done
    [ "${#left[@]}" -eq 0 ] && return 0
    sleep 0.1
  done
  for pid in "${left[@]}"; do
    if pid_ours "$pid"; then log "PID $pid did not stop on TERM, sending KILL"; kill -KILL "$pid" 2>/dev/null || true; fi
  done
  for i in $(seq 1 50); do
    left=()
    for pid in "${pids[@]}"; do pid_alive "$pid" && left+=("$pid"); done
    [ "${#left[@]}" -eq 0 ] && return 0
    sleep 0.1
  done
  log "warning: still running after KILL: ${left[*]}"
}

# Refuse to touch a namespace another run dir (another checkout, a CI clone) has up.
claim_netns() {
  local owner
  owner=$(cat "$NS_OWNER" 2>/dev/null || true)
  if [ -n "$owner" ] && [ "$owner" != "$RUN" ] && [ -e "$NSFILE" ] && [ -d "$owner/state" ]; then
    # Only a rig that still has a live process owns it; one whose processes are gone (ended with the
    # session that started it) left a stale namespace behind, which we may take over.
    local pid
    for pid in $(cat "$owner/state/pids"/* 2>/dev/null | grep -E '^[0-9]+$' || true); do
      if pid_alive "$pid"; then
        die "netns $NS is in use by the rig in $owner (PID $pid); bring that one down or set MATRIX_DOCTOR_NETNS"
      fi
    done
    log "taking over netns $NS from $owner (none of its processes is alive)"
  fi
}

# Full teardown; safe to call when nothing (or half of it) is up.
rig_down() {
  claim_netns
  local name
  for name in "${RIG_SERVICES[@]}"; do
    if declare -F "svc_${name}_stop" >/dev/null; then "svc_${name}_stop" || log "warning: stopping $name failed"; fi
  done
  stop_recorded
  if [ -e "$NSFILE" ]; then
    local stray
    stray=$(ip netns pids "$NS" 2>/dev/null | tr '\n' ' ')
    if [ -n "$stray" ]; then
      log "warning: processes not started by the rig are still in netns $NS (not killed): $stray"
    fi
    ip netns delete "$NS" 2>/dev/null || umount "$NSFILE" 2>/dev/null || true
    rm -f "$NSFILE" 2>/dev/null || true
  fi
  # `ip netns add` turns /run/netns into a (shared) bind mount of itself. Undo
  # that only if a rig did it (marker) and no namespace is left in there.
  if [ -e "$NETNS_MARK" ]; then
    if ! mountpoint -q /run/netns 2>/dev/null; then
      rm -f "$NETNS_MARK"
    elif [ -z "$(ls -A /run/netns 2>/dev/null)" ]; then
      umount /run/netns && rmdir /run/netns 2>/dev/null; rm -f "$NETNS_MARK"
    fi
  fi
  [ "$(cat "$NS_OWNER" 2>/dev/null || true)" = "$RUN" ] && rm -f "$NS_OWNER"
  rm -rf "$RUN/state" "$RUN/rig.json" "$RUN/knot" "$RUN/nginx" "$RUN/dendrite" "$RUN/www"
}
