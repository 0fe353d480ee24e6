#!/usr/bin/env bash
#
# Spreads the quorum-queue leaders of the local 3-node cluster over its nodes
# again (rabbitmq-queues rebalance quorum). Leaders never move back by
# themselves: after a node was down, the survivors lead every queue, and queues
# declared through one node all start out led by it.
#
# Usage: deploy/local/cluster-rebalance.sh [VHOST_PATTERN]   (a regex; default all)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=servers/rabbitmq.sh
. "$ETTER_DEPLOY_DIR/servers/rabbitmq.sh"
# shellcheck source=cluster-lib.sh
. "$ETTER_DEPLOY_DIR/cluster-lib.sh"

case "${1:-}" in
    -h | --help)
        sed -n '3,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
esac
pattern="${1:-.*}"

rmq_use_cluster_node 1
rmq_check_running || die "cluster node 1 is not running; start the cluster with deploy/local/cluster-up.sh"
log "Rebalancing quorum-queue leaders (vhosts matching '$pattern')"
(rabbit_env && "$RABBITMQ_BIN/rabbitmq-queues" -n "$RMQ_NODENAME" -q rebalance quorum --vhost-pattern "$pattern")
