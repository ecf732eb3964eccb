#!/usr/bin/env bash
# Kannel side by side with our REST intake, in one run on loopback, all driven by wrk with the same threads,
# connections, duration, text and recipients:
#   1. Kannel 1.4.5 (Debian's kannel), smsbox sendsms (HTTP GET), bearerbox with store-type = spool (durable)
#   2. the same Kannel with no store (messages only in memory)
#   3. our gateway in PostgreSQL mode, POST /v2/sms/sendsms (durable debit and record before the answer)
# Kannel's configuration is infra/bench/kannel/kannel.conf; its SMSC is Kannel's own fakesmsc (kannel-extras).
# Installs kannel, kannel-extras and wrk with apt-get when missing (run as root). Stops everything it started on exit.
#
# Our side is verified per run: the account's balance drop must be accepted x 1.00, where accepted counts answers with
# status_code 1000; answers wrk cut off when it stopped are still charged, so the drop may exceed that count by at
# most CONNECTIONS (it never may be below it).
#
# Usage: infra/bench/kannel-bench.sh
# Environment (defaults): RUNS=3 DURATION=20 WARMUP=3 CONNECTIONS=64 THREADS=2
#   BENCH_REF / BENCH_SRC / BENCH_NO_BUILD / BENCH_OUT as for rest-bench.sh; gateway settings pass through.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-3}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-3}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
KANNEL_DIR="$BENCH_ROOT/infra/bench/kannel"
FAKESMSC=/usr/lib/kannel/test/fakesmsc

install_peers() {
  local missing=()
  dpkg -s kannel >/dev/null 2>&1 || missing+=(kannel)
  [ -x "$FAKESMSC" ] || missing+=(kannel-extras)
  command -v wrk >/dev/null || missing+=(wrk)
  if [ "${#missing[@]}" -gt 0 ]; then
    bench_log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q "${missing[@]}" >&2 \
      || { timeout 300 apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q "${missing[@]}" >&2; }
  fi
}

kannel_pids=()
stop_kannel() {
  [ "${#kannel_pids[@]}" -gt 0 ] || return 0
  kill -TERM "${kannel_pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 40); do
    local alive=0 pid
    for pid in "${kannel_pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.25
  done
  kill -KILL "${kannel_pids[@]}" 2>/dev/null || true
  wait "${kannel_pids[@]}" 2>/dev/null || true
  kannel_pids=()
  exec 7>&-
}

