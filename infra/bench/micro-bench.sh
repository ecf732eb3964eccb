#!/usr/bin/env bash
# BenchmarkDotNet micro-benchmarks (tests/Taifa.Benchmarks): SMPP codec, GSM-7/UCS-2 and part counting, number
# normalisation, each with allocations per operation (MemoryDiagnoser). Release build, in process; BenchmarkDotNet's
# short job unless a --job is given. Results (Markdown, CSV) go to $BENCH_OUT (default /tmp/taifa-micro-bench).
#
# Usage: infra/bench/micro-bench.sh [--filter '*Codec*'] [any BenchmarkDotNet argument]
#   infra/bench/micro-bench.sh                          # everything, short job (about 5 min on 2 cores)
#   infra/bench/micro-bench.sh --filter '*Decode*'      # one group
#   infra/bench/micro-bench.sh --job dry                # one invocation each: a smoke check, numbers meaningless
#   infra/bench/micro-bench.sh --job default            # BenchmarkDotNet's full statistics (slow)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${BENCH_OUT:-/tmp/taifa-micro-bench}

args=("$@")
has() { local a; for a in "${args[@]}"; do [ "$a" = "$1" ] && return 0; done; return 1; }
has --filter || args+=(--filter '*')
has --job || args+=(--job short)
# In-process toolchain: building BenchmarkDotNet's generated project per job overran its 2-minute build timeout on the
# busy 2-core machine. MemoryDiagnoser counts allocations the same way in process. MICRO_BENCH_OUT_OF_PROCESS=1 to skip.
[ "${MICRO_BENCH_OUT_OF_PROCESS:-0}" = 1 ] || has --inProcess || args+=(--inProcess)

echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), source $(git -C "$root" rev-parse --short HEAD)"
dotnet build -c Release "$root/tests/Taifa.Benchmarks" --nologo -v quiet -clp:"ErrorsOnly;NoSummary"
mkdir -p "$out"
# BenchmarkDotNet builds its child process from the project, which it looks for from the working directory.
cd "$root/tests/Taifa.Benchmarks"
timeout --kill-after=10 "${MICRO_BENCH_TIMEOUT:-1800}" \
  dotnet "$root/tests/Taifa.Benchmarks/bin/Release/net10.0/Taifa.Benchmarks.dll" "${args[@]}" --artifacts "$out" --exporters github csv
echo "Machine after: load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Reports: $out/results/*-report-github.md"
