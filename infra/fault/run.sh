#!/usr/bin/env bash
# The fault-injection suite (docs/reliability.md): a two-silo cluster on a private PostgreSQL 15 server (initdb in a
# temporary directory, its own loopback port), mixed REST + SMPP load, one fault at a time, then the checks.
# --short (default): PostgreSQL restart, operator errors, SIGKILL; 2-2.5 minutes; run by infra/local/test.sh.
# --long: all ten faults with more load; 15-20 minutes on 2 shared cores. --report FILE writes the results table (Markdown).
# Exit code 0 = every check of every fault passed. Needs the postgresql-15 binaries (infra/local/postgres-up.sh).
# FAULTS_NO_BUILD=1 skips the build when the caller has just built the solution in Release.
set -euo pipefail
cd "$(dirname "$0")/../.."

form=--short
args=()
for arg in "$@"; do
  case "$arg" in
    --short|--long) form=$arg ;;
    *) args+=("$arg") ;;
  esac
done

if [ "${FAULTS_NO_BUILD:-0}" != 1 ]; then
  dotnet build tests/Taifa.FaultInjection -c Release --nologo -v quiet -clp:"ErrorsOnly;NoSummary" >&2
fi

# Private servers of runs whose tool is gone (killed, or cut off by the timeout below): stopped and removed.
# Each run's directory is named after its tool's process id.
sweep_private_servers() {
  local dir pid pg_bin=${TAIFA_PG_BIN:-/usr/lib/postgresql/15/bin}
  for dir in "${TMPDIR:-/tmp}"/taifa-faults-pg-*; do
    [ -d "$dir" ] || continue
    pid=$(basename "$dir" | cut -d- -f4)
    if kill -0 "$pid" 2>/dev/null; then continue; fi
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$pg_bin/pg_ctl" -D "$dir/data" -m immediate -s stop 2>/dev/null || true
    else "$pg_bin/pg_ctl" -D "$dir/data" -m immediate -s stop 2>/dev/null || true; fi
    rm -rf "$dir"
  done
}
sweep_private_servers
trap sweep_private_servers EXIT

limit=360
if [ "$form" = --long ]; then limit=1560; fi
# The tool bounds itself (5 / 25 minutes) and kills its silos and its server on the way out; this is the backstop.
timeout --signal=INT --kill-after=30 "$limit" \
  dotnet tests/Taifa.FaultInjection/bin/Release/net10.0/Taifa.FaultInjection.dll "$form" "${args[@]}"
