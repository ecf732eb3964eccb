using System.Collections.Concurrent;
using System.Diagnostics;
using Taifa.LoadTest.Gateway;

namespace Taifa.LoadTest.Reporting;

/// <summary>
/// Everything one run observed, fed by whichever mode drives the load. Latency and throughput count only
/// answers that arrive inside the measured window (after warm-up, before the deadline); the ledger of
/// accepted messages and the status counts cover the whole run, because verification must account for every debit.
/// </summary>
public sealed class LoadRun
{
    private readonly long _measureFrom;
    private readonly long _measureUntil;
    private readonly Lock _ledgerLock = new();
    private readonly List<AcceptedMessage> _accepted = [];
    private readonly ConcurrentDictionary<string, long> _statusCounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _transportErrors = new(StringComparer.Ordinal);
    private decimal _acceptedCost;
    private long _windowRequests;
    private long _windowAccepted;
    private long _requests;
    private long _unknownOutcomes;
    private long _refused;

    public readonly record struct AcceptedMessage(long MessageId, decimal Cost);

    public LoadRun(TimeSpan warmup, TimeSpan duration)
    {
        var start = Stopwatch.GetTimestamp();
        _measureFrom = start + ToTicks(warmup);
        _measureUntil = _measureFrom + ToTicks(duration);
        Duration = duration;
    }

    public TimeSpan Duration { get; }

    public LatencyRecorder Latency { get; } = new();

    /// <summary>Modes stop starting new work once this is true; work already in flight still completes and is recorded.</summary>
    public bool IsOver => Stopwatch.GetTimestamp() >= _measureUntil;

    public TimeSpan UntilOver => Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _measureUntil);

    public long Requests => Interlocked.Read(ref _requests);

    public long WindowRequests => Interlocked.Read(ref _windowRequests);

    public long WindowAccepted => Interlocked.Read(ref _windowAccepted);

    /// <summary>Requests that failed in transport: the gateway may or may not have accepted them.</summary>
    public long UnknownOutcomes => Interlocked.Read(ref _unknownOutcomes);

    /// <summary>Sends (REST recipients or submit_sm) the gateway answered but did not accept.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public IReadOnlyDictionary<string, long> StatusCounts => _statusCounts;

    public IReadOnlyDictionary<string, long> TransportErrors => _transportErrors;

    public decimal AcceptedCost
    {
        get
        {
            lock (_ledgerLock) return _acceptedCost;
        }
    }

    public IReadOnlyList<AcceptedMessage> Accepted
    {
        get
        {
            lock (_ledgerLock) return [.. _accepted];
        }
    }

    /// <summary>Records an answered request: one outcome per recipient.</summary>
    public void RecordAnswer(long startedAt, IReadOnlyList<SendOutcome> outcomes)
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _requests);
        var accepted = 0;
        lock (_ledgerLock)
        {
            foreach (var outcome in outcomes)
            {
                if (outcome.StatusCode != StatusCodes.Success)
                {
                    Interlocked.Increment(ref _refused);
                    continue;
                }

                accepted++;
                _accepted.Add(new AcceptedMessage(outcome.MessageId, outcome.MessageCost));
                _acceptedCost += outcome.MessageCost;
            }
        }

        foreach (var outcome in outcomes) _statusCounts.AddOrUpdate(outcome.StatusCode, 1, (_, n) => n + 1);
        if (!InWindow(now)) return;
        Latency.Record(Stopwatch.GetElapsedTime(startedAt, now));
        Interlocked.Increment(ref _windowRequests);
        Interlocked.Add(ref _windowAccepted, accepted);
    }

    /// <summary>
    /// Records one submit_sm_resp (or generic_nack) of the SMPP mode: its command_status under
    /// <paramref name="status"/>, and when accepted the message id it carried and the one part it bills.
    /// </summary>
    public void RecordSubmitResp(long sentAt, long arrivedAt, string status, bool accepted, long messageId, decimal cost)
    {
        Interlocked.Increment(ref _requests);
        if (accepted)
        {
            lock (_ledgerLock)
            {
                _accepted.Add(new AcceptedMessage(messageId, cost));
                _acceptedCost += cost;
            }
        }
        else
        {
            Interlocked.Increment(ref _refused);
        }

        _statusCounts.AddOrUpdate(status, 1, static (_, n) => n + 1);
        if (!InWindow(arrivedAt)) return;
        Latency.Record(Stopwatch.GetElapsedTime(sentAt, arrivedAt));
        Interlocked.Increment(ref _windowRequests);
        if (accepted) Interlocked.Increment(ref _windowAccepted);
    }

    /// <summary>Records a request that got no usable answer (connection error, timeout, non-200).</summary>
    public void RecordTransportError(Exception exception)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _unknownOutcomes);
        var kind = exception switch
        {
            HttpRequestException { StatusCode: { } status } => $"http_{(int)status}",
            HttpRequestException { HttpRequestError: var error } => error.ToString(),
            TaskCanceledException or OperationCanceledException => "timeout",
            _ => exception.GetType().Name,
        };
        _transportErrors.AddOrUpdate(kind, 1, (_, n) => n + 1);
    }

    private bool InWindow(long timestamp) => timestamp >= _measureFrom && timestamp < _measureUntil;

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
