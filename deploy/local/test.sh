#!/usr/bin/env bash
#
# The project's test command (also what CI runs through .ci/run):
#   1. starts the local infrastructure (up.sh --infra-only; installs it first
#      if needed) and the local 3-node RabbitMQ cluster (cluster-up.sh) in the
#      background while it builds Etter.sln once (Release),
#   2. exports the generated credentials for the test fixtures,
#   3. runs every test project,
#   4. adds up the .trx results and prints, as the very last line,
#      "N passed, N failed" (", N skipped" appended when some were skipped).
#   5. stops the servers and cluster nodes it started (those already running
#      before are left running), unless --keep.
# Exit status: non-zero if dotnet test failed, any test failed, or no test ran.
# A test running longer than TEST_HANG_TIMEOUT is reported by name and its
# test host ended (dotnet test --blame-hang-timeout).
#
# Usage: deploy/local/test.sh [--keep] [extra dotnet test arguments]
#   --keep   leave every server running at the end
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=servers/postgres.sh
. "$ETTER_DEPLOY_DIR/servers/postgres.sh"
# shellcheck source=servers/rabbitmq.sh
. "$ETTER_DEPLOY_DIR/servers/rabbitmq.sh"
# shellcheck source=servers/redis.sh
. "$ETTER_DEPLOY_DIR/servers/redis.sh"
# shellcheck source=cluster-lib.sh
. "$ETTER_DEPLOY_DIR/cluster-lib.sh"

RESULTS_DIR="$ETTER_ROOT/.etter/test-results"
# Longer than the longest test's own waits (a cluster failover test may wait
# 13 minutes before failing by itself), so a slow test fails with its own message.
TEST_HANG_TIMEOUT=15m

# trx_attr COUNTERS_ELEMENT NAME: a numeric attribute of <Counters .../>, 0 if absent.
trx_attr() {
    local v
    v="$(printf '%s' "$1" | sed -n "s/.*[[:space:]]$2=\"\([0-9]*\)\".*/\1/p")"
    printf '%s' "${v:-0}"
}

# summarize_trx DIR: reads the <Counters> element of every .trx under DIR and
# sets TOTAL_PASSED, TOTAL_FAILED, TOTAL_SKIPPED, TOTAL_EXECUTED, TRX_FILES, and FAILED_REPORT
# (what failed_tests says of each file with failures).
summarize_trx() {
    local dir="$1" f counters passed failed error timeout aborted executed not_executed
    TOTAL_PASSED=0 TOTAL_FAILED=0 TOTAL_SKIPPED=0 TOTAL_EXECUTED=0 TRX_FILES=0 FAILED_REPORT=""
    while IFS= read -r -d '' f; do
        # Flatten first: the element may be split over several lines.
        counters="$(tr '\r\n' '  ' <"$f" | grep -o '<Counters[[:space:]][^>]*>' | head -n1 || true)"
        if [[ -z "$counters" ]]; then
            warn "no <Counters> element in $f"
            continue
        fi
        TRX_FILES=$((TRX_FILES + 1))
        passed="$(trx_attr "$counters" passed)"
        failed="$(trx_attr "$counters" failed)"
        error="$(trx_attr "$counters" error)"
        timeout="$(trx_attr "$counters" timeout)"
        aborted="$(trx_attr "$counters" aborted)"
        executed="$(trx_attr "$counters" executed)"
        not_executed="$(trx_attr "$counters" notExecuted)"
        # Errors, time-outs and aborts are failures too.
        failed=$((failed + error + timeout + aborted))
        # A run cut short (a test hung past --blame-hang-timeout, the host crashed) is a failure
        # even though no counter shows it. A RunInfo of outcome "Error" alone is no sign of
        # that: xUnit writes one for every failed test, which is already counted.
        if tr '\r\n' '  ' <"$f" | grep -qiE '<RunInfo[^>]*outcome="Error"[^<]*<Text>[^<]*(test run was aborted|host process crashed)'; then
            warn "$(basename "$f"): the test run was aborted; the test that was running is named in the output above"
            failed=$((failed + 1))
        fi
        log "  $(basename "$f"): $passed passed, $failed failed, $not_executed skipped"
        if ((failed > 0)); then FAILED_REPORT+="$(failed_tests "$f")"$'\n'; fi
        TOTAL_PASSED=$((TOTAL_PASSED + passed))
        TOTAL_FAILED=$((TOTAL_FAILED + failed))
        TOTAL_SKIPPED=$((TOTAL_SKIPPED + not_executed))
        TOTAL_EXECUTED=$((TOTAL_EXECUTED + executed))
    done < <(find "$dir" -type f -name '*.trx' -print0 2>/dev/null | sort -z)
}

