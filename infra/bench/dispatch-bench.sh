#!/usr/bin/env bash
# The dispatch benchmark (issue 4): PostgreSQL mode on loopback with the built-in SMSC simulators (no operator
# configured). DURATION seconds of SMPP intake (one bind, window WINDOW; MODE=rest drives REST instead), while
# /v2/sms/health queue_depth and the gateway's /metrics (taifa_operator_submits_total, taifa_receipts_total,
# taifa_dispatch_latency_milliseconds) are sampled every second, during the load and after it until queue_depth
# is back to 0 (or DRAIN_LIMIT seconds). Prints the series, the end-to-end rate from acceptance to the simulator's
# submit_sm_resp, receipts, dispatch latency and how long queue_depth took to return to 0. Stops everything on exit.
#
# Usage: infra/bench/dispatch-bench.sh [extra load tool arguments]
# Environment (defaults): DURATION=60 WINDOW=100 BINDS=1 MODE=smpp CONCURRENCY=64 MIX=gsm DRAIN_LIMIT=120
#   BENCH_REF, BENCH_NO_BUILD, BENCH_PG_OPTIONS, BENCH_OUT as for rest-bench.sh; gateway settings via the environment.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-60}
WINDOW=${WINDOW:-100}
BINDS=${BINDS:-1}
MODE=${MODE:-smpp}
CONCURRENCY=${CONCURRENCY:-64}
MIX=${MIX:-gsm}
DRAIN_LIMIT=${DRAIN_LIMIT:-120}

bench_workspace dispatchbench
sampler_pid=""
stop_sampler() {
  if [ -n "$sampler_pid" ]; then kill "$sampler_pid" 2>/dev/null || true; wait "$sampler_pid" 2>/dev/null || true; fi
}
release_on_exit stop_sampler

build_release
create_bench_database
connection="Host=127.0.0.1;Username=taifa;Password=taifa;Database=$database${BENCH_PG_OPTIONS:+;$BENCH_PG_OPTIONS}"
BENCH_SMPP=1 start_gateway "$out/gateway.log" "$connection"
wait_healthy 120 "$out/gateway.log"

echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), CPU pressure $(cpu_pressure)"
echo "Source: $(bench_source)"
echo "Intake: $MODE for $DURATION s ($([ "$MODE" = smpp ] && echo "$BINDS bind(s) x window $WINDOW" || echo "concurrency $CONCURRENCY")), mix $MIX; built-in simulators"

# metric NAME FILE: the sum of every series of a counter in a Prometheus text scrape.
metric() { awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $NF } END { printf "%d", s }' "$2"; }

# One line per second: epoch seconds, queue_depth, operator submits, receipts, dispatch latency count.
sample() {
  local scrape="$out/scrape.txt" depth
  while true; do
    depth=$(curl -fsS --max-time 2 "$GATEWAY_URL/v2/sms/health" 2>/dev/null | jq -r '.queue_depth // "?"' 2>/dev/null || echo "?")
    curl -fsS --max-time 2 "$GATEWAY_URL/metrics" -o "$scrape" 2>/dev/null || : > "$scrape"
    echo "$(date +%s.%N) $depth $(metric taifa_operator_submits_total "$scrape") $(metric taifa_receipts_total "$scrape") $(metric taifa_dispatch_latency_milliseconds_count "$scrape")"
    cp "$scrape" "$out/last-scrape.txt"
    sleep 1
  done
}
curl -fsS "$GATEWAY_URL/metrics" -o "$out/metrics-before.txt"
sample > "$out/series.txt" &
sampler_pid=$!

if [ "$MODE" = smpp ]; then
  intake=(--mode smpp --smpp-port "$SMPP_PORT" --binds "$BINDS" --window "$WINDOW")
else
  intake=(--mode rest --concurrency "$CONCURRENCY")
fi
load_start=$(date +%s.%N)
set +e
run_loadtest $((DURATION + 300)) "${intake[@]}" --duration "$DURATION" --warmup 0 --message-mix "$MIX" \
  --summary-file "$out/load.json" "$@" | while IFS= read -r line; do echo "$(date +%s.%N) $line"; done > "$out/load.txt"
status=${PIPESTATUS[0]}
set -e
# The load ends DURATION s after the tool printed "Running" (its verification runs after that).
load_end=$(awk -v d="$DURATION" '/ Running / { printf "%.3f", $1 + d; exit }' "$out/load.txt")
load_start=$(awk '/ Running / { print $1; exit }' "$out/load.txt")
if [ -z "$load_end" ]; then bench_log "the load tool never started its run"; cut -d' ' -f2- "$out/load.txt" >&2; exit 1; fi

