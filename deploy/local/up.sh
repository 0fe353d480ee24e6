#!/usr/bin/env bash
#
# Starts the local Etter stack without containers or systemd:
#   PostgreSQL 15, RabbitMQ (with management UI) and Redis, all bound to
#   127.0.0.1 with generated passwords, then (unless --infra-only) builds
#   Etter.sln and starts the API and the worker services in the background.
#
# Usage: deploy/local/up.sh [--infra-only] [--replicas N] [--cluster]
#   --infra-only   only the servers; no build, no .NET services
#   --replicas N   instances of each service, the API included (default 1);
#                  instance i>1 listens on the base port + 10*(i-1)
#   --cluster      RabbitMQ as the 3-node cluster of cluster-up.sh (quorum
#                  queues, services fail over between nodes) instead of the
#                  single node
#
# Idempotent: whatever this checkout started and still runs and answers is
# left alone; stale PID files are cleaned up and the server is started again
# from its existing data. A port held by anything else (e.g. another
# checkout's servers) stops it with what to run about that.
# Ports come from ETTER_*_PORT (see lib.sh). Stop everything with down.sh.
# Each server's functions: servers/*.sh; the services': services.sh.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=credentials.sh
. "$ETTER_DEPLOY_DIR/credentials.sh"
# shellcheck source=servers/postgres.sh
. "$ETTER_DEPLOY_DIR/servers/postgres.sh"
# shellcheck source=servers/rabbitmq.sh
. "$ETTER_DEPLOY_DIR/servers/rabbitmq.sh"
# shellcheck source=servers/redis.sh
. "$ETTER_DEPLOY_DIR/servers/redis.sh"
# shellcheck source=services.sh
. "$ETTER_DEPLOY_DIR/services.sh"

INFRA_ONLY=0
REPLICAS=1
CLUSTER=0
while (($#)); do
    case "$1" in
        --infra-only) INFRA_ONLY=1 ;;
        --replicas)
            [[ $# -ge 2 ]] || die "--replicas needs a number"
            REPLICAS="$2"
            shift
            ;;
        --replicas=*) REPLICAS="${1#*=}" ;;
        --cluster) CLUSTER=1 ;;
        -h | --help)
            sed -n '3,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *) die "unknown argument '$1' (usage: up.sh [--infra-only] [--replicas N] [--cluster])" ;;
    esac
    shift
done
[[ "$REPLICAS" =~ ^[1-9][0-9]*$ ]] || die "--replicas must be a positive integer, got '$REPLICAS'"

# install.sh when a server (or curl) is missing.
ensure_installed() {
    local missing=()
    [[ -x "$PG_BIN/postgres" ]] || missing+=("postgres (postgresql-15)")
    [[ -x "$RABBITMQ_BIN/rabbitmq-server" ]] || missing+=("rabbitmq-server")
    [[ -x "$REDIS_SERVER" && -x "$REDIS_CLI" ]] || missing+=("redis-server")
    command -v curl >/dev/null 2>&1 || missing+=("curl")
    if ((${#missing[@]})); then
        log "Missing: ${missing[*]} -> running install.sh"
        bash "$ETTER_DEPLOY_DIR/install.sh"
    fi
}

mkdir -p "$ETTER_LOCAL_DIR" "$ETTER_LOG_DIR" "$ETTER_PID_DIR"
ensure_installed
ensure_credentials
# shellcheck disable=SC2154  # Etter__* come from the credentials file ensure_credentials loaded
start_postgres "$(pg_password_of "$Etter__Postgres__ConnectionString")"
if ((CLUSTER)); then
    bash "$ETTER_DEPLOY_DIR/cluster-up.sh"
    # The cluster's Etter__RabbitMq__* (all nodes, quorum queues) replace the single node's for the services.
    set -a
    # shellcheck source=/dev/null  # written by cluster-up.sh
    . "$ETTER_LOCAL_DIR/cluster/services.env"
    set +a
else
    # shellcheck disable=SC2154  # from the credentials file
    start_rabbitmq "$Etter__RabbitMq__Password"
fi
start_redis "$ETTER_REDIS_PASSWORD"
if ((INFRA_ONLY)); then
    log "--infra-only: not building or starting the .NET services"
else
    start_services "$REPLICAS"
fi

rel_local="${ETTER_LOCAL_DIR#"$ETTER_ROOT"/}"
printf '\nEtter local stack is up.\n'
if ((!INFRA_ONLY)); then
    echo "  API:                 http://127.0.0.1:$ETTER_API_PORT  (send header X-Api-Key: \$Etter__Api__Keys__0 from the credentials file)"
    if ((REPLICAS > 1)); then
        echo "                       and one more API on each port +10, +20, ... (no load balancer in front: pick any)"
    fi
fi
if ((CLUSTER)); then
    # shellcheck disable=SC2154  # from the cluster's services.env
    echo "  RabbitMQ cluster:    $Etter__RabbitMq__Host:$Etter__RabbitMq__Port, ${Etter__RabbitMq__ClusterNodes__0:-}, ${Etter__RabbitMq__ClusterNodes__1:-}  (vhost: etter; see $rel_local/cluster/credentials.env)"
else
    cat <<EOF
  RabbitMQ management: http://127.0.0.1:$ETTER_RABBITMQ_MGMT_PORT  (username: $ETTER_RABBITMQ_ADMIN_USER, password: see $rel_local/credentials.env)
  RabbitMQ AMQP:       amqp://127.0.0.1:$ETTER_RABBITMQ_PORT  (vhost: etter)
EOF
fi
cat <<EOF
  PostgreSQL:          127.0.0.1:$ETTER_POSTGRES_PORT  (database/user: etter)
  Redis:               127.0.0.1:$ETTER_REDIS_PORT
  Credentials:         $ETTER_CREDENTIALS_FILE  (load: set -a; . $rel_local/credentials.env; set +a)
  Logs:                $ETTER_LOG_DIR/  (RabbitMQ's own log: $RMQ_DIR/log/)
  Stop with:           deploy/local/down.sh  (--purge also deletes all local data)
EOF
if ((CLUSTER)); then
    echo "                       and deploy/local/cluster-down.sh for the cluster"
fi
