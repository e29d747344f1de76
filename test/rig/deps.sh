#!/usr/bin/env bash
# Install the Debian packages the test rig needs, only if missing.
# Quiet when everything is present. Never starts daemons (policy-rc.d guard).
set -euo pipefail

PKGS=(knot nginx openssl iproute2 bind9-dnsutils curl util-linux python3)

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
