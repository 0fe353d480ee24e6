#!/usr/bin/env bash
#
# Restarts one local server in place, for fault tests and for operators:
#   rabbitmq  - stops and starts the RabbitMQ application on the running node: every client
#               connection drops; durable queues and persistent messages survive.
#   postgres  - pg_ctl restart -m fast: every connection drops, committed data survives.
# Clients must reconnect on their own; nothing else is restarted.
#
# Usage: deploy/local/restart.sh rabbitmq|postgres
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${1:-}" in
    rabbitmq)
        log "Restarting the RabbitMQ application"
        rmqctl -q stop_app
        rmqctl -q start_app
        rmqctl -q await_startup --timeout 60
        log "RabbitMQ is back"
        ;;
    postgres)
        log "Restarting PostgreSQL"
        pg_data="$ETTER_LOCAL_DIR/postgres/data"
        # setsid, as up.sh does: the new postmaster must not belong to the caller's session.
        as_pg_user setsid "$PG_BIN/pg_ctl" -D "$pg_data" restart -m fast -w -t 60 \
            -l "$ETTER_LOG_DIR/postgres.log" >/dev/null
        # down.sh stops by PID file; keep it pointing at the new postmaster.
        read_pid "$pg_data/postmaster.pid" >"$ETTER_PID_DIR/postgres.pid"
        log "PostgreSQL is back"
        ;;
    *) die "usage: restart.sh rabbitmq|postgres" ;;
esac
