#!/usr/bin/env bash
#
# Makes Debian's Chromium available at /usr/bin/chromium for the dashboard's
# browser tests (tests/Etter.Dashboard.Tests drive it through Playwright with
# ExecutablePath=/usr/bin/chromium; `playwright install` is never used, as it
# downloads browsers from outside the package registries).
#
# Idempotent: does nothing when /usr/bin/chromium already exists. Chromium
# starts no service, so no policy-rc.d hold is needed while apt runs.
#
# Usage: deploy/local/install-browser.sh
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CHROMIUM=/usr/bin/chromium

if [[ -x "$CHROMIUM" ]]; then
    log "Chromium is available: $("$CHROMIUM" --version 2>/dev/null | head -n1 || echo "$CHROMIUM")"
    exit 0
fi

use_root_or_sudo "chromium"

command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install Chromium by hand so that $CHROMIUM exists"

log "apt-get update"
apt_get update -q
log "apt-get install chromium"
apt_get install -y -q chromium

[[ -x "$CHROMIUM" ]] || die "chromium was installed but $CHROMIUM is missing"
log "Chromium is available: $("$CHROMIUM" --version 2>/dev/null | head -n1 || echo "$CHROMIUM")"
