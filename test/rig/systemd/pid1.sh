#!/usr/bin/env bash
# PID 1 of the rig's systemd namespace: sets up the guards, verifies them, then execs systemd.
# Started by svc_systemd_start (test/rig/services/systemd.sh) as
#   script -qfec "exec nsenter --net=<netns> unshare --pid --fork --mount --uts --mount-proc \
#                 --propagation private bash pid1.sh <state dir> <cgroup name> <target> [<writable dir>...]" \
#          <console log>
# so this shell is PID 1 of a new PID, mount and UTS namespace inside the rig's network namespace,
# with the pty of `script` on stdin/stdout.
#
# systemd shares the host's file system. Unguarded it would pull in the stock sysinit.target, whose
# systemd-tmpfiles-setup empties the host's /tmp and whose systemd-sysctl changes global sysctls
# (test/rig README, reference test-rig-pitfalls.md). The guards, all together:
#  (a) every mount of this namespace read-only (/, /etc, /usr, /var, /tmp, /dev, /sys, /proc/sys, ...);
#      writable are only: a fresh tmpfs on /run, the state dir <sd>, our own cgroup subtree, and the
#      <writable dir>s the caller names (what the units must write, e.g. Dendrite's run dir and log dir:
#      each an existing directory strictly inside the rig's run dir, the parent of <sd>);
#  (b) empty read-only tmpfs over every directory systemd reads units, generators, tmpfiles.d,
#      sysctl.d, sysusers.d, binfmt.d, modules-load.d and its own config from;
#  (c) SYSTEMD_UNIT_PATH naming only the rig's unit dir, no trailing colon (nothing else is searched):
#      <sd>/units, bind-mounted on /etc/systemd/system in this namespace so that enabled units read as
#      enabled; empty SYSTEMD_GENERATOR_PATH and SYSTEMD_ENVIRONMENT_GENERATOR_PATH; stub sysinit/basic/
#      network/multi-user targets in the rig's unit dir.
# They are verified below (non-destructively, with test -w) before systemd is started; if any fails,
# systemd is not started.
set -euo pipefail

SD=$1       # state dir: units/, system.conf; the only writable place on disk
CG=$2       # cgroup subtree name (created by the caller in the systemd and unified hierarchies)
TARGET=$3   # the unit systemd starts (the rig target)
shift 3
WRITABLE=("$@")   # directories the units write to (bind-mounted read-write, nothing else)
RUNDIR=$(dirname "$SD")

say() { echo "pid1.sh: $*"; }
die() { say "REFUSING TO START SYSTEMD: $*"; exit 1; }

[ "$$" = 1 ] || die "not PID 1 of a new PID namespace"
[ -d "$SD/units" ] || die "no unit dir $SD/units"
[ "$(realpath "$SD")" = "$SD" ] || die "$SD is not a canonical path"
for w in "${WRITABLE[@]}"; do
  [ -d "$w" ] && [ ! -L "$w" ] || die "writable dir $w is not a directory"
  [ "$(realpath "$w")" = "$w" ] || die "writable dir $w is not a canonical path"
  case "$w" in "$RUNDIR"/?*) ;; *) die "writable dir $w is not inside the run dir $RUNDIR" ;; esac
done

# Our own cgroup subtree: systemd builds its tree below the cgroup it starts in. Hybrid layout (v1
# name=systemd plus cgroup2 on .../unified) or pure cgroup2, as svc_systemd_start created it.
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
  CGDIRS=("/sys/fs/cgroup/$CG")
else
  CGDIRS=("/sys/fs/cgroup/systemd/$CG")
  [ -d /sys/fs/cgroup/unified ] && CGDIRS+=("/sys/fs/cgroup/unified/$CG")
fi
for d in "${CGDIRS[@]}"; do
  [ -d "$d" ] || die "missing cgroup $d"
  echo 0 >"$d/cgroup.procs"
done

# No mount or unmount below may propagate to the host.
mount --make-rprivate /

# PID 1 logs to /dev/console: make that the pty of `script` (its log is the console log).
CONSOLE=$(tty) || die "stdin is not a tty (run under script)"
mount --bind "$CONSOLE" /dev/console
# And never to the host's kernel log.
mount --bind /dev/null /dev/kmsg

