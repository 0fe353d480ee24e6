# shellcheck shell=bash
#
# PostgreSQL 15: one cluster in .etter/local/postgres/data, on 127.0.0.1 only.
# Functions only: sourced (after lib.sh) by up.sh, down.sh, restart.sh, test.sh.

PG_DIR="$ETTER_LOCAL_DIR/postgres"
PG_DATA="$PG_DIR/data"
PG_LOG="$ETTER_LOG_DIR/postgres.log"
PG_PIDFILE="$ETTER_PID_DIR/postgres.pid"
PG_START_TIMEOUT=60

# PostgreSQL refuses to run as root. As root we run its tools as the 'postgres'
# OS user; as a normal user, as that user.
if is_root; then
    PG_OS_USER="postgres"
else
    PG_OS_USER="$(id -un)"
fi
PG_SUPERUSER="$PG_OS_USER" # initdb names the bootstrap superuser after the OS user

# The unix socket path (dir + "/.s.PGSQL.<port>") must fit in 107 bytes. In a
# deeply nested checkout we fall back to a short per-checkout dir in /tmp.
pg_socket_dir() {
    if ((${#PG_DIR} + 20 <= 100)); then
        printf '%s' "$PG_DIR"
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

# pg_running_pid: the postmaster's PID if ours runs (its own postmaster.pid,
# else ours), nothing otherwise.
pg_running_pid() {
    local pid
    pid="$(read_pid "$PG_DATA/postmaster.pid")"
    [[ -n "$pid" ]] || pid="$(read_pid "$PG_PIDFILE")"
    if is_alive "$pid" && pid_cmdline_matches "$pid" 'postgres'; then
        printf '%s' "$pid"
    fi
}

# As root the server runs as 'postgres', which must be able to traverse every
# parent of its data dir (e.g. a checkout under /root is 0700). We grant
# traverse-only (o+x, no listing) where it is missing.
pg_make_reachable() {
    is_root || return 0
    local d="$ETTER_LOCAL_DIR" ancestors=() i
    while [[ "$d" != "/" && -n "$d" ]]; do
        ancestors+=("$d")
        d="$(dirname "$d")"
    done
    # Outermost first: `test -x` on a dir also needs all of its parents.
    for ((i = ${#ancestors[@]} - 1; i >= 0; i--)); do
        d="${ancestors[$i]}"
        if ! runuser -u "$PG_OS_USER" -- test -x "$d" 2>/dev/null; then
            log "Granting o+x (traverse only) on $d so the postgres user can reach its data dir"
            chmod o+x "$d"
        fi
    done
}

pg_prepare_dirs() {
    mkdir -p "$PG_DIR" "$PG_SOCKET_DIR"
    touch "$PG_LOG"
    if is_root; then
        chown "$PG_OS_USER:" "$PG_DIR" "$PG_SOCKET_DIR" "$PG_LOG"
    fi
    chmod 700 "$PG_DIR" "$PG_SOCKET_DIR"
    chmod 640 "$PG_LOG"
    pg_make_reachable
}

pg_answers() {
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$ETTER_POSTGRES_PORT"
}

pg_psql_admin() {
    # Superuser over the unix socket (peer auth); SQL comes on stdin, so the
    # password never appears in a process's arguments.
    as_pg_user "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
        -h "$PG_SOCKET_DIR" -p "$ETTER_POSTGRES_PORT" -U "$PG_SUPERUSER" -d postgres
}

pg_write_config() {
    # Our settings live in etter.conf, included from postgresql.conf, and are
    # rewritten on every start so that port changes apply. fsync and
    # synchronous_commit keep their (safe) defaults on purpose.
    as_pg_user tee "$PG_DATA/etter.conf" >/dev/null <<CONF
# Written by deploy/local/servers/postgres.sh on every start; edit there.
listen_addresses = '127.0.0.1'
port = $ETTER_POSTGRES_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
unix_socket_permissions = 0700
max_connections = 300
shared_buffers = 256MB
password_encryption = scram-sha-256
CONF
    if ! grep -q "^include = 'etter.conf'" "$PG_DATA/postgresql.conf"; then
        printf "\ninclude = 'etter.conf'\n" | as_pg_user tee -a "$PG_DATA/postgresql.conf" >/dev/null
    fi
    # TCP: passwords (scram) for everyone; unix socket: only the admin
    # superuser, authenticated by its OS identity.
    as_pg_user tee "$PG_DATA/pg_hba.conf" >/dev/null <<CONF
# Written by deploy/local/servers/postgres.sh on every start; edit there.
# TYPE  DATABASE  USER            ADDRESS       METHOD
local   all       $PG_SUPERUSER   peer
host    all       all             127.0.0.1/32  scram-sha-256
host    all       all             ::1/128       scram-sha-256
CONF
}

# pg_provision PASSWORD: role and database 'etter', the role with PASSWORD.
pg_provision() {
    local password="$1"
    log "PostgreSQL: ensuring role 'etter' and database 'etter'"
    pg_psql_admin <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'etter') THEN CREATE ROLE etter; END IF;
END \$\$;
ALTER ROLE etter WITH LOGIN NOSUPERUSER CREATEDB NOCREATEROLE PASSWORD '$password';
SELECT 'CREATE DATABASE etter OWNER etter' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'etter')\gexec
SQL
    # Prove the app's path works: TCP + scram + the generated password.
    PGPASSWORD="$password" PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q -At \
        -h 127.0.0.1 -p "$ETTER_POSTGRES_PORT" -U etter -d etter -c 'SELECT 1' >/dev/null \
        || die "PostgreSQL: role 'etter' cannot log in over TCP; see $PG_LOG"
}

pg_initdb() {
    if [[ -d "$PG_DATA" ]]; then
        warn "removing incomplete PostgreSQL data dir $PG_DATA (no PG_VERSION)"
        rm -rf "$PG_DATA"
    fi
    log "PostgreSQL: initdb $PG_DATA"
    as_pg_user "$PG_BIN/initdb" -D "$PG_DATA" --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=peer --auth-host=scram-sha-256 >>"$PG_LOG" 2>&1 \
        || die "PostgreSQL initdb failed; see $PG_LOG"
}

# start_postgres PASSWORD: starts ours unless it already runs and answers, then
# (in both cases) provisions role 'etter' with PASSWORD.
start_postgres() {
    local password="$1" pid
    pid="$(pg_running_pid)"
    if [[ -n "$pid" ]]; then
        if ! wait_for 15 pg_answers; then
            die "PostgreSQL (pid $pid) runs but does not answer on 127.0.0.1:$ETTER_POSTGRES_PORT (port changed? run down.sh first); see $PG_LOG"
        fi
        ensure_own_listener "$pid" "$ETTER_POSTGRES_PORT" PostgreSQL ETTER_POSTGRES_PORT
        log "PostgreSQL already running (pid $pid)"
        echo "$pid" >"$PG_PIDFILE"
        pg_provision "$password"
        return 0
    fi

    pg_prepare_dirs
    [[ -f "$PG_DATA/PG_VERSION" ]] || pg_initdb
    # A postmaster.pid whose process is gone (e.g. killed, or a zombie that
    # `kill -0` still sees, which would make postgres refuse to start).
    if [[ -f "$PG_DATA/postmaster.pid" ]]; then
        log "PostgreSQL: removing stale postmaster.pid"
        rm -f "$PG_DATA/postmaster.pid"
    fi
    rm -f "$PG_PIDFILE"
    ensure_port_free "$ETTER_POSTGRES_PORT" PostgreSQL ETTER_POSTGRES_PORT
    pg_write_config

    log "PostgreSQL: starting on 127.0.0.1:$ETTER_POSTGRES_PORT"
    # setsid: detach from our terminal/session so a later Ctrl-C does not hit it.
    as_pg_user setsid "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$PG_START_TIMEOUT" start >/dev/null \
        || die "PostgreSQL did not start within ${PG_START_TIMEOUT}s; see $PG_LOG"
    wait_for "$PG_START_TIMEOUT" pg_answers || die "PostgreSQL does not answer on 127.0.0.1:$ETTER_POSTGRES_PORT; see $PG_LOG"
    pid="$(read_pid "$PG_DATA/postmaster.pid")"
    echo "$pid" >"$PG_PIDFILE"
    log "PostgreSQL up (pid $pid)"
    pg_provision "$password"
}

# stop_postgres: a fast shutdown of ours; true if it stopped something.
stop_postgres() {
    local pid
    pid="$(pg_running_pid)"
    rm -f "$PG_PIDFILE"
    [[ -n "$pid" ]] || return 1
    log "Stopping PostgreSQL (pid $pid)"
    if ! as_pg_user "$PG_BIN/pg_ctl" -D "$PG_DATA" stop -m fast -w -t 60 >/dev/null; then
        # SIGINT is PostgreSQL's "fast shutdown".
        warn "pg_ctl stop failed; sending SIGINT"
        kill -INT "$pid" 2>/dev/null || true
    fi
    await_exit PostgreSQL "$pid" 60
}

# restart_postgres: every connection drops, committed data survives.
restart_postgres() {
    log "Restarting PostgreSQL"
    # setsid, as at start: the new postmaster must not belong to the caller's session.
    as_pg_user setsid "$PG_BIN/pg_ctl" -D "$PG_DATA" restart -m fast -w -t 60 -l "$PG_LOG" >/dev/null
    # down.sh stops by PID file; keep it pointing at the new postmaster.
    read_pid "$PG_DATA/postmaster.pid" >"$PG_PIDFILE"
    log "PostgreSQL is back"
}
