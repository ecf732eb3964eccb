using System.Globalization;
using System.Text;
using System.Text.Json;
using Taifa.LoadTest.Verification;

namespace Taifa.LoadTest.Reporting;

/// <summary>The outcome of a run: a human table and one machine-readable JSON line (the last line of output).</summary>
public sealed record LoadReport(string Mode, string Shape, LoadOptions Options, LoadRun Run, LedgerVerifier.Result Verification, long QueueDepth, TimeSpan ToolCpu)
{
    public double AcceptedPerSecond => Run.WindowAccepted / Run.Duration.TotalSeconds;

    public double RequestsPerSecond => Run.WindowRequests / Run.Duration.TotalSeconds;

    /// <summary>The load tool's own CPU per request, warm-up included: 1,000,000 / this is its ceiling per core.</summary>
    public double ToolCpuMicrosPerRequest => Run.Requests == 0 ? 0 : Math.Round(ToolCpu.TotalMicroseconds / Run.Requests, 2);

    public string ToJson()
    {
        var latency = Run.Latency;
        var summary = new Dictionary<string, object>
        {
            ["tool"] = "taifa-loadtest",
            ["mode"] = Mode,
            ["url"] = Options.Url.ToString(),
            ["concurrency"] = Options.Concurrency,
            ["recipients"] = Options.Recipients,
            ["message_mix"] = Options.MessageMix.ToString().ToLowerInvariant(),
            ["warmup_s"] = Options.Warmup.TotalSeconds,
            ["duration_s"] = Options.Duration.TotalSeconds,
            ["accepted_per_s"] = Math.Round(AcceptedPerSecond, 1),
            ["requests_per_s"] = Math.Round(RequestsPerSecond, 1),
            ["p50_ms"] = Milliseconds(latency.Percentile(50)),
            ["p90_ms"] = Milliseconds(latency.Percentile(90)),
            ["p99_ms"] = Milliseconds(latency.Percentile(99)),
            ["max_ms"] = Milliseconds(latency.Max),
            ["mean_ms"] = Milliseconds(latency.Mean),
            ["measured_requests"] = Run.WindowRequests,
            ["total_requests"] = Run.Requests,
            ["accepted_total"] = Run.Accepted.Count,
            ["status_counts"] = Run.StatusCounts.OrderBy(s => s.Key, StringComparer.Ordinal).ToDictionary(s => s.Key, s => s.Value),
            ["transport_errors"] = Run.TransportErrors.OrderBy(s => s.Key, StringComparer.Ordinal).ToDictionary(s => s.Key, s => s.Value),
            ["balance_before"] = Money(Verification.BalanceBefore),
            ["balance_after"] = Money(Verification.BalanceAfter),
            ["debited"] = Money(Verification.BalanceBefore - Verification.BalanceAfter),
            ["accepted_cost"] = Money(Verification.AcceptedCost),
            ["status_lookups"] = Verification.LookedUp,
            ["status_found"] = Verification.Found,
            ["queue_depth_after"] = QueueDepth,
            ["tool_cpu_us_per_request"] = ToolCpuMicrosPerRequest,
            ["binds"] = Mode == "smpp" ? Options.Binds : 0,
            ["window"] = Mode == "smpp" ? Options.Window : 0,
            ["verified"] = Verification.WasSkipped ? "skipped" : Verification.Passed,
            ["problems"] = Verification.Problems,
        };
        return JsonSerializer.Serialize(summary);
    }

    public string ToTable()
    {
        var latency = Run.Latency;
        var text = new StringBuilder();
        void Row(string name, string value) => text.Append(CultureInfo.InvariantCulture, $"  {name,-26} {value}\n");

        text.Append(CultureInfo.InvariantCulture, $"Taifa load test — {Mode}: {Shape}\n");
        text.Append(CultureInfo.InvariantCulture, $"  warm-up {Options.Warmup.TotalSeconds:0} s, measured {Options.Duration.TotalSeconds:0} s against {Options.Url}\n\n");
        Row("accepted sends/s", AcceptedPerSecond.ToString("0.0", CultureInfo.InvariantCulture));
        Row("requests/s", RequestsPerSecond.ToString("0.0", CultureInfo.InvariantCulture));
        Row("latency p50 / p90 / p99", $"{Milliseconds(latency.Percentile(50))} / {Milliseconds(latency.Percentile(90))} / {Milliseconds(latency.Percentile(99))} ms");
        Row("latency max / mean", $"{Milliseconds(latency.Max)} / {Milliseconds(latency.Mean)} ms");
        Row("requests measured / total", $"{Run.WindowRequests} / {Run.Requests}");
        foreach (var (code, count) in Run.StatusCounts.OrderBy(s => s.Key, StringComparer.Ordinal)) Row($"status_code {code}", count.ToString(CultureInfo.InvariantCulture));
        foreach (var (kind, count) in Run.TransportErrors.OrderBy(s => s.Key, StringComparer.Ordinal)) Row($"transport error {kind}", count.ToString(CultureInfo.InvariantCulture));
        if (Run.TransportErrors.Count == 0) Row("transport errors", "0");
        text.Append('\n');
        Row("balance before / after", $"{Money(Verification.BalanceBefore)} / {Money(Verification.BalanceAfter)}");
        Row("debited / accepted cost", $"{Money(Verification.BalanceBefore - Verification.BalanceAfter)} / {Money(Verification.AcceptedCost)}");
        Row("status look-ups found", $"{Verification.Found} of {Verification.LookedUp} (of {Run.Accepted.Count} accepted)");
        Row("queue_depth after run", QueueDepth.ToString(CultureInfo.InvariantCulture));
        Row("load tool CPU / request", $"{ToolCpuMicrosPerRequest.ToString("0.00", CultureInfo.InvariantCulture)} µs");
        Row("verification", Verification.WasSkipped ? "SKIPPED (--no-verify)" : Verification.Passed ? "PASSED: accepted = recorded = debited" : "FAILED");
        foreach (var problem in Verification.Problems) Row("  problem", problem);
        return text.ToString();
    }

    private static double Milliseconds(TimeSpan span) => Math.Round(span.TotalMilliseconds, 2);

    private static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);
}
