# shellcheck shell=bash disable=SC2034  # the RMQ_* variables are read by the sourcing scripts too
#
# RabbitMQ nodes (management and Prometheus plugins on) and the epmd they
# register with. The same functions serve up.sh's single node and each node of
# cluster-up.sh's cluster: rmq_use_single_node (below) or rmq_use_cluster_node N
# (cluster-lib.sh) points the RMQ_* variables at one node, and every rmq_*
# function then acts on that node.
# Functions only: sourced (after lib.sh) by up.sh, down.sh, restart.sh, test.sh
# and the cluster scripts.

RABBITMQ_START_TIMEOUT=180
EPMD_PIDFILE="$ETTER_PID_DIR/epmd.pid"

# rmq_use_single_node: up.sh's node. Call it again once the credentials are
# loaded: the admin login is read from them here.
rmq_use_single_node() {
    RMQ_LABEL="RabbitMQ"
    RMQ_NODENAME="rabbit@localhost"
    RMQ_DIR="$ETTER_LOCAL_DIR/rabbitmq"
    RMQ_HOME="$RMQ_DIR/home"
    RMQ_AMQP_PORT="$ETTER_RABBITMQ_PORT"
    RMQ_MGMT_PORT="$ETTER_RABBITMQ_MGMT_PORT"
    RMQ_DIST_PORT="$ETTER_RABBITMQ_DIST_PORT"
    RMQ_PROMETHEUS_PORT="$ETTER_RABBITMQ_PROMETHEUS_PORT"
    # Same order as the ports above, for messages.
    RMQ_PORT_VARS=(ETTER_RABBITMQ_PORT ETTER_RABBITMQ_MGMT_PORT ETTER_RABBITMQ_DIST_PORT ETTER_RABBITMQ_PROMETHEUS_PORT)
    # Written by the node itself: the beam.smp PID (the launcher script forks
    # the VM and waits for it).
    RMQ_PIDFILE="$ETTER_PID_DIR/rabbitmq.pid"
    RMQ_CONSOLE_LOG="$ETTER_LOG_DIR/rabbitmq-console.log"
    RMQ_ADMIN_USER="${ETTER_RABBITMQ_ADMIN_USER:-}"
    RMQ_ADMIN_PASSWORD="${ETTER_RABBITMQ_ADMIN_PASSWORD:-}"
    # What stops it, for messages to whoever finds it in the way.
    RMQ_STOP_SCRIPT=down.sh
}
rmq_use_single_node

