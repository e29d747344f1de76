#!/usr/bin/env bash
# Install the Debian packages the test rig needs, only if missing.
# Quiet when everything is present. Never starts daemons (policy-rc.d guard).
set -euo pipefail

PKGS=(knot nginx openssl iproute2 bind9-dnsutils curl util-linux python3)
# --- exporter area: promtool and a Prometheus server, headless Chromium for the status page ---
PKGS+=(prometheus chromium)
# --- end exporter area ---
# --- turn area: coturn (turnserver, turnutils_*) ---
PKGS+=(coturn)
# --- end turn area ---
# --- postgres area: PostgreSQL 15 server, and the en_US.UTF-8 locale for the non-C collation database ---
PKGS+=(postgresql-15 locales)
if ! locale -a 2>/dev/null | grep -qiE '^en_US\.utf-?8$'; then
  [ "$(id -u)" -eq 0 ] || { echo "deps.sh: need root to generate the en_US.UTF-8 locale" >&2; exit 1; }
  if [ -f /etc/locale.gen ] && command -v locale-gen >/dev/null; then
    echo "deps.sh: generating the en_US.UTF-8 locale" >&2
    sed -i -E 's/^#[[:space:]]*(en_US\.UTF-8 UTF-8)/\1/' /etc/locale.gen
    grep -qE '^en_US\.UTF-8 UTF-8' /etc/locale.gen || echo 'en_US.UTF-8 UTF-8' >>/etc/locale.gen
    locale-gen >&2
  else # `locales` is installed below; its postinst generates what debconf lists
    echo 'locales locales/locales_to_be_generated multiselect en_US.UTF-8 UTF-8' | debconf-set-selections
  fi
fi
# --- end postgres area ---
# --- systemd area: systemd (PID 1 of the rig's systemd namespace, systemctl), script (its console pty) ---
PKGS+=(systemd bsdutils)
# --- end systemd area ---
# --- synapse area: Synapse 1.98 in a venv of Debian's python3 (scripts/build-synapse.sh); psycopg2 is compiled ---
PKGS+=(python3-venv python3-dev libpq-dev gcc libc6-dev)
# --- end synapse area ---

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "deps.sh: need root to install: ${missing[*]}" >&2
  exit 1
fi

echo "deps.sh: installing ${missing[*]}" >&2

# Keep package maintainer scripts from starting knot/nginx on install.
POLICY=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$POLICY"
  chmod 755 "$POLICY"
  created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then rm -f "$POLICY"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only if apt does not know a package yet.
need_update=0
for p in "${missing[@]}"; do
  if ! apt-cache show "$p" >/dev/null 2>&1; then need_update=1; break; fi
done
if [ "$need_update" = 1 ]; then
  apt-get update -qq >&2
fi
apt-get install -y -qq --no-install-recommends --no-upgrade "${missing[@]}" >&2
