#!/usr/bin/env bash
# The whole benchmark suite in one command, on loopback in PostgreSQL mode: each part builds (once), starts
# PostgreSQL, a fresh database, the gateway(s) and the operator simulators it needs, measures, and stops and drops
# everything; this script runs them one after the other and ends with one table of the headline figures
# (docs/benchmarks.md explains each part and its targets).
#
# Usage: infra/bench/suite.sh [--quick]
#   --quick: one short run of each part (minutes, not the ~35 of the full suite); numbers for smoke, not for the report.
# Environment: SUITE_OUT=<dir> keeps every part's full output there (default: a temporary directory, printed at the end).
# Parts: rest-bench, smpp-bench (with the null responder), dispatch-bench, kannel-bench, idle-sessions (10,000 binds).
# Not included (slow, run them on their own): micro-bench.sh, idle-sessions.sh --steady, cluster-bench.sh.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${SUITE_OUT:-$(mktemp -d)}
mkdir -p "$out"

if [ "${1:-}" = --quick ]; then
  export RUNS=1 DURATION=5 WARMUP=2 SESSIONS=500 HOLD=5 SETTLE=3
fi

echo "== build"
source infra/bench/lib.sh
build_release
export BENCH_NO_BUILD=1

run_part() {
  local name=$1; shift
  echo "== $name ($(date +%H:%M:%S), load average $(cut -d' ' -f1-3 /proc/loadavg))"
  "$@" >"$out/$name.txt" 2>&1
  local status=$?
  tail -n 4 "$out/$name.txt" | sed 's/^/   /'
  echo "$name $status" >>"$out/status"
}

: >"$out/status"
run_part rest infra/bench/rest-bench.sh
run_part smpp infra/bench/smpp-bench.sh
run_part dispatch infra/bench/dispatch-bench.sh
run_part kannel infra/bench/kannel-bench.sh
run_part idle-sessions infra/bench/idle-sessions.sh

figure() { grep -m1 -E "$2" "$out/$1.txt" | sed -E "s/^ *//" || echo "(no result: see $out/$1.txt)"; }
echo
echo "| part | headline | exit |"
echo "| --- | --- | --- |"
echo "| REST intake | $(figure rest '^Median of') | $(awk '$1 == "rest" {print $2}' "$out/status") |"
echo "| SMPP intake | $(figure smpp '^Durable \(PostgreSQL\)') · $(figure smpp '^Durable / null') | $(awk '$1 == "smpp" {print $2}' "$out/status") |"
echo "| Dispatch | $(figure dispatch '^Submitted to the simulators') · $(figure dispatch '^queue_depth') | $(awk '$1 == "dispatch" {print $2}' "$out/status") |"
echo "| Kannel side by side | $(figure kannel '^Medians of') · $(figure kannel '^Ratios') | $(awk '$1 == "kannel" {print $2}' "$out/status") |"
echo "| Idle SMPP sessions | $(figure idle-sessions 'sessions requested') · $(figure idle-sessions '^Per session') | $(awk '$1 == "idle-sessions" {print $2}' "$out/status") |"
echo
echo "Full output of every part: $out"
! grep -qv ' 0$' "$out/status"
