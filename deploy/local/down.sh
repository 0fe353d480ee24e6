#!/usr/bin/env bash
#
# Stops exactly what up.sh started, found through its PID files: the .NET
# services first, then Redis, RabbitMQ, epmd (only if up.sh started it) and
# PostgreSQL. A PID file whose process is gone (or is a zombie, or is now an
# unrelated program) is just removed. Idempotent. The cluster of
# cluster-up.sh has its own cluster-down.sh.
#
# Usage: deploy/local/down.sh [--purge]
#   --purge   also delete all local data: .etter/local/ (databases, queues,
#             logs, generated credentials)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=servers/postgres.sh
. "$ETTER_DEPLOY_DIR/servers/postgres.sh"
# shellcheck source=servers/rabbitmq.sh
. "$ETTER_DEPLOY_DIR/servers/rabbitmq.sh"
# shellcheck source=servers/redis.sh
. "$ETTER_DEPLOY_DIR/servers/redis.sh"
# shellcheck source=services.sh
. "$ETTER_DEPLOY_DIR/services.sh"

PURGE=0
for arg in "$@"; do
    case "$arg" in
        --purge) PURGE=1 ;;
        -h | --help)
            sed -n '3,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *) die "unknown argument '$arg' (usage: down.sh [--purge])" ;;
    esac
done

stopped_any=0
for stop in stop_services stop_redis stop_rabbitmq stop_epmd stop_postgres; do
    if "$stop"; then stopped_any=1; fi
done

if ((stopped_any)); then
    log "Stopped."
else
    log "Nothing was running."
fi

if ((PURGE)); then
    if [[ -d "$ETTER_LOCAL_DIR" ]]; then
        log "Purging $ETTER_LOCAL_DIR (all local data and generated credentials)"
        rm -rf "$ETTER_LOCAL_DIR"
        # The socket dir lives in /tmp for very deep checkouts (see servers/postgres.sh).
        [[ "$PG_SOCKET_DIR" == "$ETTER_LOCAL_DIR"/* ]] || rm -rf "$PG_SOCKET_DIR"
    else
        log "Nothing to purge."
    fi
fi
