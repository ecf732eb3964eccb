#!/usr/bin/env bash
# The fault-injection suite (docs/reliability.md): a two-silo cluster on a private PostgreSQL 15 server (initdb in a
# temporary directory, its own loopback port), mixed REST + SMPP load, one fault at a time, then the checks.
# --short (default): PostgreSQL restart, operator errors, SIGKILL; about 2 minutes; run by infra/local/test.sh.
# --long: all eight faults with more load; about 6-8 minutes. --report FILE writes the results table (Markdown).
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

limit=360
if [ "$form" = --long ]; then limit=1560; fi
# The tool bounds itself (5 / 25 minutes) and kills its silos on the way out; this is the backstop.
exec timeout --signal=INT --kill-after=30 "$limit" \
  dotnet tests/Taifa.FaultInjection/bin/Release/net10.0/Taifa.FaultInjection.dll "$form" "${args[@]}"
