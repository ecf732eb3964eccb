using BenchmarkDotNet.Running;

// infra/bench/micro-bench.sh runs these in Release: BenchmarkDotNet's own arguments (--filter, --job, ...) pass through.
BenchmarkSwitcher.FromAssembly(typeof(Taifa.Benchmarks.SmppCodecBenchmarks).Assembly).Run(args);
