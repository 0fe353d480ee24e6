#!/usr/bin/env bash
#
# Runs one Etter .NET service in the foreground: the one place where service
# processes are started, by up.sh (in the background, one per instance) and by
# the tests and benchmarks (tests/Etter.TestSupport/ServiceProcess.cs).
#
# Usage: deploy/local/run-service.sh SERVICE|DLL [--port P]
#   SERVICE   api, orchestrator, role-setup or ai-assessment: the Release build
#             that up.sh makes; or the path of a built service .dll (any build)
#   --port P  listen on http://127.0.0.1:P (default: the service's base port,
#             ETTER_*_PORT in lib.sh; required with a DLL path)
#
# Sets what every local run of a service shares (distributed mode, or embedded
# for the Etter.Embedded host; Production,
# no MassTransit telemetry), changes to the DLL's folder (its content root,
# where appsettings*.json are) and execs dotnet, so the caller's PID is the
# service's own. Every other setting (Etter__*) comes from the caller's
# environment: up.sh exports the credentials file, the tests their scratch
# servers; nothing is read from the credentials file here.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage="usage: run-service.sh SERVICE|DLL [--port P] (SERVICE: ${ETTER_SERVICES[*]})"
target="" port=""
while (($#)); do
    case "$1" in
        --port)
            [[ $# -ge 2 ]] || die "--port needs a number"
            port="$2"
            shift
            ;;
        --port=*) port="${1#*=}" ;;
        -h | --help)
            sed -n '3,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        -*) die "unknown argument '$1' ($usage)" ;;
        *)
            [[ -z "$target" ]] || die "one service at a time ($usage)"
            target="$1"
            ;;
    esac
    shift
done
[[ -n "$target" ]] || die "$usage"

if [[ "$target" == *.dll ]]; then
    dll="$(realpath -m "$target")"
    [[ -n "$port" ]] || die "--port is needed with a DLL path ($usage)"
else
    # Checked here: a `die` inside the command substitutions below would only end the subshell.
    [[ " ${ETTER_SERVICES[*]} " == *" $target "* ]] || die "unknown service '$target' ($usage)"
    dll="$(service_dll "$target")"
    [[ -n "$port" ]] || port="$(service_base_port "$target")"
fi
[[ "$port" =~ ^[0-9]+$ ]] || die "--port must be a number, got '$port'"
[[ -f "$dll" ]] || die "$dll is not built (dotnet build Etter.sln -c Release; up.sh does)"
command -v dotnet >/dev/null 2>&1 || die "dotnet is not installed"

# The embedded host is the one process of embedded mode whatever runs it; every other service is distributed.
if [[ "$(basename "$dll")" == Etter.Embedded.dll ]]; then
    export Etter__Mode=embedded
else
    export Etter__Mode=distributed
fi
export ASPNETCORE_URLS="http://127.0.0.1:$port"
export DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production
export MASSTRANSIT_USAGE_TELEMETRY=false
cd "$(dirname "$dll")"
exec dotnet "$dll"
