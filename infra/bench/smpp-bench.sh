#!/usr/bin/env bash
# The SMPP benchmark, end to end on loopback (issue 3): builds Release, starts PostgreSQL, creates a fresh database
# and starts two gateways side by side: the durable one in PostgreSQL mode, and a second one (embedded mode) with
# Taifa:Smpp:NullResponder=true, whose listener answers every submit_sm ESME_ROK without grains: the ceiling of our
# own stack. Runs alternate durable, null, durable, null... (RUNS each) so both see the same machine; each run
# opens a fresh account, binds BINDS transmitter(s) with WINDOW outstanding submit_sm, and the durable runs verify
# accepted = recorded = debited. Prints every run, the medians and the ratio. Stops everything on exit.
#
# Usage: infra/bench/smpp-bench.sh [extra load tool arguments]
# Environment (defaults): RUNS=3 DURATION=30 WARMUP=5 BINDS=1 WINDOW=100 MIX=gsm
#   BENCH_REF=<commit>  build that commit instead of the working tree; BENCH_NO_BUILD=1 reuse the last build
#   BENCH_PG_OPTIONS="Maximum Pool Size=20"  extra Npgsql connection string settings for the durable gateway
#   BENCH_OUT=<dir>     keep gateway logs and per-run JSON there (default: a temp dir, removed)
#   Gateway settings pass through the environment, e.g. Taifa__Smpp__MaxPartsPerSecond=20000.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-3}
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-5}
BINDS=${BINDS:-1}
WINDOW=${WINDOW:-100}
MIX=${MIX:-gsm}

bench_workspace smppbench
durable_pid="" null_pid=""
stop_both_gateways() {
  GATEWAY_PID=$null_pid; stop_gateway
  GATEWAY_PID=$durable_pid; stop_gateway
}
release_on_exit stop_both_gateways

build_release
create_bench_database
connection="Host=127.0.0.1;Username=taifa;Password=taifa;Database=$database${BENCH_PG_OPTIONS:+;$BENCH_PG_OPTIONS}"

BENCH_SMPP=1 start_gateway "$out/durable.log" "$connection"
durable_pid=$GATEWAY_PID durable_url=$GATEWAY_URL durable_token=$ADMIN_TOKEN durable_smpp=$SMPP_PORT
wait_healthy 120 "$out/durable.log"
BENCH_SMPP=1 Taifa__Smpp__NullResponder=true start_gateway "$out/null.log"
null_pid=$GATEWAY_PID null_url=$GATEWAY_URL null_token=$ADMIN_TOKEN null_smpp=$SMPP_PORT
wait_healthy 120 "$out/null.log"

echo "Machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Source: $(bench_source)"
echo "Runs: $RUNS x (durable, null responder), each ${WARMUP} s warm-up + ${DURATION} s, $BINDS bind(s) x window $WINDOW, mix $MIX"

