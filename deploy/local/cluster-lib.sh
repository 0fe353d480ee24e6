# shellcheck shell=bash disable=SC2034  # the variables here are used by the scripts sourcing this file
#
# The local N-node RabbitMQ cluster (cluster-up.sh, cluster-down.sh, test.sh):
# where each node lives and listens. The nodes themselves are run by the
# functions of servers/rabbitmq.sh, like up.sh's single node.
# Sourced after lib.sh and servers/rabbitmq.sh, never executed.

: "${ETTER_CLUSTER_SIZE:=3}"
: "${ETTER_CLUSTER_AMQP_BASE:=5680}"
: "${ETTER_CLUSTER_MGMT_BASE:=15680}"
: "${ETTER_CLUSTER_DIST_BASE:=25680}"
: "${ETTER_CLUSTER_PROMETHEUS_BASE:=15780}"

CLUSTER_SIZE="$ETTER_CLUSTER_SIZE"
CLUSTER_DIR="$ETTER_LOCAL_DIR/cluster"
# Shared by every node and every CLI call, so they all read the same .erlang.cookie.
CLUSTER_HOME="$CLUSTER_DIR/home"
CLUSTER_CREDENTIALS_FILE="$CLUSTER_DIR/credentials.env"
CLUSTER_SERVICES_ENV="$CLUSTER_DIR/services.env"

cluster_node_name() { echo "rabbit-c$1@localhost"; }
cluster_amqp_port() { echo $((ETTER_CLUSTER_AMQP_BASE + $1)); }
cluster_mgmt_port() { echo $((ETTER_CLUSTER_MGMT_BASE + $1)); }

# rmq_use_cluster_node N: points the rmq_* functions of servers/rabbitmq.sh at
# node N. The admin login is read from the cluster's credentials, once loaded.
rmq_use_cluster_node() {
    local n="$1"
    RMQ_LABEL="cluster node $n"
    RMQ_NODENAME="$(cluster_node_name "$n")"
    RMQ_DIR="$CLUSTER_DIR/node$n"
    RMQ_HOME="$CLUSTER_HOME"
    RMQ_AMQP_PORT="$(cluster_amqp_port "$n")"
    RMQ_MGMT_PORT="$(cluster_mgmt_port "$n")"
    RMQ_DIST_PORT=$((ETTER_CLUSTER_DIST_BASE + n))
    RMQ_PROMETHEUS_PORT=$((ETTER_CLUSTER_PROMETHEUS_BASE + n))
    RMQ_PORT_VARS=(ETTER_CLUSTER_AMQP_BASE ETTER_CLUSTER_MGMT_BASE ETTER_CLUSTER_DIST_BASE ETTER_CLUSTER_PROMETHEUS_BASE)
    # Written by the node itself: the beam.smp PID, which is what a kill -9 test kills.
    RMQ_PIDFILE="$RMQ_DIR/rabbit.pid"
    RMQ_CONSOLE_LOG="$ETTER_LOG_DIR/rabbitmq-cluster-node$n.log"
    RMQ_ADMIN_USER="${ETTER_CLUSTER_ADMIN_USER:-}"
    RMQ_ADMIN_PASSWORD="${ETTER_CLUSTER_ADMIN_PASSWORD:-}"
    RMQ_STOP_SCRIPT=cluster-down.sh
}

# cluster_node_alive N (in a subshell: the selected node stays as it was).
cluster_node_alive() { (rmq_use_cluster_node "$1" && rmq_running); }

# cluster_ctl N ARGS...: rabbitmqctl against node N.
cluster_ctl() {
    local n="$1"
    shift
    (rmq_use_cluster_node "$n" && rmqctl "$@")
}

# stop_cluster_nodes N...: the running ones among nodes N..., all at once (one
# at a time, each node's shutdown would wait on its stopped peers); removes
# their PID files. True if it stopped something.
stop_cluster_nodes() {
    local n entries=()
    for n in "$@"; do
        rmq_use_cluster_node "$n"
        if rmq_running; then entries+=("$RMQ_LABEL=$(read_pid "$RMQ_PIDFILE")"); fi
    done
    stop_all 60 "${entries[@]}"
    for n in "$@"; do rm -f "$CLUSTER_DIR/node$n/rabbit.pid"; done
    ((${#entries[@]} > 0))
}
