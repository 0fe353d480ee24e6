#!/usr/bin/env bash
#
# Installs, with apt, whichever of the local stack's servers and tools are missing:
#   rabbitmq-server (Debian's 3.10.x, management plugin included),
#   postgresql-15, redis-server (7.x), curl, and shellcheck (the lint of
#   deploy/ that .ci/run runs before the tests).
# Idempotent: does nothing when everything is already installed.
#
# Usage: deploy/local/install.sh
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PACKAGES=(rabbitmq-server postgresql-15 redis-server curl shellcheck)

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
log "apt-get update"
apt_get update -q
# Held: the servers' maintainer scripts would start them with system-wide configs and ports.
apt_install_held "${missing[@]}"
log "Installed: ${missing[*]}"
