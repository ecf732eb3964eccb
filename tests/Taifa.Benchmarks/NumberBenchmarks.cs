using BenchmarkDotNet.Attributes;
using Taifa.Domain.Numbers;

namespace Taifa.Benchmarks;

/// <summary>Recipient normalisation and operator lookup, once per recipient of every send.</summary>
[MemoryDiagnoser]
public class NumberBenchmarks
{
    [Params("0702739804", "+254 702-739-804", "254110123456")]
    public string Input { get; set; } = "0702739804";

    private string _normalized = string.Empty;

    [GlobalSetup]
    public void Setup() => MobileNumber.TryNormalize(Input, out _normalized);

    [Benchmark]
    public bool Normalize() => MobileNumber.TryNormalize(Input, out _);

    [Benchmark]
    public int? Lookup() => NumberingPlan.Kenya.Lookup(_normalized)?.Id;

    /// <summary>What the intake does per recipient: normalise, then find the operator.</summary>
    [Benchmark]
    public int? NormalizeAndLookup() => MobileNumber.TryNormalize(Input, out var number) ? NumberingPlan.Kenya.Lookup(number)?.Id : null;
}
