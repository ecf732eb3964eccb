#!/usr/bin/env bash
# Starts a local two-silo Taifa cluster against the machine's PostgreSQL, for a human to try: silo A on
# HTTP 8081 / SMPP 2776, silo B on HTTP 8082 / SMPP 2777, one database (taifa_cluster, created if missing).
# Runs for at most the given number of seconds (default 600), or until Ctrl-C; both silos are then sent SIGTERM
# (and SIGKILL if they have not drained 30 s later). Logs: $TAIFA_CLUSTER_DIR/{a,b}.log.
# Usage: infra/local/two-silos.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${1:-600}"
dir="${TAIFA_CLUSTER_DIR:-${TMPDIR:-/tmp}/taifa-two-silos}"
database="${TAIFA_CLUSTER_DATABASE:-taifa_cluster}"
admin_token="${Taifa__AdminToken:-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
pg="Host=127.0.0.1;Port=5432;Username=taifa;Password=taifa"

infra/local/postgres-up.sh
if ! PGPASSWORD=taifa psql -h 127.0.0.1 -U taifa -d taifa -qAtc "select 1 from pg_database where datname = '$database'" | grep -q 1; then
  PGPASSWORD=taifa psql -h 127.0.0.1 -U taifa -d taifa -qc "create database $database"
fi

echo "== Publishing src/Taifa.Silo to $dir/silo"
dotnet publish src/Taifa.Silo -c Release -o "$dir/silo" --nologo -v quiet

pids=()
stop() {
  trap - EXIT INT TERM
  [ "${#pids[@]}" = 0 ] && return
  echo "== Stopping silos (SIGTERM): ${pids[*]}"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 300); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return
    sleep 0.1
  done
  echo "== Still running after 30 s: SIGKILL"
  kill -KILL "${pids[@]}" 2>/dev/null || true
}
trap stop EXIT INT TERM

start_silo() { # name http smpp silo-port gateway-port
  ASPNETCORE_URLS="http://127.0.0.1:$2" Taifa__Smpp__Port="$3" Taifa__AdminToken="$admin_token" \
  ConnectionStrings__Taifa="$pg;Database=$database" \
  Orleans__ClusterId=taifa-local Orleans__ServiceId=taifa-local \
  Orleans__Endpoints__SiloPort="$4" Orleans__Endpoints__GatewayPort="$5" Orleans__Endpoints__AdvertisedIPAddress=127.0.0.1 \
    dotnet "$dir/silo/Taifa.Silo.dll" >"$dir/$1.log" 2>&1 &
  pids+=("$!")
}

start_silo a 8081 2776 11111 30000
start_silo b 8082 2777 11112 30001

for port in 8081 8082; do
  for i in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ready")" = 200 ] && break
    if [ "$i" = 600 ]; then echo "silo on port $port not ready after 120 s; see $dir/*.log" >&2; exit 1; fi
    sleep 0.2
  done
done

cat <<INFO
== Two silos ready (database $database, logs in $dir)
   silo A: http://127.0.0.1:8081  SMPP 127.0.0.1:2776
   silo B: http://127.0.0.1:8082  SMPP 127.0.0.1:2777
   admin token: $admin_token
   Open an account on A and spend from it on B:
     curl -X POST http://127.0.0.1:8081/v2/admin/accounts -H "Authorization: Bearer $admin_token" \\
       -H "Content-Type: application/json" -d '{"name": "Acme", "credit_balance": "100.00", "sender_ids": ["ACME"]}'
     curl -X POST http://127.0.0.1:8082/v2/sms/sendsms -H "h_api_key: <api_key>" -H "Content-Type: application/json" \\
       -d '{"mobile": "0702739804", "sender_name": "ACME", "message": "Hello"}'
   Stopping in $seconds s, or on Ctrl-C.
INFO
sleep "$seconds" &
wait "$!" || true
