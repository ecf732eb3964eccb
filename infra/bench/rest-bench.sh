#!/usr/bin/env bash
# The REST benchmark, end to end on loopback: builds Release, starts PostgreSQL, creates a fresh database,
# starts the gateway in PostgreSQL mode, runs the load tool RUNS times (each against a freshly opened
# account, each verifying accepted = recorded = debited) and prints the median. Stops everything on exit.
#
# Usage: infra/bench/rest-bench.sh [extra load tool arguments]
# Environment (defaults): RUNS=3 DURATION=25 WARMUP=5 CONCURRENCY=64 RECIPIENTS=1 MIX=gsm
#   BENCH_REF=<commit>  build that commit (exported to a temp dir) instead of the working tree
#   BENCH_SRC=<dir> BENCH_NO_BUILD=1  run an already built source tree as it is
#   BENCH_PG_OPTIONS="Maximum Pool Size=20"  extra Npgsql connection string settings for the gateway
#   BENCH_OUT=<dir>     keep the gateway log and per-run JSON summaries there (default: a temp dir, removed)
#   Gateway settings pass through the environment, e.g. Serilog__MinimumLevel__Default=Warning.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-3}
DURATION=${DURATION:-25}
WARMUP=${WARMUP:-5}
CONCURRENCY=${CONCURRENCY:-64}
RECIPIENTS=${RECIPIENTS:-1}
MIX=${MIX:-gsm}

bench_workspace bench
release_on_exit

build_release
create_bench_database
connection="Host=127.0.0.1;Username=taifa;Password=taifa;Database=$database${BENCH_PG_OPTIONS:+;$BENCH_PG_OPTIONS}"

start_gateway "$out/gateway.log" "$connection"
wait_healthy 120 "$out/gateway.log"

echo "Machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Runs: $RUNS x (${WARMUP} s warm-up + ${DURATION} s), concurrency $CONCURRENCY, recipients $RECIPIENTS, mix $MIX"
failed=0
for run in $(seq 1 "$RUNS"); do
  bench_log "run $run of $RUNS (load average $(cut -d' ' -f1 /proc/loadavg), CPU pressure $(cpu_pressure))"
  gateway_before=$(cpu_ticks "$GATEWAY_PID")
  postgres_before=$(cpu_ticks $(pgrep -x postgres))
  read -r busy_before all_before < <(machine_ticks)
  set +e
  run_loadtest $((WARMUP + DURATION + 180)) --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" \
    --recipients "$RECIPIENTS" --message-mix "$MIX" --summary-file "$out/run-$run.json" "$@" > "$out/run-$run.txt"
  status=$?
  set -e
  # The CPU split covers the whole run, verification included.
  gateway_used=$(cpu_used "$gateway_before" "$(cpu_ticks "$GATEWAY_PID")")
  postgres_used=$(cpu_used "$postgres_before" "$(cpu_ticks $(pgrep -x postgres))")
  read -r busy_after all_after < <(machine_ticks)
  sed -n '/^Taifa load test/,/^  verification/p' "$out/run-$run.txt"
  echo "  machine after the run: load average $(cut -d' ' -f1-3 /proc/loadavg), CPU pressure $(cpu_pressure)"
  awk -v g="$gateway_used" -v p="$postgres_used" -v b=$((busy_after - busy_before)) -v a=$((all_after - all_before)) \
    'BEGIN { printf "  CPU over the run (%% of the whole machine): gateway %.0f%%, postgres %.0f%%, other incl. load tool %.0f%%, idle %.0f%%\n\n",
             100*g/a, 100*p/a, 100*(b-g-p)/a, 100*(a-b)/a }'
  if [ "$status" != 0 ]; then
    bench_log "run $run: load tool exit $status (verification failed or run aborted)"
    failed=1
  fi
done

summaries=("$out"/run-*.json)
if [ ! -s "${summaries[0]}" ]; then
  bench_log "no run produced a summary"
  exit 1
fi
jq -s '
  def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  { runs: length,
    accepted_per_s: (map(.accepted_per_s) | median),
    p50_ms: (map(.p50_ms) | median),
    p99_ms: (map(.p99_ms) | median),
    max_ms: (map(.max_ms) | median),
    all_verified: (map(.verified) | all),
    per_run: map({accepted_per_s, p50_ms, p99_ms, verified}) }' "${summaries[@]}" > "$out/median.json"
jq -r '"Median of \(.runs) runs: \(.accepted_per_s) accepted sends/s, p50 \(.p50_ms) ms, p99 \(.p99_ms) ms, max \(.max_ms) ms; every run verified: \(.all_verified)"' "$out/median.json"
jq -c . "$out/median.json"
if [ -n "$keep_out" ]; then echo "Logs and summaries: $out"; fi
exit "$failed"
