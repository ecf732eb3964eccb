#!/usr/bin/env bash
# The whole test suite, from a fresh machine: starts PostgreSQL, installs the third-party SMPP peers
# the interoperability tests use, runs every test project, then the load tool's smoke run and the short
# fault-injection run.
# Usage: infra/local/test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

echo "== PostgreSQL"
infra/local/postgres-up.sh

if [ -x infra/local/interop-deps.sh ]; then
  echo "== Third-party test peers (SMPP clients, Chromium and puppeteer-core)"
  infra/local/interop-deps.sh
fi

echo "== Build"
dotnet build Taifa.Orleans.sln -c Release --nologo -v quiet

echo "== Tests"
log=$(mktemp)
set +e
dotnet test Taifa.Orleans.sln -c Release --no-build --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

if [ "$status" = 0 ] && [ -x infra/bench/smoke.sh ]; then
  echo "== Load tool smoke run"
  if infra/bench/smoke.sh; then
    echo "Passed!  - Failed:     0, Passed:     1, Skipped:     0, Total:     1 - load-smoke" >> "$log"
  else
    echo "Failed!  - Failed:     1, Passed:     0, Skipped:     0, Total:     1 - load-smoke" >> "$log"
    status=1
  fi
fi

if [ "$status" = 0 ] && [ -x infra/fault/run.sh ]; then
  echo "== Fault injection (short form; docs/reliability.md)"
  if FAULTS_NO_BUILD=1 infra/fault/run.sh --short; then
    echo "Passed!  - Failed:     0, Passed:     1, Skipped:     0, Total:     1 - fault-injection" >> "$log"
  else
    echo "Failed!  - Failed:     1, Passed:     0, Skipped:     0, Total:     1 - fault-injection" >> "$log"
    status=1
  fi
fi

# One closing line for the whole run, summed over every test project.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
cd "$root"
echo "Tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
