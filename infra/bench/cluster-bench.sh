#!/usr/bin/env bash
# Scaling on one machine: 1, 2, ... SILOS gateways in PostgreSQL mode sharing one database (one Orleans cluster on
# loopback), REST load split evenly over the silos (one load tool per silo, each with its own account, CONCURRENCY in
# total), and PostgreSQL's own counters over the measured window: commits, inserted and updated rows per accepted
# message, and connections per silo. Every load tool verifies its account (accepted = recorded = debited).
#
# Usage: infra/bench/cluster-bench.sh
# Environment (defaults): SILOS="1 2 3" DURATION=20 WARMUP=5 CONCURRENCY=64 MIX=gsm
#   BENCH_REF / BENCH_SRC / BENCH_NO_BUILD / BENCH_OUT / BENCH_PG_OPTIONS as for rest-bench.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SILOS=${SILOS:-1 2 3}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
CONCURRENCY=${CONCURRENCY:-64}
MIX=${MIX:-gsm}

psql_bench() { PGPASSWORD=taifa psql -h 127.0.0.1 -U taifa -d "$database" -qAt -F ' ' -c "$1"; }
pg_counters() { psql_bench "select xact_commit, tup_inserted, tup_updated from pg_stat_database where datname = current_database()"; }
balance() { curl -fsS --max-time 10 -H "Authorization: Bearer $ADMIN_TOKEN" "${urls[0]}/v2/admin/accounts/$1" | jq -r .credit_balance; }
# connections_of PID: established TCP connections from that process to PostgreSQL.
connections_of() { ss -Htnp state established '( dport = :5432 )' 2>/dev/null | grep -c "pid=$1," || true; }

bench_workspace cluster
pids=()
urls=()
stop_all() {
  local pid
  for pid in "${pids[@]}"; do GATEWAY_PID=$pid; stop_gateway; done
  pids=(); urls=()
}
release_on_exit stop_all

build_release
create_bench_database
connection="Host=127.0.0.1;Username=taifa;Password=taifa;Database=$database${BENCH_PG_OPTIONS:+;$BENCH_PG_OPTIONS}"
BENCH_ADMIN_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export BENCH_ADMIN_TOKEN

echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); source $(bench_source)"
echo "REST, $CONCURRENCY connections in total split over the silos, ${WARMUP} s warm-up + ${DURATION} s, mix $MIX"
: >"$out/results.jsonl"
failed=0
for silos in $SILOS; do
  stop_all
  for i in $(seq 1 "$silos"); do
    start_gateway "$out/silo-$silos-$i.log" "$connection"
    pids+=("$GATEWAY_PID"); urls+=("$GATEWAY_URL")
    wait_healthy 180 "$out/silo-$silos-$i.log"
  done
  # Every silo must see the others before the load starts (Orleans membership in PostgreSQL).
  for _ in $(seq 1 120); do
    active=$(psql_bench "select count(*) from orleansmembershiptable where status = 3 and address = '127.0.0.1'" 2>/dev/null || echo 0)
    [ "$active" -ge "$silos" ] && break
    sleep 1
  done

  # What the idle cluster commits by itself (membership, reminders, stream polling), subtracted below.
  read -r idle_commits0 _ _ < <(pg_counters)
  sleep 10
  read -r idle_commits1 _ _ < <(pg_counters)
  idle_per_s=$(( (idle_commits1 - idle_commits0) / 10 ))

  per_silo=$(( (CONCURRENCY + silos - 1) / silos ))
  accounts=(); tools=()
  for i in $(seq 0 $((silos - 1))); do
    account=$(curl -fsS --max-time 10 -X POST "${urls[$i]}/v2/admin/accounts" -H "Authorization: Bearer $ADMIN_TOKEN" \
      -H "Content-Type: application/json" \
      -d "{\"name\": \"cluster-bench $silos/$i\", \"credit_balance\": \"10000000.00\", \"sender_ids\": [\"C${silos}S$i\"]}")
    accounts+=("$(jq -r .account_id <<<"$account")")
    GATEWAY_URL=${urls[$i]} run_loadtest $((WARMUP + DURATION + 240)) --api-key "$(jq -r .api_key <<<"$account")" \
      --sender-id "C${silos}S$i" --concurrency "$per_silo" --warmup "$WARMUP" --duration "$DURATION" --message-mix "$MIX" \
      --summary-file "$out/run-$silos-$i.json" >"$out/run-$silos-$i.txt" 2>&1 &
    tools+=("$!")
  done

  # The measured window, as PostgreSQL and the wallets saw it (before verification adds its status look-ups).
  sleep "$WARMUP"
  read -r commits0 inserts0 updates0 < <(pg_counters)
  balances0=(); for a in "${accounts[@]}"; do balances0+=("$(balance "$a")"); done
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  sleep $((DURATION / 2))
  connections=(); for pid in "${pids[@]}"; do connections+=("$(connections_of "$pid")"); done
  sleep $((DURATION - DURATION / 2))
  read -r commits1 inserts1 updates1 < <(pg_counters)
  balances1=(); for a in "${accounts[@]}"; do balances1+=("$(balance "$a")"); done
  drop=0; for i in "${!accounts[@]}"; do drop=$(awk -v d="$drop" -v a="${balances0[$i]}" -v b="${balances1[$i]}" 'BEGIN { print d + a - b }'); done

  verified=true
  for i in "${!tools[@]}"; do
    if ! wait "${tools[$i]}"; then verified=false; failed=1; fi
  done
  rate=$(jq -s 'map(.accepted_per_s) | add' "$out"/run-"$silos"-*.json)
  p99=$(jq -s 'map(.p99_ms) | max' "$out"/run-"$silos"-*.json)
  line=$(jq -nc --argjson silos "$silos" --argjson rate "$rate" --argjson p99 "$p99" --argjson verified "$verified" \
    --argjson accepted "$drop" --argjson commits $((commits1 - commits0)) --argjson inserts $((inserts1 - inserts0)) \
    --argjson updates $((updates1 - updates0)) --arg connections "${connections[*]}" --arg load "$load_before" \
    --arg load_after "$(cut -d' ' -f1 /proc/loadavg)" --argjson seconds "$DURATION" --argjson idle "$idle_per_s" '
    { silos: $silos, accepted_per_s: $rate, worst_p99_ms: $p99, verified: $verified,
      window_accepted: $accepted, commits_per_message: ($commits / ([$accepted, 1] | max)),
      idle_commits_per_s: $idle, load_commits_per_message: (($commits - $idle * $seconds) / ([$accepted, 1] | max)),
      inserts_per_message: ($inserts / ([$accepted, 1] | max)), updates_per_message: ($updates / ([$accepted, 1] | max)),
      commits_per_s: ($commits / $seconds), pg_connections_per_silo: ($connections | split(" ") | map(tonumber)),
      load_before: ($load | tonumber), load_after: ($load_after | tonumber) }')
  echo "$line" >>"$out/results.jsonl"
  jq -r '"\(.silos) silo(s): \(.accepted_per_s | floor) accepted sends/s (sum over silos), worst p99 \(.worst_p99_ms) ms, verified \(.verified); in the window: \(.window_accepted) accepted, \(.commits_per_message * 100 | round / 100) commits (\(.load_commits_per_message * 100 | round / 100) above the idle cluster at \(.idle_commits_per_s)/s), \(.inserts_per_message * 100 | round / 100) inserts, \(.updates_per_message * 100 | round / 100) updates per message, \(.commits_per_s | floor) commits/s; PostgreSQL connections per silo \(.pg_connections_per_silo); load \(.load_before) -> \(.load_after)"' <<<"$line"
done
jq -sc . "$out/results.jsonl"
if [ -n "$keep_out" ]; then echo "Logs and summaries: $out"; fi
exit "$failed"
