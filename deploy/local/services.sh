# shellcheck shell=bash
#
# The .NET services as up.sh runs them: --replicas instances of each, in the
# background, one PID file and one log each; every instance is started through
# run-service.sh, like the services the tests start.
# Functions only: sourced (after lib.sh) by up.sh and down.sh.

SERVICE_START_TIMEOUT=60
# Infra PID files; every other *.pid in the PID dir is a .NET service.
ETTER_INFRA_PIDS=(postgres rabbitmq epmd redis)

# instance_name SERVICE I: "orchestrator" for i=1, "orchestrator-2" for i=2...
instance_name() { if (($2 == 1)); then echo "$1"; else echo "$1-$2"; fi; }
instance_port() { echo $(($(service_base_port "$1") + 10 * ($2 - 1))); }

# wanted_instances REPLICAS: all instances, as "service:index" words.
wanted_instances() {
    local svc i
    for svc in "${ETTER_SERVICES[@]}"; do
        for ((i = 1; i <= $1; i++)); do echo "$svc:$i"; done
    done
}

# stop_extra_replicas REPLICAS: replicas beyond REPLICAS left over from an earlier run.
stop_extra_replicas() {
    local svc f name idx
    for svc in "${ETTER_SERVICES[@]}"; do
        for f in "$ETTER_PID_DIR/$svc"-*.pid; do
            [[ -e "$f" ]] || continue
            name="$(basename "$f" .pid)"
            idx="${name##*-}"
            if [[ ! "$idx" =~ ^[0-9]+$ ]] || ((idx <= $1)); then continue; fi
            stop_pidfile "$name" "$f" 'dotnet' 30 || true
        done
    done
}

# build_services: one build for all instances; only when something is to be
# started (rebuilding under running processes would replace their files).
build_services() {
    command -v dotnet >/dev/null 2>&1 || die "dotnet is not installed (needed to build and run the services)"
    log "Building Etter.sln (Release)"
    dotnet build "$ETTER_ROOT/Etter.sln" -c Release -nologo -v q || die "dotnet build failed"
}

# start_services REPLICAS: starts whichever instances do not run yet, then
# waits until every instance answers on /health.
start_services() {
    local replicas="$1" to_start=() entry svc i name port pidfile logfile
    stop_extra_replicas "$replicas"
    for entry in $(wanted_instances "$replicas"); do
        svc="${entry%%:*}" i="${entry##*:}"
        name="$(instance_name "$svc" "$i")"
        if pidfile_alive "$ETTER_PID_DIR/$name.pid" 'dotnet'; then
            log "$name already running (pid $(read_pid "$ETTER_PID_DIR/$name.pid"))"
        else
            to_start+=("$entry")
        fi
    done
    ((${#to_start[@]} == 0)) || build_services

    for entry in "${to_start[@]}"; do
        svc="${entry%%:*}" i="${entry##*:}"
        name="$(instance_name "$svc" "$i")"
        port="$(instance_port "$svc" "$i")"
        pidfile="$ETTER_PID_DIR/$name.pid"
        logfile="$ETTER_LOG_DIR/$name.log"
        [[ -f "$(service_dll "$svc")" ]] || die "$name: $(service_dll "$svc") not found (did the build produce it? is the project in Etter.sln?)"
        ensure_port_free "$port" "$name" "$(service_port_var "$svc")"
        log "$name: starting on http://127.0.0.1:$port (log: $logfile)"
        # run-service.sh execs dotnet, so the PID recorded here is the service's own. Each orchestrator instance
        # consumes its own saga partition (0, 1, ...), so every workflow lives on one instance.
        (
            [[ "$svc" == orchestrator ]] && export Etter__Orchestrator__Partition=$((i - 1))
            exec setsid nohup bash "$ETTER_DEPLOY_DIR/run-service.sh" "$svc" --port "$port" >>"$logfile" 2>&1 </dev/null
        ) &
        echo $! >"$pidfile"
    done

    # Any HTTP status on /health means the process is up and serving.
    local deadline=$((SECONDS + SERVICE_START_TIMEOUT)) pid rc
    for entry in $(wanted_instances "$replicas"); do
        svc="${entry%%:*}" i="${entry##*:}"
        name="$(instance_name "$svc" "$i")"
        port="$(instance_port "$svc" "$i")"
        pid="$(read_pid "$ETTER_PID_DIR/$name.pid")"
        rc=0
        wait_for_process_and "$pid" $((deadline > SECONDS ? deadline - SECONDS : 1)) \
            http_answers "http://127.0.0.1:$port/health" || rc=$?
        case "$rc" in
            0) ;;
            2) die "$name exited during start-up; see $ETTER_LOG_DIR/$name.log" ;;
            *) die "$name did not answer on http://127.0.0.1:$port/health within ${SERVICE_START_TIMEOUT}s; see $ETTER_LOG_DIR/$name.log" ;;
        esac
    done
    log "Services up: $replicas x (${ETTER_SERVICES[*]})"
}

# stop_services: every service instance with a PID file, TERMed all at once,
# and their PID files removed; true if it stopped something.
stop_services() {
    local f name entries=() files=()
    for f in "$ETTER_PID_DIR"/*.pid; do
        [[ -e "$f" ]] || continue
        name="$(basename "$f" .pid)"
        [[ " ${ETTER_INFRA_PIDS[*]} " == *" $name "* ]] && continue
        if pidfile_alive "$f" 'dotnet'; then
            entries+=("$name=$(read_pid "$f")")
        fi
        files+=("$f")
    done
    stop_all 30 "${entries[@]}"
    ((${#files[@]} == 0)) || rm -f "${files[@]}"
    ((${#entries[@]} > 0))
}
