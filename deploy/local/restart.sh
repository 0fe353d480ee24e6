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
        # shellcheck source=servers/rabbitmq.sh
        . "$ETTER_DEPLOY_DIR/servers/rabbitmq.sh"
        restart_rabbitmq_app
        ;;
    postgres)
        # shellcheck source=servers/postgres.sh
        . "$ETTER_DEPLOY_DIR/servers/postgres.sh"
        restart_postgres
        ;;
    *) die "usage: restart.sh rabbitmq|postgres" ;;
esac