# smpp_run KIND RUN PID: one load-tool run against the gateway KIND (durable | null), with the CPU split.
failed=0
smpp_run() {
  local kind=$1 run=$2 pid=$3 verify=()
  shift 3
  if [ "$kind" = null ]; then
    GATEWAY_URL=$null_url ADMIN_TOKEN=$null_token port=$null_smpp verify=(--no-verify)
  else
    GATEWAY_URL=$durable_url ADMIN_TOKEN=$durable_token port=$durable_smpp
  fi
  bench_log "run $run $kind (load average $(cut -d' ' -f1 /proc/loadavg), CPU pressure $(cpu_pressure))"
  local gateway_before postgres_before busy_before all_before busy_after all_after status
  gateway_before=$(cpu_ticks "$pid")
  postgres_before=$(cpu_ticks $(pgrep -x postgres))
  read -r busy_before all_before < <(machine_ticks)
  set +e
  run_loadtest $((WARMUP + DURATION + 240)) --mode smpp --smpp-port "$port" --binds "$BINDS" --window "$WINDOW" \
    --duration "$DURATION" --warmup "$WARMUP" --message-mix "$MIX" "${verify[@]}" \
    --summary-file "$out/$kind-$run.json" "$@" > "$out/$kind-$run.txt"
  status=$?
  set -e
  local gateway_used postgres_used
  gateway_used=$(cpu_used "$gateway_before" "$(cpu_ticks "$pid")")
  postgres_used=$(cpu_used "$postgres_before" "$(cpu_ticks $(pgrep -x postgres))")
  read -r busy_after all_after < <(machine_ticks)
  sed -n '/^Taifa load test/,/^  verification/p' "$out/$kind-$run.txt"
  echo "  machine after the run: load average $(cut -d' ' -f1-3 /proc/loadavg), CPU pressure $(cpu_pressure)"
  awk -v g="$gateway_used" -v p="$postgres_used" -v b=$((busy_after - busy_before)) -v a=$((all_after - all_before)) \
    'BEGIN { printf "  CPU over the run (%% of the whole machine): gateway %.0f%%, postgres %.0f%%, other incl. load tool %.0f%%, idle %.0f%%\n\n",
             100*g/a, 100*p/a, 100*(b-g-p)/a, 100*(a-b)/a }'
  jq -c --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" --argjson g "$gateway_used" --argjson p "$postgres_used" \
    --argjson a $((all_after - all_before)) \
    '. + {load_after: $load, gateway_cpu_pct: (100*$g/$a | round), postgres_cpu_pct: (100*$p/$a | round)}' \
    "$out/$kind-$run.json" > "$out/$kind-$run.tmp" 2>/dev/null && mv "$out/$kind-$run.tmp" "$out/$kind-$run.json"
  if [ "$status" != 0 ]; then
    bench_log "run $run $kind: load tool exit $status (verification failed or run aborted)"
    failed=1
  fi
}

for run in $(seq 1 "$RUNS"); do
  smpp_run durable "$run" "$durable_pid" "$@"
  smpp_run null "$run" "$null_pid" "$@"
done

for kind in durable null; do
  if ! ls "$out/$kind"-*.json >/dev/null 2>&1; then bench_log "no $kind run produced a summary"; exit 1; fi
done
jq -n --slurpfile d <(cat "$out"/durable-*.json) --slurpfile n <(cat "$out"/null-*.json) '
  def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def summary: { runs: length, submit_sm_per_s: (map(.accepted_per_s) | median), p50_ms: (map(.p50_ms) | median),
                 p99_ms: (map(.p99_ms) | median), max_ms: (map(.max_ms) | median),
                 per_run: map({submit_sm_per_s: .accepted_per_s, p50_ms, p99_ms, status_counts, verified, load_after,
                               gateway_cpu_pct, postgres_cpu_pct, tool_cpu_us_per_request}) };
  ($d | summary) as $durable | ($n | summary) as $ceiling |
  { durable: $durable, null_responder: $ceiling,
    ratio_pct: (if $ceiling.submit_sm_per_s > 0 then (1000 * $durable.submit_sm_per_s / $ceiling.submit_sm_per_s | round) / 10 else null end),
    durable_all_verified: ($d | map(.verified == true) | all) }' > "$out/median.json"
jq -r '"Durable (PostgreSQL): median of \(.durable.runs): \(.durable.submit_sm_per_s) submit_sm/s, p50 \(.durable.p50_ms) ms, p99 \(.durable.p99_ms) ms; every run verified: \(.durable_all_verified)",
       "Null responder:       median of \(.null_responder.runs): \(.null_responder.submit_sm_per_s) submit_sm/s, p50 \(.null_responder.p50_ms) ms, p99 \(.null_responder.p99_ms) ms",
       "Durable / null responder: \(.ratio_pct)% (targets: >= 5000 submit_sm/s and >= 25%)"' "$out/median.json"
jq -c . "$out/median.json"
if [ -n "$keep_out" ]; then echo "Logs and summaries: $out"; fi
exit "$failed"
