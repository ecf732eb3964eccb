using Taifa.Abstractions.Messages;

namespace Taifa.Grains.Messages;

public sealed class QueueDepthGrain(TimeProvider time) : Grain, IQueueDepthGrain
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(15);
    private readonly Dictionary<string, (long Queued, DateTimeOffset At)> _reports = new(StringComparer.Ordinal);

    public Task Report(string silo, long queued)
    {
        _reports[silo] = (queued, time.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task<long> Total()
    {
        var cutoff = time.GetUtcNow() - Freshness;
        foreach (var stale in _reports.Where(r => r.Value.At < cutoff).Select(r => r.Key).ToList()) _reports.Remove(stale);
        return Task.FromResult(Math.Max(0, _reports.Values.Sum(r => r.Queued)));
    }
}
