using Taifa.Grains.Ledger;

namespace Taifa.Silo.Dispatch;

/// <summary>
/// The durable queue's depth for <c>/v2/sms/health</c> and the <c>taifa.queue_depth</c> gauge: the ledger's count of
/// queued rows (<see cref="IMessageLedger.CountQueued"/>), so it is the same on every silo and exact after any silo
/// died. Counted at most once per <see cref="Freshness"/> however often it is asked; callers meanwhile share that count.
/// </summary>
public sealed class QueueDepth(IMessageLedger ledger, TimeProvider time)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private Task<long>? _counting;
    private DateTimeOffset _countedAt = DateTimeOffset.MinValue;
    private long _last;

    /// <summary>The last count, starting a new one when it is stale: for the gauge, which cannot wait.</summary>
    public long Last
    {
        get
        {
            _ = Read().ContinueWith(static t => t.Exception, TaskScheduler.Default);
            return Interlocked.Read(ref _last);
        }
    }

    public Task<long> Read()
    {
        lock (_lock)
        {
            if (_counting is { IsCompleted: false } running) return running;
            if (_counting is { IsCompletedSuccessfully: true } && time.GetUtcNow() - _countedAt < Freshness) return _counting;
            _countedAt = time.GetUtcNow();
            return _counting = Count();
        }
    }

    private async Task<long> Count()
    {
        var count = await ledger.CountQueued().ConfigureAwait(false);
        Interlocked.Exchange(ref _last, count);
        return count;
    }
}
