# shellcheck shell=bash disable=SC2034  # the variables here are used by the scripts sourcing this file
#
# Shared helpers for the deploy/local/ scripts. Sourced, never executed.
#
# Everything the local stack writes (data, configs, logs, PID files, the
# generated credentials) lives under $ETTER_ROOT/.etter/local/, which is
# git-ignored, so nothing secret can end up in a commit.

# --- Locations ---------------------------------------------------------------

# The repo root is derived from this file's location (deploy/local/lib.sh), so
# the scripts work from any current directory and from any clone path.
ETTER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
ETTER_LOCAL_DIR="$ETTER_ROOT/.etter/local"
ETTER_LOG_DIR="$ETTER_LOCAL_DIR/logs"
ETTER_PID_DIR="$ETTER_LOCAL_DIR/pids"
ETTER_CREDENTIALS_FILE="$ETTER_LOCAL_DIR/credentials.env"
ETTER_DEPLOY_DIR="$ETTER_ROOT/deploy/local"

# --- Ports (override any of them through the environment) -------------------

: "${ETTER_RABBITMQ_PORT:=5672}"
: "${ETTER_RABBITMQ_MGMT_PORT:=15672}"
: "${ETTER_RABBITMQ_DIST_PORT:=25672}"
: "${ETTER_RABBITMQ_PROMETHEUS_PORT:=15692}"
: "${ETTER_EPMD_PORT:=4369}"
: "${ETTER_POSTGRES_PORT:=5432}"
: "${ETTER_REDIS_PORT:=6379}"
: "${ETTER_API_PORT:=8090}"
# Health ports of the worker services; replica i>1 gets +10*(i-1).
: "${ETTER_ORCHESTRATOR_PORT:=8091}"
: "${ETTER_ROLESETUP_PORT:=8092}"
: "${ETTER_AIASSESSMENT_PORT:=8093}"

# --- Server binaries ----------------------------------------------------------

# Debian does not put the PostgreSQL server tools on PATH.
PG_BIN="/usr/lib/postgresql/15/bin"
# Debian's /usr/sbin/rabbitmq* are wrappers that switch to the 'rabbitmq' OS
# user (and its HOME / cookie) when called as root. We run the node as the
# invoking user with our own HOME, so we call the real scripts directly.
RABBITMQ_BIN="/usr/lib/rabbitmq/bin"
REDIS_SERVER="/usr/bin/redis-server"
REDIS_CLI="/usr/bin/redis-cli"

# --- Logging -------------------------------------------------------------------

