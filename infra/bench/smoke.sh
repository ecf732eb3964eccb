#!/usr/bin/env bash
# The load tool's smoke run: starts a gateway (embedded mode; --pg for PostgreSQL mode in a throwaway
# database) with its SMPP listener open, sends for a few seconds over REST and then over SMPP (two binds,
# window 20, mixed GSM, long UDH-concatenated and UCS-2 texts), verifies accepted = recorded = debited, stops.
# Exit code 0 = passed. Run by infra/local/test.sh so the tool cannot rot.
# Usage: infra/bench/smoke.sh [--pg]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

work=$(mktemp -d)
database=""
cleanup() {
  stop_gateway
  if [ -n "$database" ]; then
    PGPASSWORD=taifa psql -h 127.0.0.1 -U taifa -d postgres -qAtc "drop database if exists $database" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  remove_export
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_release
connection=""
if [ "${1:-}" = --pg ]; then
  "$BENCH_ROOT/infra/local/postgres-up.sh"
  database="taifa_smoke_$$_$RANDOM"
  PGPASSWORD=taifa psql -h 127.0.0.1 -U taifa -d postgres -qAtc "create database $database"
  connection="Host=127.0.0.1;Username=taifa;Password=taifa;Database=$database"
fi

BENCH_SMPP=1 start_gateway "$work/gateway.log" "$connection"
wait_healthy 90 "$work/gateway.log"
for mode in rest smpp; do
  if run_loadtest 60 --smoke --mode "$mode" --smpp-port "$SMPP_PORT"; then
    bench_log "$mode smoke run passed"
  else
    status=$?
    bench_log "$mode smoke run FAILED (exit $status); gateway log tail:"
    tail -n 20 "$work/gateway.log" >&2
    exit 1
  fi
done
