# Shared by the bench scripts: build, start and stop one gateway on loopback, run the load tool.
# Sourced, not run. Every process it starts is remembered by PID and stopped by stop_gateway.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# BENCH_SRC: the source tree to build and run (default this checkout).
BENCH_SRC="${BENCH_SRC:-$BENCH_ROOT}"
GATEWAY_PID=""
BENCH_EXPORT=""

bench_log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# Builds the gateway and the load tool (Release) from the working tree, or, with BENCH_REF=<commit>, from that
# commit exported to a temporary directory (a reproducible build that ignores uncommitted work in the checkout).
# BENCH_NO_BUILD=1 skips building the working tree when the caller has just built it.
build_release() {
  if [ -n "${BENCH_REF:-}" ]; then
    BENCH_EXPORT=$(mktemp -d)
    BENCH_SRC="$BENCH_EXPORT"
    # Resolved once: a ref such as HEAD may move while a long benchmark runs.
    BENCH_REF=$(git -C "$BENCH_ROOT" rev-parse "$BENCH_REF")
    bench_log "exporting $(git -C "$BENCH_ROOT" rev-parse --short "$BENCH_REF") to $BENCH_SRC"
    git -C "$BENCH_ROOT" archive "$BENCH_REF" | tar -x -C "$BENCH_SRC"
  fi
  SILO_DLL="$BENCH_SRC/src/Taifa.Silo/bin/Release/net10.0/Taifa.Silo.dll"
  LOADTEST_DLL="$BENCH_SRC/tests/Taifa.LoadTest/bin/Release/net10.0/Taifa.LoadTest.dll"
  if [ "${BENCH_NO_BUILD:-0}" = 1 ] && [ -z "$BENCH_EXPORT" ] && [ -f "$SILO_DLL" ] && [ -f "$LOADTEST_DLL" ]; then return; fi
  bench_log "building Release"
  dotnet build -c Release "$BENCH_SRC/src/Taifa.Silo" --nologo -v quiet -clp:"ErrorsOnly;NoSummary" >&2
  dotnet build -c Release "$BENCH_SRC/tests/Taifa.LoadTest" --nologo -v quiet -clp:"ErrorsOnly;NoSummary" >&2
}

# What is being measured: the commit, and whether uncommitted work in src/ is part of it.
bench_source() {
  if [ -n "${BENCH_REF:-}" ]; then echo "$(git -C "$BENCH_ROOT" rev-parse --short "$BENCH_REF") (exported)"
  elif [ "$BENCH_SRC" != "$BENCH_ROOT" ]; then echo "the tree in $BENCH_SRC"
  elif [ -n "$(git -C "$BENCH_ROOT" status --porcelain -- src)" ]; then echo "$(git -C "$BENCH_ROOT" rev-parse --short HEAD) + uncommitted changes in src/"
  else git -C "$BENCH_ROOT" rev-parse --short HEAD
  fi
}

# Removes what build_release exported; call from the EXIT trap.
remove_export() {
  if [ -n "$BENCH_EXPORT" ]; then rm -rf "$BENCH_EXPORT"; fi
}

