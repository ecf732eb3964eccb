#!/usr/bin/env bash
# Profiles the gateway under REST (or SMPP) load in PostgreSQL mode: a CPU sampling trace of the gateway
# (dotnet-trace, top methods by exclusive and inclusive time) and what the database did per accepted message
# (pg_stat_database commits, pg_stat_user_tables inserts/updates/deletes per table).
#
# Usage: infra/bench/profile.sh [extra load tool arguments]
# Environment (defaults): DURATION=30 WARMUP=5 CONCURRENCY=64 TRACE_SECONDS=15 MODE=rest (or smpp: BINDS=1 WINDOW=100)
#   BENCH_OUT=<dir> keeps the trace (.nettrace), the gateway log and the reports.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-30}
WARMUP=${WARMUP:-5}
CONCURRENCY=${CONCURRENCY:-64}
TRACE_SECONDS=${TRACE_SECONDS:-15}
MODE=${MODE:-rest}
export PATH="$PATH:$HOME/.dotnet/tools"
command -v dotnet-trace >/dev/null || dotnet tool install -g dotnet-trace >/dev/null

bench_workspace profile
release_on_exit

build_release
create_bench_database
connection="Host=127.0.0.1;Username=taifa;Password=taifa;Database=$database"
if [ "$MODE" = smpp ]; then export BENCH_SMPP=1; fi
start_gateway "$out/gateway.log" "$connection"
wait_healthy 120 "$out/gateway.log"

sql() { PGPASSWORD=taifa psql -h 127.0.0.1 -U taifa -d "$database" -qAt -F ' ' -c "$1"; }
snapshot() {
  sql "select 'commits', xact_commit from pg_stat_database where datname = current_database()
       union all select relname || '.' || op, n from pg_stat_user_tables,
         lateral (values ('ins', n_tup_ins), ('upd', n_tup_upd), ('del', n_tup_del)) v(op, n) where n > 0" | sort
}

load_args=(--duration "$DURATION" --warmup "$WARMUP" --summary-file "$out/load.json")
if [ "$MODE" = smpp ]; then
  load_args+=(--mode smpp --smpp-port "$SMPP_PORT" --binds "${BINDS:-1}" --window "${WINDOW:-100}")
else
  load_args+=(--concurrency "$CONCURRENCY")
fi

snapshot > "$out/db-before.txt"
run_loadtest $((WARMUP + DURATION + 180)) "${load_args[@]}" "$@" > "$out/load.txt" &
load_pid=$!
sleep "$WARMUP"
# Kernel CPU samples (perf events, needs root) when available; otherwise .NET thread-time samples.
trace_length="00:00:00:$(printf %02d "$TRACE_SECONDS")"
if ! timeout $((TRACE_SECONDS + 60)) dotnet-trace collect-linux -p "$GATEWAY_PID" --profile cpu-sampling --duration "$trace_length" \
     -o "$out/gateway.nettrace" > "$out/trace.log" 2>&1; then
  bench_log "collect-linux unavailable ($(tail -n 1 "$out/trace.log")); sampling thread time instead"
  timeout $((TRACE_SECONDS + 60)) dotnet-trace collect -p "$GATEWAY_PID" --profile dotnet-sampled-thread-time --duration "$trace_length" \
    -o "$out/gateway.nettrace" > "$out/trace.log" 2>&1 || bench_log "dotnet-trace failed: $(tail -n 3 "$out/trace.log")"
fi
wait "$load_pid" || true
snapshot > "$out/db-after.txt"

sed -n '/^Taifa load test/,/^  verification/p' "$out/load.txt"
accepted=$(grep -oE '"accepted_total":[0-9]+' "$out/load.json" | head -1 | cut -d: -f2)
echo
echo "Database work over the whole run (verification included), per accepted message (${accepted:-?} accepted):"
join -a2 -e0 -o '2.1,1.2,2.2' "$out/db-before.txt" "$out/db-after.txt" |
  awk -v n="${accepted:-0}" '{d = $3 - $2; if (d > 0) printf "  %-45s %10d  %6.2f\n", $1, d, (n > 0 ? d / n : 0)}'
echo
if [ -f "$out/gateway.nettrace" ]; then
  echo "Gateway CPU, top methods by exclusive time:"
  dotnet-trace report "$out/gateway.nettrace" topN -n 30 2>/dev/null | sed 's/^/  /' || true
  echo
  echo "Gateway CPU, top methods by inclusive time:"
  dotnet-trace report "$out/gateway.nettrace" topN -n 40 --inclusive 2>/dev/null | sed 's/^/  /' || true
fi
