# shellcheck shell=bash disable=SC2034  # the variables here are used by the scripts sourcing this file
#
# Helpers for the local 3-node RabbitMQ cluster (cluster-up.sh, cluster-down.sh).
# Sourced after lib.sh, never executed.

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
cluster_node_dir() { echo "$CLUSTER_DIR/node$1"; }
cluster_amqp_port() { echo $((ETTER_CLUSTER_AMQP_BASE + $1)); }
cluster_mgmt_port() { echo $((ETTER_CLUSTER_MGMT_BASE + $1)); }
cluster_dist_port() { echo $((ETTER_CLUSTER_DIST_BASE + $1)); }
cluster_prometheus_port() { echo $((ETTER_CLUSTER_PROMETHEUS_BASE + $1)); }
# Written by the node itself: the beam.smp PID, which is what a kill -9 test kills.
cluster_pidfile() { echo "$(cluster_node_dir "$1")/rabbit.pid"; }
cluster_console_log() { echo "$ETTER_LOG_DIR/rabbitmq-cluster-node$1.log"; }

cluster_node_alive() { pidfile_alive "$(cluster_pidfile "$1")" 'beam'; }

# cluster_env N: the environment of node N's server and of every CLI call aimed
# at it (same HOME/cookie, node name, ports and files). Call in a subshell.
cluster_env() {
    local n="$1" dir
    dir="$(cluster_node_dir "$n")"
    export HOME="$CLUSTER_HOME"
    export LANG=C.UTF-8 LC_ALL=C.UTF-8
    export RABBITMQ_NODENAME
    RABBITMQ_NODENAME="$(cluster_node_name "$n")"
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT
    RABBITMQ_NODE_PORT="$(cluster_amqp_port "$n")"
    export RABBITMQ_DIST_PORT
    RABBITMQ_DIST_PORT="$(cluster_dist_port "$n")"
    export ERL_EPMD_ADDRESS=127.0.0.1
    export ERL_EPMD_PORT="$ETTER_EPMD_PORT"
    export RABBITMQ_MNESIA_BASE="$dir/mnesia"
    export RABBITMQ_LOG_BASE="$dir/log"
    export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
    export RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
    export RABBITMQ_PID_FILE
    RABBITMQ_PID_FILE="$(cluster_pidfile "$n")"
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

# cluster_ctl N ARGS...: rabbitmqctl against node N.
cluster_ctl() {
    local n="$1"
    shift
    (cluster_env "$n" && "$RABBITMQ_BIN/rabbitmqctl" -n "$(cluster_node_name "$n")" "$@")
}
