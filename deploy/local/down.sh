#!/usr/bin/env bash
#
# Stops exactly what up.sh started, found through its PID files: the .NET
# services first, then Redis, RabbitMQ, epmd (only if up.sh started it) and
# PostgreSQL. A PID file whose process is gone (or is a zombie, or is now an
# unrelated program) is just removed. Idempotent.
#
# Usage: deploy/local/down.sh [--purge]
#   --purge   also delete all local data: .etter/local/ (databases, queues,
#             logs, generated credentials)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PURGE=0
for arg in "$@"; do
    case "$arg" in
        --purge) PURGE=1 ;;
        -h | --help)
            sed -n '3,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *) die "unknown argument '$arg' (usage: down.sh [--purge])" ;;
    esac
done

PG_DATA="$ETTER_LOCAL_DIR/postgres/data"
stopped_any=0

# stop_from_pidfile NAME REGEX [TIMEOUT]: SIGTERM the process of
# pids/NAME.pid if it is alive and its command line matches REGEX.
stop_from_pidfile() {
    local name="$1" regex="$2" timeout="${3:-30}" file="$ETTER_PID_DIR/$1.pid" pid
    [[ -f "$file" ]] || return 0
    pid="$(read_pid "$file")"
    if is_alive "$pid" && pid_cmdline_matches "$pid" "$regex"; then
        stop_pid "$name" "$pid" "$timeout"
        stopped_any=1
    fi
    rm -f "$file"
}

# --- .NET services: TERM them all at once, then wait for each ---------------
service_pids=()
service_names=()
if [[ -d "$ETTER_PID_DIR" ]]; then
    for f in "$ETTER_PID_DIR"/*.pid; do
        [[ -e "$f" ]] || continue
        name="$(basename "$f" .pid)"
        [[ " ${ETTER_INFRA_PIDS[*]} " == *" $name "* ]] && continue
        pid="$(read_pid "$f")"
        if is_alive "$pid" && pid_cmdline_matches "$pid" 'dotnet'; then
            log "Stopping $name (pid $pid)"
            kill -TERM "$pid" 2>/dev/null || true
            service_pids+=("$pid")
            service_names+=("$name")
        else
            rm -f "$f"
        fi
    done
fi
for i in "${!service_pids[@]}"; do
    await_exit "${service_names[$i]}" "${service_pids[$i]}" 30
    rm -f "$ETTER_PID_DIR/${service_names[$i]}.pid"
    stopped_any=1
done

# --- Redis: SIGTERM makes it flush the AOF and exit cleanly --------------------
stop_from_pidfile redis 'redis-server' 30

# --- RabbitMQ ------------------------------------------------------------------
if [[ -f "$RMQ_PIDFILE" ]]; then
    pid="$(read_pid "$RMQ_PIDFILE")"
    if is_alive "$pid" && pid_cmdline_matches "$pid" 'beam'; then
        log "Stopping RabbitMQ (pid $pid)"
        # Same environment (HOME/cookie, node name, epmd port) as up.sh used.
        if ! (rabbit_env && exec timeout 90 "$RABBITMQ_BIN/rabbitmqctl" -q stop) >/dev/null 2>&1; then
            # e.g. the CLI cannot reach the node: SIGTERM is a clean stop too.
            warn "rabbitmqctl stop failed; sending SIGTERM"
            kill -TERM "$pid" 2>/dev/null || true
        fi
        await_exit RabbitMQ "$pid" 60
        stopped_any=1
    fi
    rm -f "$RMQ_PIDFILE"
fi

# --- epmd (its PID file exists only if up.sh started it) ---------------------
stop_from_pidfile epmd 'epmd' 10

# --- PostgreSQL ----------------------------------------------------------------
pg_pidfile="$ETTER_PID_DIR/postgres.pid"
pid="$(read_pid "$PG_DATA/postmaster.pid" 2>/dev/null || true)"
[[ -n "$pid" ]] || pid="$(read_pid "$pg_pidfile")"
if is_alive "$pid" && pid_cmdline_matches "$pid" 'postgres'; then
    log "Stopping PostgreSQL (pid $pid)"
    if ! as_pg_user "$PG_BIN/pg_ctl" -D "$PG_DATA" stop -m fast -w -t 60 >/dev/null; then
        # SIGINT is PostgreSQL's "fast shutdown".
        warn "pg_ctl stop failed; sending SIGINT"
        kill -INT "$pid" 2>/dev/null || true
    fi
    await_exit PostgreSQL "$pid" 60
    stopped_any=1
fi
rm -f "$pg_pidfile"

if ((stopped_any)); then
    log "Stopped."
else
    log "Nothing was running."
fi

if ((PURGE)); then
    if [[ -d "$ETTER_LOCAL_DIR" ]]; then
        log "Purging $ETTER_LOCAL_DIR (all local data and generated credentials)"
        rm -rf "$ETTER_LOCAL_DIR"
        # The socket dir lives in /tmp for very deep checkouts (see lib.sh).
        [[ "$PG_SOCKET_DIR" == "$ETTER_LOCAL_DIR"/* ]] || rm -rf "$PG_SOCKET_DIR"
    else
        log "Nothing to purge."
    fi
fi