# failed_tests FILE: each failed test in one .trx with the first lines of its message and the first
# frame that names a source line. The CI log keeps only its tail, so what failed and where must be there.
failed_tests() {
    awk '
        BEGIN { RS = "</UnitTestResult>" }
        /<UnitTestResult [^>]*outcome="(Failed|Error|Timeout|Aborted)"/ {
            name = $0
            sub(/.*testName="/, "", name); sub(/".*/, "", name)
            msg = ""
            if (match($0, /<Message>[^<]*<\/Message>/)) msg = substr($0, RSTART + 9, RLENGTH - 19)
            where = ""
            if (match($0, /<StackTrace>[^<]*<\/StackTrace>/)) {
                n = split(substr($0, RSTART + 12, RLENGTH - 25), frames, "\n")
                for (i = 1; i <= n; i++) if (frames[i] ~ / in \/.*:line [0-9]+/) { where = frames[i]; break }
            }
            print "FAILED " unescape(name)
            n = split(unescape(msg), lines, "\n")
            for (i = 1; i <= n && i <= 8; i++) print "    " lines[i]
            if (n > 8) print "    ..."
            if (where != "") { sub(/^ +/, "", where); print "    " unescape(where) }
        }
        function unescape(s) {
            gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&quot;/, "\"", s); gsub(/&apos;/, "\047", s)
            gsub(/&#xD;/, "", s); gsub(/&amp;/, "\\&", s)
            return s
        }' "$1"
}

# running_servers: this checkout's servers running now, as " postgres rabbitmq epmd redis cluster-1 ... ".
running_servers() {
    local list=" " n
    if [[ -n "$(pg_running_pid)" ]]; then list+="postgres "; fi
    if (rmq_use_single_node && rmq_running); then list+="rabbitmq "; fi
    if pidfile_alive "$EPMD_PIDFILE" epmd; then list+="epmd "; fi
    if redis_running; then list+="redis "; fi
    for ((n = 1; n <= CLUSTER_SIZE; n++)); do
        if cluster_node_alive "$n"; then list+="cluster-$n "; fi
    done
    printf '%s' "$list"
}

