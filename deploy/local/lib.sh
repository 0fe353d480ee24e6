# shellcheck shell=bash disable=SC2034  # the variables here are used by the scripts sourcing this file
#
# Shared helpers for the deploy/local/ scripts. Sourced, never executed.
# Each server's own functions are in servers/*.sh, the .NET services' in
# services.sh, the generated credentials' in credentials.sh.
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
# Shared by every Erlang node on the machine (see servers/rabbitmq.sh).
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

# --- Installing with apt -------------------------------------------------------

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

pkg_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

# apt_get ARGS...: apt-get through $SUDO (call use_root_or_sudo first), never asking questions.
apt_get() { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@"; }

apt_install() {
    log "apt-get install $*"
    apt_get install -y -q --no-install-recommends "$@"
}

# Package maintainer scripts try to start the servers right away (and without
# systemd, with their own system-wide configs and ports). A policy-rc.d that
# exits 101 tells invoke-rc.d "not allowed"; we hold one only while apt runs and
# put back whatever was there before (Docker-style images ship their own).
POLICY_RC=/usr/sbin/policy-rc.d
POLICY_RC_BACKUP=/usr/sbin/policy-rc.d.etter-backup
POLICY_RC_MARK="Temporary, from deploy/local/: do not start services during apt."

policy_rc_release() {
    if [[ -e "$POLICY_RC_BACKUP" ]]; then
        "${SUDO[@]}" mv -f "$POLICY_RC_BACKUP" "$POLICY_RC" || warn "could not restore $POLICY_RC from $POLICY_RC_BACKUP"
    elif grep -qs 'Temporary, from deploy/local/' "$POLICY_RC"; then
        "${SUDO[@]}" rm -f "$POLICY_RC" || warn "could not remove the temporary $POLICY_RC"
    fi
}

# apt_install_held PKG...: apt-get install with service starts held. The EXIT
# trap puts policy-rc.d back if we are interrupted; after a run killed outright,
# the next one repairs it first (our file carries a mark, the backup is the original).
apt_install_held() {
    local rc=0
    policy_rc_release
    if [[ -e "$POLICY_RC" ]]; then
        "${SUDO[@]}" cp -p "$POLICY_RC" "$POLICY_RC_BACKUP"
    fi
    trap policy_rc_release EXIT
    printf '#!/bin/sh\n# %s\nexit 101\n' "$POLICY_RC_MARK" | "${SUDO[@]}" tee "$POLICY_RC" >/dev/null
    "${SUDO[@]}" chmod 755 "$POLICY_RC"
    apt_install "$@" || rc=$?
    policy_rc_release
    trap - EXIT
    return "$rc"
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

# stop_all TIMEOUT NAME=PID...: SIGTERM to every one first, then waits for
# each: one at a time, cluster nodes would wait on their stopped peers and the
# services' shutdown times would add up.
stop_all() {
    local timeout="$1" entry
    shift
    for entry in "$@"; do
        log "Stopping ${entry%=*} (pid ${entry##*=})"
        kill -TERM "${entry##*=}" 2>/dev/null || true
    done
    for entry in "$@"; do await_exit "${entry%=*}" "${entry##*=}" "$timeout"; done
}

# stop_pidfile NAME FILE REGEX [TIMEOUT]: stops the process FILE names if it is
# alive and matches REGEX (else it is not ours any more), then removes FILE.
# True if it stopped something.
stop_pidfile() {
    local name="$1" file="$2" regex="$3" timeout="${4:-30}" pid rc=1
    [[ -f "$file" ]] || return 1
    pid="$(read_pid "$file")"
    if is_alive "$pid" && pid_cmdline_matches "$pid" "$regex"; then
        stop_all "$timeout" "$name=$pid"
        rc=0
    fi
    rm -f "$file"
    return "$rc"
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

# port_released PORT: true once nothing accepts TCP connections on 127.0.0.1:PORT.
port_released() { ! tcp_open "$1"; }

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

# --- Who holds a port ------------------------------------------------------------

# port_owner_pid PORT: the PID listening on PORT over TCP (empty if unknown,
# e.g. without ss, or a process of another user when we are not root).
port_owner_pid() {
    command -v ss >/dev/null 2>&1 || return 0
    ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2 || true
}

# checkout_of_pid PID: the Etter checkout PID was started from, read from its
# command line and working directory (servers keep their data under
# <checkout>/.etter/local, services run from <checkout>/services/*/bin); empty
# when neither shows one.
checkout_of_pid() {
    local pid="$1" text root=""
    text="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true) $(readlink "/proc/$pid/cwd" 2>/dev/null || true)"
    if [[ "$text" =~ (/[^ \"]*)/\.etter/local(/|\"|\ |$) ]]; then
        root="${BASH_REMATCH[1]}"
    elif [[ "$text" =~ (/[^ \"]*)/services/Etter\.[A-Za-z]+/bin/ ]]; then
        root="${BASH_REMATCH[1]}"
    fi
    [[ -n "$root" && -f "$root/deploy/local/up.sh" ]] && printf '%s' "$root"
    return 0
}

# describe_pid PID: "postgres (pid 12219)", for messages.
describe_pid() {
    printf '%s (pid %s)' "$(cat "/proc/$1/comm" 2>/dev/null || echo '?')" "$1"
}

# why_taken PID VAR STOP_SCRIPT: what to do about PID, which holds a port or a
# name we need: the other checkout's stop script if PID is from one, else the
# variable that moves ours.
why_taken() {
    local pid="$1" var="$2" stop="$3" root=""
    [[ -n "$pid" ]] && root="$(checkout_of_pid "$pid")"
    if [[ -n "$root" && "$root" != "$ETTER_ROOT" ]]; then
        printf '%s of the checkout %s. Stop that with:\n    %s/deploy/local/%s\nor give this checkout another port: export %s=<free port>' \
            "$(describe_pid "$pid")" "$root" "$root" "$stop" "$var"
    elif [[ -n "$root" ]]; then
        printf '%s, started from this checkout but no longer in its PID files. Stop it with:\n    kill %s\nor choose another port: export %s=<free port>' \
            "$(describe_pid "$pid")" "$pid" "$var"
    elif [[ -n "$pid" ]]; then
        printf '%s. Stop it, or choose another port: export %s=<free port>' "$(describe_pid "$pid")" "$var"
    else
        printf 'another process. Stop it, or choose another port: export %s=<free port>' "$var"
    fi
}

# ensure_port_free PORT WHAT ENVVAR [STOP_SCRIPT]: fail clearly if some other
# program already listens on a port we are about to use. STOP_SCRIPT (down.sh by
# default) is what would stop it when it belongs to another checkout.
ensure_port_free() {
    local port="$1" what="$2" var="$3" stop="${4:-down.sh}"
    tcp_open "$port" || return 0
    die "port $port (for $what) is taken by $(why_taken "$(port_owner_pid "$port")" "$var" "$stop")"
}

# ensure_own_listener PID PORT WHAT ENVVAR [STOP_SCRIPT]: for a server of ours
# that already runs, fail unless PID itself listens on PORT, so a server of
# somebody else answering there is never taken for ours (e.g. ours was started
# on other ports).
ensure_own_listener() {
    local pid="$1" port="$2" what="$3" var="$4" stop="${5:-down.sh}" owner
    owner="$(port_owner_pid "$port")"
    [[ -z "$owner" || "$owner" == "$pid" ]] && return 0
    die "$what of this checkout runs (pid $pid) but not on port $port (ports changed? stop it with deploy/local/$stop first); port $port is taken by $(why_taken "$owner" "$var" "$stop")"
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
        *) die "unknown service '$1' (known: ${ETTER_SERVICES[*]})" ;;
    esac
}

# service_port_var SERVICE: the ETTER_*_PORT variable holding its base port.
service_port_var() {
    case "$1" in
        api) echo ETTER_API_PORT ;;
        orchestrator) echo ETTER_ORCHESTRATOR_PORT ;;
        role-setup) echo ETTER_ROLESETUP_PORT ;;
        ai-assessment) echo ETTER_AIASSESSMENT_PORT ;;
        *) die "unknown service '$1' (known: ${ETTER_SERVICES[*]})" ;;
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
