#!/usr/bin/env bash
# The scheduled-sends benchmark (issue 14): COUNT messages (REST bulk sends of 1,000 recipients) all scheduled for
# one time LEAD seconds ahead, PostgreSQL mode with the built-in SMSC simulators. Samples the gateway's
# taifa_operator_submits_total every second and prints when the first and the last of them reached an operator,
# counted from their send_at, beside the rate at which they went out. Stops everything on exit.
#
# Usage: infra/bench/scheduled-bench.sh
# Environment (defaults): COUNT=100000 LEAD=90 PARALLEL=4 LIMIT=600, and BENCH_REF, BENCH_NO_BUILD,
#   BENCH_PG_OPTIONS, BENCH_OUT as for rest-bench.sh; gateway settings via the environment.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

COUNT=${COUNT:-100000}
LEAD=${LEAD:-90}
PARALLEL=${PARALLEL:-4}
LIMIT=${LIMIT:-600}
BATCH=1000

bench_workspace scheduledbench
release_on_exit
build_release
create_bench_database
start_gateway "$out/gateway.log" "Host=127.0.0.1;Username=taifa;Password=taifa;Database=$database${BENCH_PG_OPTIONS:+;$BENCH_PG_OPTIONS}"
wait_healthy 120 "$out/gateway.log"
echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), CPU pressure $(cpu_pressure)"
echo "Source: $(bench_source)"

account=$(curl -fsS -X POST "$GATEWAY_URL/v2/admin/accounts" -H "Authorization: Bearer $ADMIN_TOKEN" -H "Content-Type: application/json" \
  -d "{\"name\":\"scheduled bench\",\"credit_balance\":\"$((COUNT * 2)).00\",\"price_per_sms\":\"1.00\",\"sender_ids\":[\"BENCH\"]}")
key=$(echo "$account" | jq -r .api_key)

# One time for every message, in Nairobi's format; the sends must all be in before it.
send_at_epoch=$(( $(date +%s) + LEAD ))
send_at=$(TZ=Africa/Nairobi date -d "@$send_at_epoch" '+%Y-%m-%d %H:%M:%S')
bodies="$out/bodies"; mkdir -p "$bodies"
for batch in $(seq 0 $(( (COUNT + BATCH - 1) / BATCH - 1 ))); do
  first=$((batch * BATCH)); last=$(( first + BATCH < COUNT ? first + BATCH : COUNT ))
  mobiles=$(seq -f "07%08.0f" $((11000000 + first)) $((11000000 + last - 1)) | paste -sd,)
  printf '{"mobile":"%s","sender_name":"BENCH","message":"scheduled %s","send_at":"%s"}' "$mobiles" "$batch" "$send_at" > "$bodies/$batch.json"
done

metric() { curl -fsS --max-time 5 "$GATEWAY_URL/metrics" | awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $NF } END { printf "%d", s }'; }
before=$(metric taifa_operator_submits_total)
bench_log "scheduling $COUNT messages for $send_at (in $LEAD s)"
intake_start=$(date +%s.%N)
ls "$bodies" | xargs -P "$PARALLEL" -I{} sh -c \
  "curl -fsS -X POST '$GATEWAY_URL/v2/sms/sendsms' -H 'h_api_key: $key' -H 'Content-Type: application/json' --data-binary @'$bodies/{}' | jq -r '.[].status_code' > '$out/codes-{}'"
cat "$out"/codes-* > "$out/codes.txt"
intake_end=$(date +%s.%N)
accepted=$(grep -c '^1000$' "$out/codes.txt" || true)
echo "Accepted $accepted of $COUNT in $(echo "$intake_end - $intake_start" | bc) s; $(echo "$send_at_epoch - $intake_end" | bc) s before their time"
if [ "$accepted" != "$COUNT" ]; then sort "$out/codes.txt" | uniq -c >&2; exit 1; fi
if [ "$(echo "$intake_end > $send_at_epoch" | bc)" = 1 ]; then bench_log "intake took longer than LEAD: raise LEAD"; exit 1; fi

early=$(( $(metric taifa_operator_submits_total) - before ))
first_at=""; deadline=$(( send_at_epoch + LIMIT ))
while [ "$(date +%s)" -lt "$deadline" ]; do
  now=$(date +%s.%N); submitted=$(( $(metric taifa_operator_submits_total) - before ))
  echo "$now $submitted" >> "$out/series.txt"
  if [ -z "$first_at" ] && [ "$submitted" -gt "$early" ]; then first_at=$now; fi
  if [ "$submitted" -ge "$COUNT" ]; then break; fi
  sleep 1
done
last_at=$(tail -n 1 "$out/series.txt" | cut -d' ' -f1); submitted=$(tail -n 1 "$out/series.txt" | cut -d' ' -f2)
echo "Submitted before their time: $early"
echo "At the operators: $submitted of $COUNT; first $(echo "$first_at - $send_at_epoch" | bc) s after send_at, last $(echo "$last_at - $send_at_epoch" | bc) s after"
echo "Rate from send_at to the last: $(echo "$submitted / ($last_at - $send_at_epoch)" | bc) messages/s"
