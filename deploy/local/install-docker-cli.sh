#!/usr/bin/env bash
#
# Makes `docker compose` (the Compose v2 CLI plugin) available, with apt, for
# the tests that validate docker-compose.yml with `docker compose config`.
# Only client tools are installed: no Docker engine is needed, and none runs
# on our machines or in CI.
#
# Idempotent: does nothing when `docker compose version` already works.
#
# Where the packages come from, in order of preference:
#   docker CLI      docker-ce-cli (Docker's apt repo, if configured)
#                   | docker-cli (Debian 13+, client only)
#   compose plugin  docker-compose-plugin (Docker's apt repo, if configured)
#                   | docker-compose-v2 (Ubuntu)
#                   | docker-compose, when its version is 2.x (Debian 13+)
# Debian 12 (bookworm, our machines) has neither a client-only docker package
# nor Compose v2: its docker-compose is the old Python 1.29, which lacks
# `config --format json`. There the script takes docker-cli / docker-compose
# from the next Debian release ($ETTER_DOCKER_DEBIAN_SUITE, default trixie)
# through a private apt configuration under a temporary folder (the system's
# sources are not changed) and installs the .deb files with apt, which checks
# their dependencies against the system's own packages. Both are static Go
# binaries that only need libc6 >= 2.34 (bookworm ships 2.36).
#
# Last resort for the CLI only: docker.io, which also carries the daemon; its
# maintainer scripts are kept from starting it with a temporary policy-rc.d
# (apt_install_held in lib.sh).
#
# Usage: deploy/local/install-docker-cli.sh
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${ETTER_DOCKER_DEBIAN_SUITE:=trixie}"

if docker compose version >/dev/null 2>&1; then
    log "docker compose is available: $(docker compose version 2>/dev/null | head -n1)"
    exit 0
fi

use_root_or_sudo "the docker CLI / compose plugin"

command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install the docker CLI and its compose plugin by hand"

# candidate PKG: the version apt would install from the configured sources, empty if none.
candidate() {
    local v
    v="$(apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" { print $2; exit }')"
    [[ "$v" == "(none)" ]] && v=""
    printf '%s' "$v"
}

# upstream_major VERSION: "2" for "2.26.1-4", "5" for "5:28.0.1-1~debian.12".
upstream_major() {
    local v="${1#*:}"
    v="${v%%.*}"
    [[ "$v" =~ ^[0-9]+$ ]] || v=0
    printf '%s' "$v"
}

# install_from_debian_suite PKG...: downloads PKG from $ETTER_DOCKER_DEBIAN_SUITE
# with a private apt configuration, then installs the .deb files with apt.
install_from_debian_suite() {
    local tmp keyring="/usr/share/keyrings/debian-archive-keyring.gpg"
    [[ -r "$keyring" ]] || die "$keyring is missing (package debian-archive-keyring)"
    tmp="$(mktemp -d)"
    # shellcheck disable=SC2064  # expand $tmp now
    trap "rm -rf '$tmp'" EXIT
    mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/parts" "$tmp/prefs" "$tmp/debs"
    printf 'deb [signed-by=%s] http://deb.debian.org/debian %s main\n' "$keyring" "$ETTER_DOCKER_DEBIAN_SUITE" >"$tmp/sources.list"
    # apt drops to the _apt user for downloads: let it write there and read the results.
    chmod 755 "$tmp" "$tmp/debs"
    if id _apt >/dev/null 2>&1; then
        chown -R _apt "$tmp/lists" "$tmp/cache" "$tmp/debs" 2>/dev/null || true
    fi
    local opts=(
        -o "Dir::Etc::SourceList=$tmp/sources.list"
        -o "Dir::Etc::SourceParts=$tmp/parts"
        -o "Dir::Etc::Preferences=$tmp/prefs/none"
        -o "Dir::Etc::PreferencesParts=$tmp/prefs"
        -o "Dir::State::Lists=$tmp/lists"
        -o "Dir::Cache=$tmp/cache"
    )
    log "Fetching $* from Debian $ETTER_DOCKER_DEBIAN_SUITE (private apt configuration in $tmp)"
    apt_get "${opts[@]}" update -q
    (cd "$tmp/debs" && apt_get "${opts[@]}" download "$@")
    chmod 644 "$tmp"/debs/*.deb
    apt_install "$tmp"/debs/*.deb
    rm -rf "$tmp"
    trap - EXIT
}

is_debian() {
    local id=""
    # shellcheck disable=SC1091
    [[ -r /etc/os-release ]] && id="$(. /etc/os-release && printf '%s' "${ID:-}")"
    [[ "$id" == "debian" ]]
}

log "apt-get update"
apt_get update -q

# --- The docker CLI ------------------------------------------------------------

if command -v docker >/dev/null 2>&1; then
    log "docker CLI present: $(docker --version 2>/dev/null || true)"
elif [[ -n "$(candidate docker-ce-cli)" ]]; then
    apt_install docker-ce-cli
elif [[ -n "$(candidate docker-cli)" ]]; then
    apt_install docker-cli
elif is_debian; then
    install_from_debian_suite docker-cli
elif [[ -n "$(candidate docker.io)" ]]; then
    warn "no client-only docker package found: installing docker.io (its daemon is not started)"
    apt_install_held docker.io
else
    die "no apt package provides the docker CLI here (tried docker-ce-cli, docker-cli, docker.io)"
fi

# --- The compose plugin ----------------------------------------------------------

if docker compose version >/dev/null 2>&1; then
    :
elif [[ -n "$(candidate docker-compose-plugin)" ]]; then
    apt_install docker-compose-plugin
elif [[ -n "$(candidate docker-compose-v2)" ]]; then
    apt_install docker-compose-v2
elif v="$(candidate docker-compose)"; [[ -n "$v" ]] && (($(upstream_major "$v") >= 2)); then
    apt_install docker-compose
elif is_debian; then
    install_from_debian_suite docker-compose
else
    die "no apt package provides Compose v2 here (tried docker-compose-plugin, docker-compose-v2, docker-compose >= 2)"
fi

docker compose version >/dev/null 2>&1 \
    || die "docker compose still does not work; the plugin is looked for in /usr/libexec/docker/cli-plugins and /usr/lib/docker/cli-plugins, among others"
log "docker compose is available: $(docker compose version | head -n1)"