# start_kannel spool|memory RUN_DIR: bearerbox, fakesmsc and smsbox on free ports; sets KANNEL_URL.
start_kannel() {
  local mode=$1 dir=$2 store="# no store-type: accepted messages are kept in bearerbox's memory only"
  mkdir -p "$dir"
  if [ "$mode" = spool ]; then
    mkdir -p "$dir/spool"
    store="store-type = spool
store-location = \"$dir/spool\""
  fi
  local admin smsbox fake sendsms
  admin=$(free_port); smsbox=$(free_port); fake=$(free_port); sendsms=$(free_port)
  awk -v store="$store" -v admin="$admin" -v smsbox="$smsbox" -v fake="$fake" -v sendsms="$sendsms" -v dir="$dir" '
    { gsub("@ADMIN_PORT@", admin); gsub("@SMSBOX_PORT@", smsbox); gsub("@FAKE_SMSC_PORT@", fake)
      gsub("@SENDSMS_PORT@", sendsms); gsub("@RUN_DIR@", dir); gsub("@STORE@", store); print }' \
    "$KANNEL_DIR/kannel.conf" > "$dir/kannel.conf"
  /usr/sbin/bearerbox -v 2 "$dir/kannel.conf" >"$dir/bearerbox.out" 2>&1 &
  kannel_pids+=("$!")
  # fakesmsc in interactive mode reads messages to send from stdin: a FIFO held open here keeps it connected
  # and silent (it only receives).
  rm -f "$dir/fakesmsc.in"; mkfifo "$dir/fakesmsc.in"; exec 7<>"$dir/fakesmsc.in"
  for _ in $(seq 1 40); do (exec 3<>"/dev/tcp/127.0.0.1/$fake") 2>/dev/null && break; sleep 0.25; done
  "$FAKESMSC" -H 127.0.0.1 -r "$fake" <"$dir/fakesmsc.in" >/dev/null 2>"$dir/fakesmsc.err" &
  kannel_pids+=("$!")
  /usr/sbin/smsbox -v 2 "$dir/kannel.conf" >"$dir/smsbox.out" 2>&1 &
  kannel_pids+=("$!")
  KANNEL_URL="http://127.0.0.1:$sendsms"
  for _ in $(seq 1 120); do
    if curl -fsS --max-time 2 -o /dev/null "$KANNEL_URL/cgi-bin/sendsms?username=bench&password=bench&from=MYSENDER&to=254702739804&text=ready" 2>/dev/null; then
      return 0
    fi
    sleep 0.25
  done
  bench_log "Kannel ($mode) did not answer on $KANNEL_URL"; tail -n 20 "$dir"/*.out "$dir"/*.log >&2 || true
  return 1
}

# run_wrk NAME SCRIPT URL SECONDS: prints wrk's JSON line (see the Lua scripts' done()).
run_wrk() {
  timeout --kill-after=10 $(($4 + 60)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${4}s" --timeout 10s -s "$2" "$3" >"$out/$1.txt" 2>&1 || true
  sed -n 's/^WRK_JSON //p' "$out/$1.txt"
}

balance() {
  curl -fsS --max-time 10 -H "Authorization: Bearer $ADMIN_TOKEN" "$GATEWAY_URL/v2/admin/accounts/$account_id" | jq -r .credit_balance
}

bench_workspace kannel
release_on_exit stop_kannel

install_peers
build_release
create_bench_database
start_gateway "$out/gateway.log" "Host=127.0.0.1;Username=taifa;Password=taifa;Database=$database${BENCH_PG_OPTIONS:+;$BENCH_PG_OPTIONS}"
wait_healthy 120 "$out/gateway.log"
account=$(curl -fsS --max-time 10 -X POST "$GATEWAY_URL/v2/admin/accounts" -H "Authorization: Bearer $ADMIN_TOKEN" \
  -H "Content-Type: application/json" \
  -d '{"name": "kannel-bench", "credit_balance": "10000000.00", "price_per_sms": "1.00", "sender_ids": ["MYSENDER"]}')
account_id=$(jq -r .account_id <<<"$account")
export TAIFA_API_KEY
TAIFA_API_KEY=$(jq -r .api_key <<<"$account")

echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); source $(bench_source); $(/usr/sbin/bearerbox --version 2>&1 | grep -o 'Kannel bearerbox version `[^'"'"']*' | head -1 | tr -d '`' || true)"
echo "wrk: $THREADS threads, $CONNECTIONS connections, ${WARMUP} s warm-up + ${DURATION} s per side and run, one-part GSM text, one recipient"
: >"$out/results.jsonl"
failed=0
for run in $(seq 1 "$RUNS"); do
  for side in kannel-spool kannel-memory taifa; do
    load_before=$(cut -d' ' -f1 /proc/loadavg)
    if [ "$side" = taifa ]; then
      run_wrk "$side-$run-warmup" "$KANNEL_DIR/sendsms-post.lua" "$GATEWAY_URL" "$WARMUP" >/dev/null
      sleep 1
      before=$(balance)
      result=$(run_wrk "$side-$run" "$KANNEL_DIR/sendsms-post.lua" "$GATEWAY_URL" "$DURATION")
      sleep 2
      after=$(balance)
      accepted=$(jq -r '.accepted // 0' <<<"${result:-null}")
      verified=$(awk -v b="$before" -v a="$after" -v n="$accepted" -v c="$CONNECTIONS" \
        'BEGIN { d = b - a; print (d >= n - 0.001 && d <= n + c + 0.001) ? "true" : "false" }')
      extra=$(jq -nc --arg b "$before" --arg a "$after" --argjson v "$verified" '{balance_drop: (($b | tonumber) - ($a | tonumber)), verified: $v}')
      [ "$verified" = true ] || failed=1
    else
      mode=${side#kannel-}
      start_kannel "$mode" "$out/$side-$run"
      run_wrk "$side-$run-warmup" "$KANNEL_DIR/sendsms-get.lua" "$KANNEL_URL" "$WARMUP" >/dev/null
      result=$(run_wrk "$side-$run" "$KANNEL_DIR/sendsms-get.lua" "$KANNEL_URL" "$DURATION")
      stop_kannel
      extra='{}'
    fi
    if [ -z "$result" ]; then
      bench_log "$side run $run: wrk gave no result (see $out/$side-$run.txt)"; failed=1; continue
    fi
    line=$(jq -c --arg side "$side" --argjson run "$run" --arg load "$load_before" --arg after "$(cut -d' ' -f1 /proc/loadavg)" --argjson extra "$extra" \
      '. + {side: $side, run: $run, per_s: (.accepted / .duration_s), load_before: ($load | tonumber), load_after: ($after | tonumber)} + $extra' <<<"$result")
    echo "$line" >>"$out/results.jsonl"
    jq -r '"run \(.run) \(.side): \(.per_s | floor) accepted/s (\(.requests) requests, \(.refused) refused, \(.socket_errors) socket errors), p50 \(.p50_ms) ms, p99 \(.p99_ms) ms, max \(.max_ms) ms; load \(.load_before) -> \(.load_after)\(if .verified == null then "" else "; balance drop \(.balance_drop), verified \(.verified)" end)"' <<<"$line"
  done
done

jq -s '
  def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def side($s): map(select(.side == $s)) | { runs: length, per_s: (map(.per_s) | median), p99_ms: (map(.p99_ms) | median), p50_ms: (map(.p50_ms) | median) };
  { kannel_spool: side("kannel-spool"), kannel_memory: side("kannel-memory"), taifa: side("taifa"),
    taifa_verified: (map(select(.side == "taifa") | .verified) | all) }
  | . + { ours_over_kannel_spool: (.taifa.per_s / .kannel_spool.per_s), ours_over_kannel_memory: (.taifa.per_s / .kannel_memory.per_s) }' \
  "$out/results.jsonl" >"$out/summary.json"
jq -r '"Medians of \(.taifa.runs) runs (accepted/s, p99 ms): Kannel spool \(.kannel_spool.per_s | floor), \(.kannel_spool.p99_ms); Kannel memory \(.kannel_memory.per_s | floor), \(.kannel_memory.p99_ms); Taifa \(.taifa.per_s | floor), \(.taifa.p99_ms)\nRatios: ours / Kannel spool \(.ours_over_kannel_spool * 100 | round / 100), ours / Kannel memory \(.ours_over_kannel_memory * 100 | round / 100); our accounting verified in every run: \(.taifa_verified)"' "$out/summary.json"
jq -c . "$out/summary.json"
if [ -n "$keep_out" ]; then echo "Logs and wrk output: $out"; fi
exit "$failed"