bench_log "load over; waiting for queue_depth 0 (at most $DRAIN_LIMIT s)"
deadline=$((SECONDS + DRAIN_LIMIT))
while [ $SECONDS -lt $deadline ]; do
  last=$(tail -n 1 "$out/series.txt")
  if [ "$(echo "$last" | cut -d' ' -f2)" = 0 ] && awk -v t="$(echo "$last" | cut -d' ' -f1)" -v e="$load_end" 'BEGIN { exit !(t > e) }'; then break; fi
  sleep 1
done
sleep 2
kill "$sampler_pid" 2>/dev/null || true; wait "$sampler_pid" 2>/dev/null || true; sampler_pid=""

sed -n '/Taifa load test/,/verification/p' "$out/load.txt" | cut -d' ' -f2-
echo
echo "Series (t = seconds since the load started; submits and receipts are totals since the gateway started):"
awk -v s="$load_start" -v e="$load_end" 'BEGIN { printf "  %7s %11s %10s %10s %9s\n", "t", "queue_depth", "submits", "receipts", "submits/s" }
  { t = $1 - s; rate = (NR > 1 && $1 > pt) ? ($3 - ps) / ($1 - pt) : 0; printf "  %7.1f %11s %10d %10d %9.0f%s\n", t, $2, $3, $4, rate, ($1 > e && !marked++ ? "   <- load stopped" : ""); pt = $1; ps = $3 }' "$out/series.txt"
echo

accepted=$(jq -r '.accepted_total' "$out/load.json" 2>/dev/null || echo 0)
awk -v s="$load_start" -v e="$load_end" -v acc="$accepted" -v dur="$DURATION" '
  NR == 1 { s0 = $3; r0 = $4 }
  { if ($3 > last_sub) { last_sub = $3; last_sub_t = $1 } ; if ($4 > last_rec) { last_rec = $4; last_rec_t = $1 } }
  $1 > e && $2 == "0" && drained == "" { drained = $1 - e }
  END {
    submits = last_sub - s0; receipts = last_rec - r0
    printf "Accepted by intake: %d (answers to submits sent in the %d s; %.0f/s)\n", acc, dur, acc / dur
    printf "Submitted to the simulators (submit_sm_resp received): %d, last at t = %.1f s: end-to-end %.0f/s from the first acceptance to the last submit_sm_resp\n", submits, last_sub_t - s, submits / (last_sub_t - s)
    printf "Receipts back: %d, last at t = %.1f s\n", receipts, last_rec_t - s
    if (drained == "") printf "queue_depth did NOT return to 0 within the drain limit\n"; else printf "queue_depth back to 0: %.1f s after the load stopped (target <= 5 s)\n", drained
  }' "$out/series.txt"

# Dispatch latency quantiles from the histogram buckets gathered during the run (summed over operators).
buckets() { sed -n 's/^taifa_dispatch_latency_milliseconds_bucket{.*le="\([^"]*\)"} \([0-9.e+]*\).*$/\1 \2/p' "$1" | sed 's/^+Inf /1e18 /'; }
awk 'FILENAME == ARGV[1] { before[$1] += $2; next } { after[$1] += $2 } END { for (le in after) print le, after[le] - before[le] }' \
    <(buckets "$out/metrics-before.txt") <(buckets "$out/last-scrape.txt") | sort -g |
  awk '{ le[NR] = $1; count[NR] = $2 } END {
    total = count[NR]; if (NR == 0 || total <= 0) { print "Dispatch latency: no samples"; exit }
    split("50 90 99", qs, " "); line = ""
    for (k = 1; k <= 3; k++) for (i = 1; i <= NR; i++) if (count[i] >= total * qs[k] / 100) {
      line = line sprintf("p%s <= %s ms, ", qs[k], le[i] == "1e18" ? "+Inf" : le[i]); break }
    printf "Dispatch latency (acceptance to submit_sm_resp, %d messages, histogram bucket bounds): %s\n", total, substr(line, 1, length(line) - 2)
  }'
echo "Machine after: load average $(cut -d' ' -f1-3 /proc/loadavg), CPU pressure $(cpu_pressure)"
if [ -n "$keep_out" ]; then echo "Logs, series and scrapes: $out"; fi
exit "$status"
