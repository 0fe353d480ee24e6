#!/usr/bin/env bash
#
# Installs, with apt, whichever of the local stack's servers are missing:
#   rabbitmq-server (Debian's 3.10.x, management plugin included),
#   postgresql-15, redis-server (7.x), and curl.
# Idempotent: does nothing when everything is already installed.
#
# Usage: deploy/local/install.sh
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PACKAGES=(rabbitmq-server postgresql-15 redis-server curl)

pkg_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    if pkg_installed "$pkg"; then
        log "$pkg: already installed"
    else
        missing+=("$pkg")
    fi
done

if ((${#missing[@]} == 0)); then
    log "Nothing to install."
    exit 0
fi

use_root_or_sudo "${missing[*]}"

# Package maintainer scripts try to start the servers right away (and without
# systemd, with their own system-wide configs and ports). A policy-rc.d that
# exits 101 tells invoke-rc.d "not allowed"; we hold one only while apt runs and
# put back whatever was there before (Docker-style images ship their own).
POLICY=/usr/sbin/policy-rc.d
POLICY_BACKUP=/usr/sbin/policy-rc.d.etter-backup
POLICY_HAD_ORIGINAL=0

# A backup left behind means an earlier run was killed before its cleanup:
# the file in place is ours, the backup is the original.
if [[ -e "$POLICY_BACKUP" ]]; then
    "${SUDO[@]}" mv -f "$POLICY_BACKUP" "$POLICY"
fi

restore_policy() {
    if ((POLICY_HAD_ORIGINAL)); then
        "${SUDO[@]}" mv -f "$POLICY_BACKUP" "$POLICY" || warn "could not restore $POLICY from $POLICY_BACKUP"
    else
        "${SUDO[@]}" rm -f "$POLICY" || warn "could not remove the temporary $POLICY"
    fi
}

if [[ -e "$POLICY" ]]; then
    "${SUDO[@]}" cp -p "$POLICY" "$POLICY_BACKUP"
    POLICY_HAD_ORIGINAL=1
fi
trap restore_policy EXIT
printf '#!/bin/sh\n# Temporary, from deploy/local/install.sh: do not start services during apt.\nexit 101\n' \
    | "${SUDO[@]}" tee "$POLICY" >/dev/null
"${SUDO[@]}" chmod 755 "$POLICY"

export DEBIAN_FRONTEND=noninteractive
log "apt-get update"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
log "apt-get install ${missing[*]}"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"

log "Installed: ${missing[*]}"