# A TCP port nobody listens on, so that runs beside other gateways or test clusters do not collide: above the
# kernel's ephemeral range (32768-60999, where outgoing connections take theirs) and the test suites' (10000-31999).
free_port() {
  local port high
  high=$(cut -f2 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 60999)
  for _ in $(seq 1 200); do
    port=$((high + 1 + RANDOM % (65535 - high)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "free_port: no free port found" >&2
  return 1
}

# start_gateway LOGFILE [CONNECTION_STRING]: the gateway on loopback, embedded mode without a connection string.
# Sets GATEWAY_URL, ADMIN_TOKEN and SMPP_PORT (0 = listener off; BENCH_SMPP=1 opens it on a free port).
# Extra gateway settings pass through the environment (e.g. Serilog__MinimumLevel__Default).
start_gateway() {
  local log=$1 connection=${2:-}
  local http_port silo_port gateway_port
  http_port=$(free_port); silo_port=$(free_port); gateway_port=$(free_port)
  SMPP_PORT=0
  if [ "${BENCH_SMPP:-0}" = 1 ]; then SMPP_PORT=$(free_port); fi
  GATEWAY_URL="http://127.0.0.1:$http_port"
  # BENCH_ADMIN_TOKEN: one token for every gateway a script starts (the silos of one cluster).
  ADMIN_TOKEN=${BENCH_ADMIN_TOKEN:-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}
  local mode=embedded
  if [ -n "$connection" ]; then mode=PostgreSQL; fi
  bench_log "starting gateway on $GATEWAY_URL ($mode mode), log $log"
  ASPNETCORE_URLS="$GATEWAY_URL" \
  Taifa__AdminToken="$ADMIN_TOKEN" \
  Taifa__Smpp__Port="$SMPP_PORT" \
  Taifa__Demo__Enabled=false \
  Orleans__Endpoints__SiloPort="$silo_port" \
  Orleans__Endpoints__GatewayPort="$gateway_port" \
  Orleans__Endpoints__AdvertisedIPAddress=127.0.0.1 \
  ConnectionStrings__Taifa="$connection" \
    dotnet "$SILO_DLL" >"$log" 2>&1 &
  GATEWAY_PID=$!
}

# wait_healthy SECONDS: until GET /v2/sms/health answers, or fail (showing the gateway log's tail).
wait_healthy() {
  local deadline=$((SECONDS + $1))
  while [ $SECONDS -lt $deadline ]; do
    if ! kill -0 "$GATEWAY_PID" 2>/dev/null; then
      bench_log "gateway exited during start-up"; tail -n 30 "$2" >&2; return 1
    fi
    if curl -fsS --max-time 2 "$GATEWAY_URL/v2/sms/health" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  bench_log "gateway not healthy after $1 s"; tail -n 30 "$2" >&2
  return 1
}

stop_gateway() {
  [ -n "$GATEWAY_PID" ] || return 0
  if kill -0 "$GATEWAY_PID" 2>/dev/null; then
    kill -TERM "$GATEWAY_PID" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$GATEWAY_PID" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$GATEWAY_PID" 2>/dev/null || true
  fi
  wait "$GATEWAY_PID" 2>/dev/null || true
  GATEWAY_PID=""
}

# run_loadtest TIMEOUT_SECONDS ARGS...: the load tool against the running gateway, bounded in time.
run_loadtest() {
  local limit=$1; shift
  timeout --signal=INT --kill-after=10 "$limit" dotnet "$LOADTEST_DLL" --url "$GATEWAY_URL" --admin-token "$ADMIN_TOKEN" "$@"
}

# cpu_ticks PID...: "pid ticks" lines, CPU time (user + system, in clock ticks) each process has used so far.
cpu_ticks() {
  local pid
  for pid in "$@"; do
    # utime and stime are the 12th and 13th fields after the command name.
    if [ -r "/proc/$pid/stat" ]; then echo "$pid $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')"; fi
  done
}

# cpu_used BEFORE AFTER: ticks used between two cpu_ticks listings by the processes alive at the second
# (a process that exits in between loses its share; one started in between counts in full).
cpu_used() {
  awk 'NR == FNR { before[$1] = $2; next } { used += $2 - (($1 in before) ? before[$1] : 0) } END { print used + 0 }' <(echo "$1") <(echo "$2")
}

# Busy and total clock ticks of the whole machine, from /proc/stat.
machine_ticks() {
  awk '/^cpu / {busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6}' /proc/stat
}

# CPU pressure (share of the last 10 s in which some task waited for a CPU): other work on the machine shows here.
cpu_pressure() {
  if [ -r /proc/pressure/cpu ]; then sed -n 's/^some avg10=\([0-9.]*\).*/\1%/p' /proc/pressure/cpu; else echo "n/a"; fi
}

# A run's workspace: $out (kept when BENCH_OUT is set) and a fresh database $database named after the benchmark.
bench_workspace() {
  keep_out=${BENCH_OUT:+1}
  out=${BENCH_OUT:-$(mktemp -d)}
  mkdir -p "$out"
  database="taifa_$1_$(date +%Y%m%d%H%M%S)_$$"
  created_database=""
}

# Starts PostgreSQL and creates the workspace's database.
create_bench_database() {
  bench_log "starting PostgreSQL"
  "$BENCH_ROOT/infra/local/postgres-up.sh"
  PGPASSWORD=taifa psql -h 127.0.0.1 -U taifa -d postgres -qAtc "create database $database"
  created_database=1
}

# release_on_exit [STEP...]: when the script ends (or is interrupted), runs each STEP (a command of the calling
# script, e.g. one that stops what else it started), then stops the gateway and releases the workspace.
release_on_exit() {
  BENCH_EXIT_STEPS=("$@")
  trap bench_exit EXIT
  trap 'exit 130' INT TERM
}

bench_exit() {
  local step
  for step in "${BENCH_EXIT_STEPS[@]}"; do "$step"; done
  stop_gateway
  release_workspace
}

# Drops the database, the exported sources and (unless kept) the output folder. Safe to call from a trap at any point.
release_workspace() {
  if [ -n "${created_database:-}" ]; then
    PGPASSWORD=taifa psql -h 127.0.0.1 -U taifa -d postgres -qAtc "drop database if exists $database" >/dev/null 2>&1 || true
  fi
  remove_export
  if [ -z "${keep_out:-}" ]; then rm -rf "$out"; fi
}
