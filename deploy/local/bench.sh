#!/usr/bin/env bash
#
# Benchmarks Etter Workflows and prints the figures (throughput, latency,
# cost per workflow, memory, raw server baselines):
#   1. for distributed mode, starts the local servers (up.sh --infra-only;
#      installs them first if needed) and exports the generated credentials,
#   2. builds the benchmark and the four services (Release),
#   3. runs tests/Etter.Benchmarks with the given arguments.
# Embedded mode (the default) needs no servers, so they are left alone.
#
# Usage: deploy/local/bench.sh [benchmark arguments]
#   deploy/local/bench.sh                 (no --mode: embedded, then distributed; the README's figures)
#   deploy/local/bench.sh --mode embedded
#   deploy/local/bench.sh --mode distributed --workflows 2000
#   deploy/local/bench.sh --help          (every option)
# The report is printed and written as JSON to .etter/bench/latest.json
# (or --json PATH; without --mode, .etter/bench/embedded.json and distributed.json); service logs of distributed runs go to .etter/bench/logs/.
# Distributed runs use their own scratch RabbitMQ vhost and PostgreSQL
# database, removed at the end, so they do not touch the 'etter' ones.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_PROJECT="$ETTER_ROOT/tests/Etter.Benchmarks/Etter.Benchmarks.csproj"

# wants_distributed ARGS...: true if the arguments ask for distributed mode.
wants_distributed() {
    local previous="" arg
    for arg in "$@"; do
        case "$arg" in
            --mode=distributed) return 0 ;;
            distributed) [[ "$previous" == "--mode" ]] && return 0 ;;
        esac
        previous="$arg"
    done
    return 1
}

# wants_help ARGS...: true if the arguments only ask for the usage text.
wants_help() {
    local arg
    for arg in "$@"; do
        [[ "$arg" == "-h" || "$arg" == "--help" ]] && return 0
    done
    return 1
}

# has_option NAME ARGS...: true if NAME (or NAME=...) is among the arguments.
has_option() {
    local name="$1" arg
    shift
    for arg in "$@"; do
        [[ "$arg" == "$name" || "$arg" == "$name="* ]] && return 0
    done
    return 1
}

main() {
    command -v dotnet >/dev/null 2>&1 || die "dotnet is not installed"

    # Without a mode, both: each run is its own process and report.
    if ! has_option --mode "$@" && ! wants_help "$@"; then
        local rc=0 mode json=()
        for mode in embedded distributed; do
            has_option --json "$@" || json=(--json "$ETTER_ROOT/.etter/bench/$mode.json")
            main --mode "$mode" "${json[@]}" "$@" || rc=$?
        done
        return "$rc"
    fi

    if wants_distributed "$@" && ! wants_help "$@"; then
        log "Starting local infrastructure (up.sh --infra-only)"
        bash "$ETTER_DEPLOY_DIR/up.sh" --infra-only
        load_credentials
    else
        log "Embedded mode: no servers needed"
    fi

    log "Building the benchmark and the services (Release)"
    dotnet build "$BENCH_PROJECT" -c Release -nologo -v q || die "dotnet build failed"

    log "Running the benchmark: $*"
    cd "$ETTER_ROOT"
    local rc=0
    dotnet run -c Release --no-build --project "$BENCH_PROJECT" -- "$@" || rc=$?
    return "$rc"
}

main "$@"
