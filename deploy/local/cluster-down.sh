#!/usr/bin/env bash
#
# Stops the nodes of the local RabbitMQ cluster started by cluster-up.sh, found
# through their PID files (the single node of up.sh is not touched). Data is
# kept: cluster-up.sh starts the same cluster again.
#
# Usage: deploy/local/cluster-down.sh [--purge]
#   --purge   also delete the cluster's data (.etter/local/cluster/), never
#             anything of the single node
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=servers/rabbitmq.sh
. "$ETTER_DEPLOY_DIR/servers/rabbitmq.sh"
# shellcheck source=cluster-lib.sh
. "$ETTER_DEPLOY_DIR/cluster-lib.sh"

PURGE=0
for arg in "$@"; do
    case "$arg" in
        --purge) PURGE=1 ;;
        -h | --help)
            sed -n '3,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *) die "unknown argument '$arg' (usage: cluster-down.sh [--purge])" ;;
    esac
done

stop_cluster_nodes $(seq "$CLUSTER_SIZE") || true

if ((PURGE)); then
    log "Deleting $CLUSTER_DIR"
    rm -rf "$CLUSTER_DIR"
fi
log "Cluster stopped"
