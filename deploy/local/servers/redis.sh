# shellcheck shell=bash
#
# Redis 7 on 127.0.0.1 with a password, data in .etter/local/redis/data (AOF only, no RDB snapshots).
# Functions only: sourced (after lib.sh) by up.sh, down.sh, test.sh.

REDIS_DIR="$ETTER_LOCAL_DIR/redis"
REDIS_CONF="$REDIS_DIR/redis.conf"
REDIS_LOG="$ETTER_LOG_DIR/redis.log"
REDIS_PIDFILE="$ETTER_PID_DIR/redis.pid"
REDIS_START_TIMEOUT=30

redis_running() { pidfile_alive "$REDIS_PIDFILE" 'redis-server'; }

# redis_answers PASSWORD
redis_answers() {
    [[ "$(REDISCLI_AUTH="$1" "$REDIS_CLI" -h 127.0.0.1 -p "$ETTER_REDIS_PORT" ping 2>/dev/null)" == PONG ]]
}

# redis_write_config PASSWORD
redis_write_config() {
    mkdir -p "$REDIS_DIR/data"
    chmod 700 "$REDIS_DIR"
    (
        umask 077
        cat >"$REDIS_CONF" <<CONF
# Written by deploy/local/servers/redis.sh on every start; edit there.
bind 127.0.0.1
protected-mode yes
port $ETTER_REDIS_PORT
requirepass $1
dir "$REDIS_DIR/data"
appendonly yes
# No RDB snapshots: the AOF already keeps every write, and under steady load the default rules (60 s and
# 10,000 changes) fork a snapshot of the whole data set about once a minute, a core busy for seconds each time.
save ""
daemonize no
logfile "$REDIS_LOG"
CONF
    )
}

# start_redis PASSWORD: starts ours unless it already runs and answers.
start_redis() {
    local password="$1" pid
    if redis_running; then
        pid="$(read_pid "$REDIS_PIDFILE")"
        wait_for 10 redis_answers "$password" \
            || die "Redis (pid $pid) runs but does not answer on 127.0.0.1:$ETTER_REDIS_PORT (port changed? run down.sh first); see $REDIS_LOG"
        ensure_own_listener "$pid" "$ETTER_REDIS_PORT" Redis ETTER_REDIS_PORT
        log "Redis already running (pid $pid)"
        return 0
    fi
    rm -f "$REDIS_PIDFILE"
    ensure_port_free "$ETTER_REDIS_PORT" Redis ETTER_REDIS_PORT
    redis_write_config "$password"
    log "Redis: starting on 127.0.0.1:$ETTER_REDIS_PORT"
    # Its own log goes to logfile; stdout/stderr only catch very early errors.
    (exec setsid nohup "$REDIS_SERVER" "$REDIS_CONF" >>"$ETTER_LOG_DIR/redis-console.log" 2>&1 </dev/null) &
    echo $! >"$REDIS_PIDFILE"
    wait_for_process_and "$(read_pid "$REDIS_PIDFILE")" "$REDIS_START_TIMEOUT" redis_answers "$password" \
        || die "Redis did not come up on 127.0.0.1:$ETTER_REDIS_PORT; see $REDIS_LOG and $ETTER_LOG_DIR/redis-console.log"
    log "Redis up (pid $(read_pid "$REDIS_PIDFILE"))"
}

# stop_redis: SIGTERM makes it flush the AOF and exit cleanly; true if it stopped something.
stop_redis() { stop_pidfile Redis "$REDIS_PIDFILE" 'redis-server' 30; }