# stop_started_servers BEFORE: stops what runs now but was not running in
# BEFORE (what running_servers said when we began).
stop_started_servers() {
    local before="$1" now nodes=() n
    now="$(running_servers)"
    for ((n = 1; n <= CLUSTER_SIZE; n++)); do
        if [[ "$now" == *" cluster-$n "* && "$before" != *" cluster-$n "* ]]; then nodes+=("$n"); fi
    done
    ((${#nodes[@]} == 0)) || stop_cluster_nodes "${nodes[@]}" || true
    if [[ "$before" != *" redis "* ]]; then stop_redis || true; fi
    if [[ "$before" != *" rabbitmq "* ]]; then stop_rabbitmq || true; fi
    # epmd last among the Erlang pieces, and only once no node of ours uses it.
    now="$(running_servers)"
    if [[ "$before" != *" epmd "* && "$now" != *" rabbitmq "* && "$now" != *" cluster-"* ]]; then
        stop_epmd || true
    fi
    if [[ "$before" != *" postgres "* ]]; then stop_postgres || true; fi
}

summary_line() {
    local line="$TOTAL_PASSED passed, $TOTAL_FAILED failed"
    ((TOTAL_SKIPPED > 0)) && line+=", $TOTAL_SKIPPED skipped"
    printf '%s\n' "$line"
}

main() {
    local keep=0 args=() arg
    for arg in "$@"; do
        if [[ "$arg" == --keep ]]; then keep=1; else args+=("$arg"); fi
    done
    if ((!keep)); then
        BEFORE="$(running_servers)"
        if [[ "$BEFORE" == " " ]]; then
            log "No server of this checkout runs yet: those started now are stopped at the end (--keep: left running)"
        else
            log "Already running, so left running at the end:${BEFORE% }"
        fi
        # Also when stopped early (a failed start, Ctrl-C); INT/TERM go through exit so the EXIT trap runs.
        # A start still under way in the background is let finish first, so nothing it starts is left behind.
        trap 'if [[ -n "${SERVERS_PID:-}" ]]; then wait "$SERVERS_PID" 2>/dev/null || true; fi; stop_started_servers "$BEFORE"' EXIT
        trap 'exit 130' INT TERM
    fi

    # The deployment tests validate docker-compose.yml with `docker compose config` (no engine needed).
    log "Ensuring the docker CLI and compose plugin (install-docker-cli.sh)"
    bash "$ETTER_DEPLOY_DIR/install-docker-cli.sh"

    # The dashboard tests drive Debian's Chromium through Playwright (no browser downloads here).
    log "Ensuring Chromium for the dashboard tests (install-browser.sh)"
    bash "$ETTER_DEPLOY_DIR/install-browser.sh"

    command -v dotnet >/dev/null 2>&1 || die "dotnet is not installed"
    rm -rf "$RESULTS_DIR"
    mkdir -p "$RESULTS_DIR"

    # The servers boot while the solution builds: the build needs none of them, and the RabbitMQ
    # nodes spend much of their boot waiting, which the compiler fills (about half a minute saved).
    # The cluster tests (Category=Cluster) kill and restart nodes of the local 3-node RabbitMQ
    # cluster; same rabbitmq-server package, nothing new to install. Both scripts are idempotent.
    local servers_log="$ETTER_LOG_DIR/test-servers.log" servers_rc=0
    mkdir -p "$ETTER_LOG_DIR"
    log "Starting local infrastructure (up.sh --infra-only) and the local RabbitMQ cluster (cluster-up.sh) while building; output: $servers_log"
    (bash "$ETTER_DEPLOY_DIR/up.sh" --infra-only && bash "$ETTER_DEPLOY_DIR/cluster-up.sh") >"$servers_log" 2>&1 &
    SERVERS_PID=$!

    local build_rc=0 test_rc=0
    log "Building Etter.sln (Release)"
    dotnet build "$ETTER_ROOT/Etter.sln" -c Release -nologo || build_rc=$?

    wait "$SERVERS_PID" || servers_rc=$?
    SERVERS_PID=""
    cat "$servers_log"
    if ((servers_rc != 0)); then
        warn "starting the servers failed (exit $servers_rc); not running tests"
    elif ((build_rc == 0)); then
        load_credentials
        log "Running tests (results: $RESULTS_DIR)"
        # The suite starts a few hundred short-lived service processes on two busy cores. Without dynamic
        # PGO the JIT skips the instrumented tier, so each process compiles its hot code once less: a
        # test class used 7-11 % less CPU. Only the code the JIT emits changes, not what any test checks.
        DOTNET_TieredPGO=0 dotnet test "$ETTER_ROOT/Etter.sln" -c Release --no-build \
            --blame-hang-timeout "$TEST_HANG_TIMEOUT" --blame-hang-dump-type none \
            --logger "trx;LogFilePrefix=r" --results-directory "$RESULTS_DIR" "${args[@]}" || test_rc=$?
    else
        warn "build failed (exit $build_rc); not running tests"
    fi

    log "Test results:"
    summarize_trx "$RESULTS_DIR"

    local rc=0
    if ((servers_rc != 0)); then
        warn "the servers did not start; see $servers_log above"
        rc=1
    fi
    if ((build_rc != 0)); then
        warn "build failed"
        rc=1
    fi
    if ((test_rc != 0)); then
        warn "dotnet test exited with $test_rc"
        rc=1
    fi
    if ((TOTAL_FAILED > 0)); then
        warn "$TOTAL_FAILED test(s) failed"
        printf '%s' "$FAILED_REPORT"
        rc=1
    fi
    if ((build_rc == 0 && servers_rc == 0 && TOTAL_PASSED + TOTAL_FAILED == 0)); then
        warn "no tests ran (trx files found: $TRX_FILES)"
        rc=1
    fi
    if ((!keep)); then
        # Before the summary, which must stay the last line printed.
        log "Stopping the servers this run started (--keep leaves them running)"
        trap - EXIT
        stop_started_servers "$BEFORE"
    fi
    summary_line
    return "$rc"
}

# Sourcing this file (e.g. to check summarize_trx by hand) does not run it.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    main "$@"
fi