# (a) Everything read-only. `remount,bind,ro` changes only this namespace's mount, never the
# file system (a plain `remount,ro` would make the host's file system read-only).
mount --bind "$SD" "$SD"
ro_mounts=()
while read -r _ _ _ _ mp opts _; do
  mp=$(printf '%b' "${mp//\\/\\0}")   # mountinfo escapes spaces etc. as \040
  case "$mp" in
    /proc | /proc/*) continue ;;     # the new /proc: /proc/sys and sysrq-trigger below
    "$SD") continue ;;
  esac
  case "$opts" in ro | ro,*) continue ;; esac   # already read-only: leave it as it is
  ro_mounts+=("$mp")
done </proc/self/mountinfo
for mp in "${ro_mounts[@]}"; do
  mount -o remount,bind,ro "$mp" 2>/dev/null || mount -o remount,bind,ro,nosuid,nodev "$mp" ||
    mount -o remount,bind,ro,nosuid,nodev,noexec "$mp" || die "cannot make $mp read-only"
done
for p in /proc/sys /proc/sysrq-trigger; do
  [ -e "$p" ] || continue
  mount --bind "$p" "$p"
  mount -o remount,bind,ro "$p"
done

# Writable: /run (systemd's runtime state, the private bus socket systemctl talks to) and our cgroup.
# 64m: `systemctl daemon-reload` refuses to run with less than 16M free on /run/systemd.
mount -t tmpfs -o mode=755,nosuid,nodev,size=64m tmpfs /run
for d in "${CGDIRS[@]}"; do
  mount --bind "$d" "$d"
  mount -o remount,bind,rw "$d"
done
# And the directories the units write to (bind mounts inherit the read-only flag: remount them rw).
for w in "${WRITABLE[@]}"; do
  mount --bind "$w" "$w"
  mount -o remount,bind,rw "$w"
done

# (b) Empty read-only tmpfs over everything systemd reads units and boot-time actions from.
COVER=(
  /etc/systemd/system.control /etc/systemd/user
  /usr/lib/systemd/system /usr/lib/systemd/user /usr/local/lib/systemd
  /usr/lib/systemd/system-generators /usr/lib/systemd/system-environment-generators
  /etc/systemd/system-generators /usr/local/lib/systemd/system-generators
  /usr/lib/systemd/system-preset /usr/lib/systemd/system-shutdown
  /etc/systemd/system.conf.d /usr/lib/systemd/system.conf.d
  /etc/tmpfiles.d /usr/lib/tmpfiles.d
  /etc/sysctl.d /usr/lib/sysctl.d
  /etc/sysusers.d /usr/lib/sysusers.d
  /etc/binfmt.d /usr/lib/binfmt.d
  /etc/modules-load.d /usr/lib/modules-load.d
  /etc/environment.d /usr/lib/environment.d
  /var/lib/systemd
)
covered=()
for d in "${COVER[@]}"; do
  [ -d "$d" ] || continue
  mount -t tmpfs -o ro,mode=755,size=4k tmpfs "$d"
  covered+=("$d")
done
# The rig's unit dir where administrators keep theirs (so `systemctl enable` links count as enabled
# and FragmentPath reads /etc/systemd/system/dendrite.service); writable, like $SD.
mount --bind "$SD/units" /etc/systemd/system
# Our manager config (no accounting: nothing is created in the cgroup v1 controller hierarchies;
# units log to the console) in place of the host's.
mount --bind "$SD/system.conf" /etc/systemd/system.conf
mount -o remount,bind,ro /etc/systemd/system.conf
mount --bind /dev/null /etc/sysctl.conf

# ------------------------------------------------------------------ verify the guards
bad=()
must_ro() { local p; for p in "$@"; do [ -e "$p" ] || continue; if [ -w "$p" ]; then bad+=("$p is writable"); fi; done; }
must_rw() { local p; for p in "$@"; do [ -w "$p" ] || bad+=("$p is not writable"); done; }
must_ro / /tmp /etc /usr /var /root /home /opt /srv /boot /dev /dev/shm /sys /sys/fs/cgroup \
  /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup/memory /sys/fs/cgroup/pids \
  /proc/sys/kernel/hostname /proc/sys/fs/file-max /proc/sys/fs/nr_open /proc/sys/kernel/core_pattern \
  /proc/sys/net/unix/max_dgram_qlen /proc/sysrq-trigger /var/log /var/log/journal /var/tmp "$(dirname "$SD")" \
  /etc/systemd/system.conf
must_rw /run "$SD" /etc/systemd/system "${CGDIRS[@]}" "${WRITABLE[@]}"
# Nothing else of the run dir: its other entries (state, logs, configs, databases) stay read-only.
for e in "$RUNDIR"/* "$RUNDIR"/logs/*; do
  [ "$e" = "$SD" ] && continue
  for w in "${WRITABLE[@]}"; do [ "$e" = "$w" ] && continue 2; done
  must_ro "$e"
done
for d in "${covered[@]}"; do
  mountpoint -q "$d" || bad+=("$d is not covered")
  [ -z "$(ls -A "$d")" ] || bad+=("$d is not empty")
  must_ro "$d"
done
for d in /usr/lib/systemd/system /usr/lib/tmpfiles.d /usr/lib/sysctl.d /usr/lib/systemd/system-generators; do
  mountpoint -q "$d" || bad+=("$d is not covered")
done
[ "$(stat -c %d:%i /etc/systemd/system)" = "$(stat -c %d:%i "$SD/units")" ] || bad+=("/etc/systemd/system is not the rig's unit dir")
[ "$(stat -c %t:%T /dev/console)" = "$(stat -L -c %t:%T "$CONSOLE")" ] || bad+=("/dev/console is not the pty")
if [ "${#bad[@]}" -gt 0 ]; then
  printf 'pid1.sh: guard failed: %s\n' "${bad[@]}"
  die "guards not in place"
fi
say "guards verified: ${#ro_mounts[@]} mounts read-only, ${#covered[@]} directories covered, writable: /run $SD ${WRITABLE[*]}"
# Debugging the guards: MATRIX_DOCTOR_SYSTEMD_DRY_RUN=1 stops here, =hold keeps the namespace for
# inspection (nsenter -t <PID 1> -m -p) instead of starting systemd.
case "${MATRIX_DOCTOR_SYSTEMD_DRY_RUN:-0}" in
  1) say "dry run: not starting systemd"; exit 0 ;;
  hold) say "dry run: holding the namespace"; exec sleep 600 ;;
esac

# (c) Only the rig's units, no generators.
cd /
exec env -i container=other PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb \
  SYSTEMD_UNIT_PATH=/etc/systemd/system SYSTEMD_GENERATOR_PATH= SYSTEMD_ENVIRONMENT_GENERATOR_PATH= \
  /lib/systemd/systemd --system --unit="$TARGET" --log-target=console --show-status=no