# rabbit_env: the environment shared by the node's server and every CLI call
# aimed at it: same HOME (hence the same .erlang.cookie), node name, epmd and
# files. Call in a subshell.
rabbit_env() {
    export HOME="$RMQ_HOME"
    export LANG=C.UTF-8 LC_ALL=C.UTF-8 # the Elixir CLI warns without UTF-8
    export RABBITMQ_NODENAME="$RMQ_NODENAME"
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT="$RMQ_AMQP_PORT"
    export RABBITMQ_DIST_PORT="$RMQ_DIST_PORT"
    export ERL_EPMD_ADDRESS=127.0.0.1
    export ERL_EPMD_PORT="$ETTER_EPMD_PORT"
    export RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia"
    export RABBITMQ_LOG_BASE="$RMQ_DIR/log"
    export RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq.conf"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_DIR/advanced.config"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"
    # Keep /etc/rabbitmq/rabbitmq-env.conf out of the picture.
    export RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/rabbitmq-env.conf"
    export RABBITMQ_PID_FILE="$RMQ_PIDFILE"
    # Erlang distribution listens on all interfaces unless told otherwise.
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

rmqctl() { (rabbit_env && "$RABBITMQ_BIN/rabbitmqctl" -n "$RMQ_NODENAME" "$@"); }

rmq_running() { pidfile_alive "$RMQ_PIDFILE" 'beam'; }

rmq_answers() {
    tcp_open "$RMQ_AMQP_PORT" && http_answers "http://127.0.0.1:$RMQ_MGMT_PORT/api/overview"
}

rmq_write_config() {
    mkdir -p "$RMQ_DIR" "$RMQ_HOME" "$RMQ_DIR/log" "$RMQ_DIR/mnesia"
    chmod 700 "$RMQ_DIR"
    # The CLI and the server must share this cookie (cluster nodes share one
    # HOME, hence one cookie); Erlang insists on 0400.
    if [[ ! -s "$RMQ_HOME/.erlang.cookie" ]]; then
        (umask 077 && printf '%s%s' "$(gen_password)" "$(gen_password)" >"$RMQ_HOME/.erlang.cookie")
    fi
    chmod 400 "$RMQ_HOME/.erlang.cookie"
    : >"$RMQ_DIR/rabbitmq-env.conf"
    # default_user/default_pass only apply when the node initialises a fresh
    # database: the admin user is created at first boot (and no 'guest'),
    # without its password ever appearing on a command line. Cluster nodes 2..N
    # reset when they join and take the cluster's users from node 1.
    (
        umask 077
        cat >"$RMQ_DIR/rabbitmq.conf" <<CONF
# Written by deploy/local/servers/rabbitmq.sh on every start; edit there.
listeners.tcp.default = 127.0.0.1:$RMQ_AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RMQ_MGMT_PORT
prometheus.tcp.ip = 127.0.0.1
prometheus.tcp.port = $RMQ_PROMETHEUS_PORT
default_vhost = etter
default_user = $RMQ_ADMIN_USER
default_pass = $RMQ_ADMIN_PASSWORD
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
CONF
    )
    echo '[rabbitmq_management,rabbitmq_prometheus,rabbitmq_consistent_hash_exchange].' >"$RMQ_DIR/enabled_plugins"
}

# --- epmd (one per port, shared by every Erlang node that uses that port) ------

start_epmd() {
    if pidfile_alive "$EPMD_PIDFILE" 'epmd'; then
        log "epmd already running (pid $(read_pid "$EPMD_PIDFILE"))"
        return 0
    fi
    rm -f "$EPMD_PIDFILE"
    if tcp_open "$ETTER_EPMD_PORT"; then
        # Someone else's epmd (or one an Erlang CLI auto-started): usable, but
        # not ours to stop later, so no PID file.
        log "epmd: using the one already listening on 127.0.0.1:$ETTER_EPMD_PORT"
        return 0
    fi
    log "epmd: starting on 127.0.0.1:$ETTER_EPMD_PORT"
    # Same as `epmd -address 127.0.0.1 -daemon`, but in the foreground of a
    # background job, so that we know its PID for down.sh.
    (exec setsid nohup epmd -address 127.0.0.1 -port "$ETTER_EPMD_PORT" >>"$ETTER_LOG_DIR/epmd.log" 2>&1 </dev/null) &
    echo $! >"$EPMD_PIDFILE"
    wait_for_process_and "$(read_pid "$EPMD_PIDFILE")" 15 tcp_open "$ETTER_EPMD_PORT" \
        || die "epmd did not start; see $ETTER_LOG_DIR/epmd.log"
}

# stop_epmd: only one we started (it has a PID file); true if it stopped something.
stop_epmd() { stop_pidfile epmd "$EPMD_PIDFILE" 'epmd' 10; }

# rmq_ensure_name_free: a node registers its name with epmd, and an epmd holds
# each name once; two checkouts sharing an epmd cannot both run rabbit@localhost.
rmq_ensure_name_free() {
    local short="${RMQ_NODENAME%@*}" dist_port
    dist_port="$(epmd -port "$ETTER_EPMD_PORT" -names 2>/dev/null | awk -v n="$short" '$1 == "name" && $2 == n { print $5 }' || true)"
    [[ -n "$dist_port" ]] || return 0
    die "an Erlang node named '$short' is already registered with the epmd on port $ETTER_EPMD_PORT (it listens on $dist_port); it is $(why_taken "$(port_owner_pid "$dist_port")" ETTER_EPMD_PORT "$RMQ_STOP_SCRIPT") (a separate epmd for this checkout)"
}

# --- One node ----------------------------------------------------------------------

# rmq_check_running: true if the node already runs and answers (dies if it runs
# but does not answer, or not on its ports); false if it does not run.
rmq_check_running() {
    rmq_running || return 1
    local pid
    pid="$(read_pid "$RMQ_PIDFILE")"
    wait_for 30 rmq_answers \
        || die "$RMQ_LABEL (pid $pid) runs but does not answer on ports $RMQ_AMQP_PORT/$RMQ_MGMT_PORT (ports changed? run $RMQ_STOP_SCRIPT first); see $RMQ_DIR/log"
    ensure_own_listener "$pid" "$RMQ_AMQP_PORT" "$RMQ_LABEL" "${RMQ_PORT_VARS[0]}" "$RMQ_STOP_SCRIPT"
    log "$RMQ_LABEL already running (pid $pid)"
}

# rmq_launch: starts the node in the background and sets RMQ_LAUNCHER to the
# launcher's PID, for rmq_await; several nodes can boot at once this way.
rmq_launch() {
    rm -f "$RMQ_PIDFILE"
    local ports=("$RMQ_AMQP_PORT" "$RMQ_MGMT_PORT" "$RMQ_DIST_PORT" "$RMQ_PROMETHEUS_PORT") whats=(AMQP management distribution Prometheus) i
    for i in "${!ports[@]}"; do
        ensure_port_free "${ports[$i]}" "$RMQ_LABEL ${whats[$i]}" "${RMQ_PORT_VARS[$i]}" "$RMQ_STOP_SCRIPT"
    done
    rmq_ensure_name_free
    log "$RMQ_LABEL: starting $RMQ_NODENAME on 127.0.0.1:$RMQ_AMQP_PORT (management :$RMQ_MGMT_PORT); a cold start takes a while"
    (rabbit_env && cd "$RMQ_DIR" && exec setsid nohup "$RABBITMQ_BIN/rabbitmq-server" >>"$RMQ_CONSOLE_LOG" 2>&1 </dev/null) &
    RMQ_LAUNCHER=$!
}

# rmq_await LAUNCHER_PID: waits until the node has booted and its management API answers.
rmq_await() {
    local launcher="$1"
    # The node writes its PID file early in boot; give up at once if the
    # launcher dies before that (bad config, port clash, ...).
    wait_for_process_and "$launcher" 60 test -s "$RMQ_PIDFILE" \
        || die "$RMQ_LABEL exited during start-up; see $RMQ_CONSOLE_LOG and $RMQ_DIR/log/"
    # RabbitMQ opens its AMQP listeners as the last step of its boot, after the
    # plugins (management included) have started, so both ports answering means
    # booted. Asked over TCP and HTTP rather than with `rabbitmqctl await_startup`:
    # every rabbitmqctl call boots an Erlang VM, which takes 10 to 20 s on a
    # machine whose cores are busy (the cluster tests restart nodes on one).
    wait_for_process_and "$(read_pid "$RMQ_PIDFILE")" "$RABBITMQ_START_TIMEOUT" rmq_answers \
        || die "$RMQ_LABEL did not finish booting (AMQP :$RMQ_AMQP_PORT, management :$RMQ_MGMT_PORT) within ${RABBITMQ_START_TIMEOUT}s; see $RMQ_DIR/log/ and $RMQ_CONSOLE_LOG"
    log "$RMQ_LABEL up (pid $(read_pid "$RMQ_PIDFILE"))"
}

# --- Provisioning through the management API -------------------------------------

# rmq_curl USER PASSWORD CURL_ARGS...: curl against the management API with
# USER's credentials passed through a curl config on a file descriptor, never
# through the arguments (where ps would show them).
rmq_curl() {
    local user="$1" pass="$2"
    shift 2
    curl -K <(printf 'user = "%s:%s"\n' "$user" "$pass") --max-time 15 "$@"
}

# rmq_api METHOD PATH [USER PASSWORD]: calls the management HTTP API, reading
# a JSON body from stdin for PUT; prints the HTTP status.
rmq_api() {
    local method="$1" path="$2" user="${3:-$RMQ_ADMIN_USER}" pass="${4:-$RMQ_ADMIN_PASSWORD}"
    local body=()
    [[ "$method" == PUT ]] && body=(-H 'content-type: application/json' --data-binary @-)
    rmq_curl "$user" "$pass" -s -o /dev/null -w '%{http_code}' -X "$method" "${body[@]}" \
        "http://127.0.0.1:$RMQ_MGMT_PORT/api$path" || true
}

# rmq_api_get PATH: the body of a GET on the management HTTP API as the admin;
# fails when the node does not answer 2xx.
rmq_api_get() {
    rmq_curl "$RMQ_ADMIN_USER" "$RMQ_ADMIN_PASSWORD" -sf "http://127.0.0.1:$RMQ_MGMT_PORT/api$1"
}

# rmq_api_expect "CODES" METHOD PATH: dies unless the HTTP status is one of CODES.
rmq_api_expect() {
    local codes="$1" method="$2" path="$3" code
    code="$(rmq_api "$method" "$path")"
    [[ " $codes " == *" $code "* ]] || die "$RMQ_LABEL management API :$RMQ_MGMT_PORT: $method $path answered HTTP $code (expected $codes); see $RMQ_DIR/log"
}

# rmq_provision PASSWORD: vhost 'etter', user 'etter' (with PASSWORD) and the
# admin, no 'guest'. Users and vhosts are cluster-wide: one node of a cluster is enough.
rmq_provision() {
    local password="$1" admin="$RMQ_ADMIN_USER" code
    # The admin user normally comes from default_user at first boot. If it
    # cannot log in (data from older credentials), fix it through the CLI.
    code="$(rmq_api GET /whoami)"
    if [[ "$code" != 200 ]]; then
        log "$RMQ_LABEL: admin login answered HTTP $code; (re)creating '$admin' via rabbitmqctl"
        if rmqctl -q list_users | awk '{print $1}' | grep -qx -- "$admin"; then
            rmqctl -q change_password "$admin" "$RMQ_ADMIN_PASSWORD" >/dev/null
        else
            rmqctl -q add_user "$admin" "$RMQ_ADMIN_PASSWORD" >/dev/null
        fi
        rmqctl -q set_user_tags "$admin" administrator >/dev/null
        code="$(rmq_api GET /whoami)"
        [[ "$code" == 200 ]] || die "$RMQ_LABEL: '$admin' still cannot log in (HTTP $code); see $RMQ_DIR/log/"
    fi

    log "$RMQ_LABEL: ensuring vhost 'etter', users 'etter' and '$admin', no 'guest'"
    local full='{"configure":".*","write":".*","read":".*"}'
    rmq_api_expect "201 204" PUT /vhosts/etter </dev/null
    printf '{"password":"%s","tags":"management"}' "$password" | rmq_api_expect "201 204" PUT /users/etter
    printf '%s' "$full" | rmq_api_expect "201 204" PUT /permissions/etter/etter
    printf '%s' "$full" | rmq_api_expect "201 204" PUT "/permissions/etter/$admin"
    rmq_api_expect "204 404" DELETE /users/guest

    # Self-check of what the integration tests do: a throwaway vhost created
    # and removed by the admin, usable by 'etter' in between.
    local vhost="etter-selfcheck-$$"
    rmq_api_expect "201 204" PUT "/vhosts/$vhost" </dev/null
    printf '%s' "$full" | rmq_api_expect "201 204" PUT "/permissions/$vhost/etter"
    rmq_api_expect "204" DELETE "/vhosts/$vhost"
    code="$(rmq_api GET /whoami etter "$password")"
    [[ "$code" == 200 ]] || die "$RMQ_LABEL: user 'etter' cannot log in (HTTP $code)"
}

# --- up.sh's single node ------------------------------------------------------------

# start_rabbitmq PASSWORD: the single node (and epmd), unless already running
# and answering; provisioned in both cases, user 'etter' with PASSWORD.
start_rabbitmq() {
    rmq_use_single_node
    rmq_write_config
    start_epmd
    if ! rmq_check_running; then
        rmq_launch
        rmq_await "$RMQ_LAUNCHER"
    fi
    rmq_provision "$1"
}

# stop_rabbitmq: SIGTERM is a clean stop for the node (the same as `rabbitmqctl
# stop`, without a CLI that may not reach it); true if it stopped something.
stop_rabbitmq() {
    rmq_use_single_node
    stop_pidfile "$RMQ_LABEL" "$RMQ_PIDFILE" 'beam' 60
}

# restart_rabbitmq_app: stops and starts the RabbitMQ application on the
# running node: every client connection drops; durable queues and persistent
# messages survive.
restart_rabbitmq_app() {
    rmq_use_single_node
    rmq_running || die "RabbitMQ of this checkout is not running (start it with deploy/local/up.sh)"
    log "Restarting the RabbitMQ application"
    rmqctl -q stop_app
    # On a busy machine the AMQP listener can outlive stop_app for a moment; starting then fails with eaddrinuse.
    wait_for 30 port_released "$RMQ_AMQP_PORT" || true
    if ! rmqctl -q start_app; then
        warn "start_app failed; retrying once"
        sleep 2
        rmqctl -q start_app
    fi
    rmqctl -q await_startup --timeout 60
    log "RabbitMQ is back"
}