log()  { printf '[etter %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
warn() { printf '[etter %s] WARNING: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die()  { printf '[etter %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# use_root_or_sudo WHAT: sets SUDO to () as root or (sudo) otherwise, for installing WHAT with apt;
# fails with a clear message when neither is possible.
use_root_or_sudo() {
    if is_root; then
        SUDO=()
    elif command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
        log "Not root: using sudo for apt."
    else
        die "installing $1 needs root, and sudo is not available; run this script as root"
    fi
}

# --- Processes -----------------------------------------------------------------

# is_alive PID: true if PID is a running process. Process 1 on our machines
# does not reap orphans, so a process that exited can linger as a zombie (state
# Z) for which `kill -0` still succeeds; we treat Z (and X) as dead.
is_alive() {
    local pid="${1:-}" stat state
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
    [[ -n "$stat" ]] || return 1
    # Field 3, after the "(comm)" field, which may itself contain spaces/parens.
    state="${stat##*) }"
    state="${state%% *}"
    [[ "$state" != "Z" && "$state" != "X" ]]
}

# pid_cmdline_matches PID REGEX: guards against PID reuse, e.g. a PID file
# left over from before a reboot that now names an unrelated process.
pid_cmdline_matches() {
    local pid="$1" pattern="$2" cmdline
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
    [[ "$cmdline" =~ $pattern ]]
}

# read_pid FILE: prints the PID stored in FILE (nothing if absent/garbage).
read_pid() {
    local file="$1" pid=""
    [[ -f "$file" ]] && pid="$(head -n1 "$file" 2>/dev/null | tr -dc '0-9')"
    printf '%s' "$pid"
}

# pidfile_alive FILE REGEX: true if FILE names a live process whose command
# line matches REGEX.
pidfile_alive() {
    local pid
    pid="$(read_pid "$1")"
    is_alive "$pid" && pid_cmdline_matches "$pid" "$2"
}

# wait_for_exit PID TIMEOUT_SECONDS: true once PID is gone (or a zombie).
wait_for_exit() {
    local pid="$1" timeout="$2" waited=0
    while is_alive "$pid"; do
        ((waited >= timeout * 5)) && return 1
        sleep 0.2
        waited=$((waited + 1))
    done
}

# await_exit NAME PID [TIMEOUT]: waits for a process we already asked to stop;
# SIGKILL as a last resort.
await_exit() {
    local name="$1" pid="$2" timeout="${3:-30}"
    if ! wait_for_exit "$pid" "$timeout"; then
        warn "$name (pid $pid) did not exit within ${timeout}s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        wait_for_exit "$pid" 10 || die "could not stop $name (pid $pid)"
    fi
}

# stop_pid NAME PID [TIMEOUT]: SIGTERM, then await_exit.
stop_pid() {
    local name="$1" pid="$2" timeout="${3:-30}"
    is_alive "$pid" || return 0
    log "Stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    await_exit "$name" "$pid" "$timeout"
}

# --- Waiting -------------------------------------------------------------------

# wait_for TIMEOUT_SECONDS COMMAND...: retries COMMAND every 0.5 s until it
# succeeds; returns 1 on timeout.
wait_for() {
    local timeout="$1" deadline
    shift
    deadline=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS >= deadline)) && return 1
        sleep 0.5
    done
}

# tcp_open PORT: true if something accepts TCP connections on 127.0.0.1:PORT.
tcp_open() {
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# http_answers URL: true if anything answers HTTP at URL, whatever the status.
http_answers() {
    curl -s -o /dev/null --max-time 3 "$1"
}

# wait_for_process_and PID TIMEOUT COMMAND...: like wait_for, but gives up at
# once when PID dies, so a crash is reported immediately instead of after the
# full timeout.
wait_for_process_and() {
    local pid="$1" timeout="$2" deadline
    shift 2
    deadline=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        is_alive "$pid" || return 2
        ((SECONDS >= deadline)) && return 1
        sleep 0.5
    done
}

# ensure_port_free PORT WHAT ENVVAR: fail clearly if some other program
# already listens on a port we are about to use.
ensure_port_free() {
    local port="$1" what="$2" var="$3"
    if tcp_open "$port"; then
        die "port $port (for $what) is already in use by another process; stop it or choose another port with $var=<port>"
    fi
}

# --- Credentials ---------------------------------------------------------------

# gen_password: 24 random alphanumeric characters. (We read a fixed number of
# bytes first: `tr </dev/urandom | head` would die of SIGPIPE under pipefail.)
gen_password() {
    local s=""
    while ((${#s} < 24)); do
        s+="$(head -c 512 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9')"
    done
    printf '%s' "${s:0:24}"
}

# load_credentials: exports every KEY=VALUE of the credentials file.
load_credentials() {
    [[ -f "$ETTER_CREDENTIALS_FILE" ]] || die "no credentials file at $ETTER_CREDENTIALS_FILE; run deploy/local/up.sh first"
    set -a
    # shellcheck disable=SC1090  # generated at run time, nothing to follow
    . "$ETTER_CREDENTIALS_FILE"
    set +a
}

# --- Running as the PostgreSQL OS user ---------------------------------------

# PostgreSQL refuses to run as root. As root we run its tools as the 'postgres'
# OS user; as a normal user, as that user.
if is_root; then
    PG_OS_USER="postgres"
else
    PG_OS_USER="$(id -un)"
fi

# The unix socket path (dir + "/.s.PGSQL.<port>") must fit in 107 bytes. In a
# deeply nested checkout we fall back to a short per-checkout dir in /tmp.
pg_socket_dir() {
    local pg_dir="$ETTER_LOCAL_DIR/postgres"
    if ((${#pg_dir} + 20 <= 100)); then
        printf '%s' "$pg_dir"
    else
        printf '/tmp/etter-pg-%s-%s' "$(id -u)" "$(printf '%s' "$ETTER_ROOT" | cksum | cut -d' ' -f1)"
    fi
}
PG_SOCKET_DIR="$(pg_socket_dir)"

as_pg_user() {
    # cd / first: the caller's cwd may not be readable by 'postgres', which
    # makes psql/pg_ctl print "could not change directory" warnings.
    if is_root; then
        (cd / && runuser -u "$PG_OS_USER" -- "$@")
    else
        (cd / && "$@")
    fi
}

# --- RabbitMQ ------------------------------------------------------------------

RMQ_DIR="$ETTER_LOCAL_DIR/rabbitmq"
RMQ_HOME="$RMQ_DIR/home"
RMQ_CONSOLE_LOG="$ETTER_LOG_DIR/rabbitmq-console.log"
RMQ_PIDFILE="$ETTER_PID_DIR/rabbitmq.pid"
EPMD_PIDFILE="$ETTER_PID_DIR/epmd.pid"

# The environment shared by the server and every CLI call: same HOME (hence
# the same .erlang.cookie), node name, epmd and files. Call in a subshell.
rabbit_env() {
    export HOME="$RMQ_HOME"
    export LANG=C.UTF-8 LC_ALL=C.UTF-8 # the Elixir CLI warns without UTF-8
    export RABBITMQ_NODENAME=rabbit@localhost
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT="$ETTER_RABBITMQ_PORT"
    export RABBITMQ_DIST_PORT="$ETTER_RABBITMQ_DIST_PORT"
    export ERL_EPMD_ADDRESS=127.0.0.1
    export ERL_EPMD_PORT="$ETTER_EPMD_PORT"
    export RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia"
    export RABBITMQ_LOG_BASE="$RMQ_DIR/log"
    export RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq.conf"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_DIR/advanced.config"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"
    # Keep /etc/rabbitmq/rabbitmq-env.conf out of the picture.
    export RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/rabbitmq-env.conf"
    # Written by the node itself; it is the beam.smp PID (the launcher script
    # forks the VM and waits for it).
    export RABBITMQ_PID_FILE="$RMQ_PIDFILE"
    # Erlang distribution listens on all interfaces unless told otherwise.
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

rmqctl() { (rabbit_env && "$RABBITMQ_BIN/rabbitmqctl" "$@"); }

# --- Services ------------------------------------------------------------------

# The .NET services started by up.sh: name, project directory, base port.
# Each runs --replicas times (the API too: it keeps no state of its own).
ETTER_SERVICES=(api orchestrator role-setup ai-assessment)

service_project() {
    case "$1" in
        api) echo "Etter.Api" ;;
        orchestrator) echo "Etter.Orchestrator" ;;
        role-setup) echo "Etter.RoleSetup" ;;
        ai-assessment) echo "Etter.AiAssessment" ;;
        *) die "unknown service '$1'" ;;
    esac
}

# service_port_var SERVICE: the ETTER_*_PORT variable holding its base port.
service_port_var() {
    case "$1" in
        api) echo ETTER_API_PORT ;;
        orchestrator) echo ETTER_ORCHESTRATOR_PORT ;;
        role-setup) echo ETTER_ROLESETUP_PORT ;;
        ai-assessment) echo ETTER_AIASSESSMENT_PORT ;;
        *) die "unknown service '$1'" ;;
    esac
}

service_base_port() {
    local var
    var="$(service_port_var "$1")"
    echo "${!var}"
}

# service_dll SERVICE: the Release build's entry assembly, what up.sh builds.
service_dll() {
    local project
    project="$(service_project "$1")"
    echo "$ETTER_ROOT/services/$project/bin/Release/net10.0/$project.dll"
}

# Infra PID files; every other *.pid in the PID dir is a .NET service.
ETTER_INFRA_PIDS=(postgres rabbitmq epmd redis)
