#!/usr/bin/env bash
# Memory of one silo (PostgreSQL mode, loopback), two checks:
#
#   infra/bench/idle-sessions.sh            SESSIONS idle SMPP binds: resident memory (VmRSS) of the gateway with no
#                                           session, then with all of them bound and held idle (the load tool's
#                                           idle-sessions command binds as transceivers, answers enquire_link and sends
#                                           its own every ENQUIRE s); reports MB at 0 and at N, KB per session, and the
#                                           taifa_smpp_sessions metric. Target: 10,000 sessions under 500 MB.
#   infra/bench/idle-sessions.sh --steady   a steady load run of STEADY_SECONDS (default 600) through the load tool
#                                           (STEADY_MODE=smpp|rest), RSS sampled every 5 s; reports the median RSS of
#                                           the first and of the last minute and the growth between them.
#
# Environment (defaults): SESSIONS=10000 HOLD=60 ENQUIRE=60 SETTLE=15 BIND_LIMIT=0 (seconds; 0 = until all are
#   bound; otherwise hold what is bound by then) CONNECT_CONCURRENCY=4 STEADY_SECONDS=600 STEADY_MODE=smpp
#   STEADY_WINDOW=20 STEADY_CONCURRENCY=16; BENCH_REF / BENCH_SRC / BENCH_NO_BUILD / BENCH_OUT as for rest-bench.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SESSIONS=${SESSIONS:-10000}
HOLD=${HOLD:-60}
ENQUIRE=${ENQUIRE:-60}
SETTLE=${SETTLE:-15}
BIND_LIMIT=${BIND_LIMIT:-0}
# Binds in progress at once. The account grain checks the password (PBKDF2, 60,000 iterations) twice per bind inside
# its own turn, so one account's binds run one at a time: more in parallel only queue past the 30 s call timeout.
CONNECT_CONCURRENCY=${CONNECT_CONCURRENCY:-4}
STEADY_SECONDS=${STEADY_SECONDS:-600}
STEADY_MODE=${STEADY_MODE:-smpp}
STEADY_WINDOW=${STEADY_WINDOW:-20}
STEADY_CONCURRENCY=${STEADY_CONCURRENCY:-16}
steady=0
[ "${1:-}" = --steady ] && steady=1

# Each session is a socket in the gateway and one in the load tool (separate processes, separate limits).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$steady" = 0 ] && [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((SESSIONS + 1000)) ]; then
  bench_log "open files limit $(ulimit -n) (hard $(ulimit -Hn)) is too low for $SESSIONS sessions; lower SESSIONS or raise the hard limit"
  exit 2
fi

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$GATEWAY_PID/status"; }
sessions_metric() { curl -fsS --max-time 5 "$GATEWAY_URL/metrics" 2>/dev/null | awk '/^taifa_smpp_sessions[ {]/ {s += $NF} END {print s + 0}'; }
# median_rss SAMPLES: the median of a few RSS samples a second apart (one sample can land mid-collection).
median_rss() {
  local samples=()
  for _ in $(seq 1 "$1"); do samples+=("$(rss_kb)"); sleep 1; done
  printf '%s\n' "${samples[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

bench_workspace memory
tool_pid=""
stop_tool() {
  if [ -n "$tool_pid" ]; then kill -INT "$tool_pid" 2>/dev/null || true; wait "$tool_pid" 2>/dev/null || true; fi
}
release_on_exit stop_tool

build_release
create_bench_database
BENCH_SMPP=1 Taifa__Smpp__MaxBindsPerAccount=$((SESSIONS + 10)) \
  start_gateway "$out/gateway.log" "Host=127.0.0.1;Username=taifa;Password=taifa;Database=$database${BENCH_PG_OPTIONS:+;$BENCH_PG_OPTIONS}"
wait_healthy 120 "$out/gateway.log"
echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); source $(bench_source); open files limit $(ulimit -n)"

if [ "$steady" = 1 ]; then
  echo "Steady run: $STEADY_MODE for $STEADY_SECONDS s ($([ "$STEADY_MODE" = smpp ] && echo "1 bind, window $STEADY_WINDOW" || echo "concurrency $STEADY_CONCURRENCY")), RSS every 5 s"
  : >"$out/rss.tsv"
  run_loadtest $((STEADY_SECONDS + 300)) --mode "$STEADY_MODE" --smpp-port "$SMPP_PORT" --binds 1 --window "$STEADY_WINDOW" \
    --concurrency "$STEADY_CONCURRENCY" --warmup 0 --duration "$STEADY_SECONDS" --summary-file "$out/steady.json" >"$out/steady.txt" 2>&1 &
  tool_pid=$!
  started=$SECONDS
  while kill -0 "$tool_pid" 2>/dev/null && [ $((SECONDS - started)) -le "$STEADY_SECONDS" ]; do
    echo -e "$((SECONDS - started))\t$(rss_kb)" >>"$out/rss.tsv"
    sleep 5
  done
  set +e; wait "$tool_pid"; status=$?; set -e
  tool_pid=""
  sed -n '/^Taifa load test/,/^  verification/p' "$out/steady.txt"
  awk -v total="$STEADY_SECONDS" '
    function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t } return a[int((n + 1) / 2)] }
    $1 <= 60 { first[++f] = $2 } $1 >= total - 60 { last[++l] = $2 } { if ($2 > max) max = $2 }
    END { a = median(first, f) / 1024; b = median(last, l) / 1024
          printf "RSS median, first minute %.0f MB, last minute %.0f MB: growth %+.0f MB (%+.1f%%); peak %.0f MB; %d samples\n", a, b, b - a, 100 * (b - a) / a, max / 1024, NR }' "$out/rss.tsv"
  echo "Samples (seconds, KB): $out/rss.tsv; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
  [ -n "$keep_out" ] || cp "$out/rss.tsv" "/tmp/taifa-steady-rss-$$.tsv"
  exit "$status"
fi

account=$(curl -fsS --max-time 10 -X POST "$GATEWAY_URL/v2/admin/accounts" -H "Authorization: Bearer $ADMIN_TOKEN" \
  -H "Content-Type: application/json" -d '{"name": "idle-sessions", "credit_balance": "1.00", "sender_ids": ["MYSENDER"]}')
api_key=$(jq -r .api_key <<<"$account")
system_id="idle$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
password=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
curl -fsS --max-time 10 -o /dev/null -X POST "$GATEWAY_URL/v2/sms/smpp-credentials" -H "h_api_key: $api_key" \
  -H "Content-Type: application/json" -d "{\"smpp_username\": \"$system_id\", \"smpp_password\": \"$password\"}"

sleep "$SETTLE"
rss_idle=$(median_rss 5)
echo "No session: RSS $((rss_idle / 1024)) MB, taifa_smpp_sessions $(sessions_metric)"

# Binds are slow by design (two PBKDF2 password checks each): allow 5 binds/s on a busy machine.
timeout --signal=INT --kill-after=30 $((HOLD + SESSIONS / 5 + 300)) dotnet "$LOADTEST_DLL" idle-sessions --smpp-port "$SMPP_PORT" \
  --system-id "$system_id" --password "$password" --sessions "$SESSIONS" --hold "$HOLD" --enquire-interval "$ENQUIRE" \
  --bind-limit "$BIND_LIMIT" --connect-concurrency "$CONNECT_CONCURRENCY" \
  >"$out/idle.txt" 2>&1 &
tool_pid=$!
# While binding: RSS against the session count every 10 s, so that even a run cut short gives the slope.
echo -e "seconds\tsessions\trss_kb" >"$out/binding.tsv"
bind_started=$SECONDS
until grep -q '^ALL_BOUND' "$out/idle.txt" 2>/dev/null; do
  if ! kill -0 "$tool_pid" 2>/dev/null; then bench_log "the load tool exited before binding"; cat "$out/idle.txt" >&2; exit 1; fi
  if [ $(( (SECONDS - bind_started) % 10 )) = 0 ]; then echo -e "$((SECONDS - bind_started))\t$(sessions_metric)\t$(rss_kb)" >>"$out/binding.tsv"; fi
  sleep 1
done
awk -F'\t' 'NR > 1 && $2 > 0 { n++; x[n] = $2; y[n] = $3 } END {
  if (n < 2) exit; for (i = 1; i <= n; i++) { sx += x[i]; sy += y[i] } mx = sx / n; my = sy / n
  for (i = 1; i <= n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ^ 2 }
  if (sxx > 0) printf "While binding (%d samples, %d to %d sessions): %.1f KB of RSS per session (least squares)\n", n, x[1], x[n], sxy / sxx }' "$out/binding.tsv"
echo "Binding took $((SECONDS - bind_started)) s (samples: $out/binding.tsv)"
grep -A5 '^ALL_BOUND' "$out/idle.txt" | grep -v '^HELD' || true
sleep "$SETTLE"
rss_held=$(median_rss 5)
metric=$(sessions_metric)
echo "$SESSIONS sessions requested, taifa_smpp_sessions $metric: RSS $((rss_held / 1024)) MB"
awk -v idle="$rss_idle" -v held="$rss_held" -v n="$metric" 'BEGIN {
  printf "Per session: %.1f KB ((%d - %d) MB / %d); target 10,000 sessions under 500 MB: %s\n",
    (held - idle) / (n > 0 ? n : 1), held / 1024, idle / 1024, n, (held < 500 * 1024 && n >= 10000) ? "met" : (n < 10000 ? "not shown (fewer than 10,000 sessions)" : "missed") }'
set +e; wait "$tool_pid"; status=$?; set -e
tool_pid=""
grep '^HELD' "$out/idle.txt" || true
echo "Load average now $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
