using System.Globalization;

namespace Taifa.Grains.Dispatch;

/// <summary>
/// Whether one dispatcher shard's route should hand its traffic to the next route of its networks, as a circuit
/// breaker: it fails over once its bind has been down for <see cref="FailoverOptions.BindDownAfter"/>, or once the
/// temporary errors among its recent submits reach <see cref="FailoverOptions.ErrorRate"/>; it takes the traffic
/// back once it has been bound for <see cref="FailoverOptions.RecoverAfter"/> with the error rate under the
/// threshold. While it fails over it submits nothing, so the errors age out of the window and the route is tried
/// again (a route whose errors go on fails over again after <see cref="FailoverOptions.MinSubmits"/> submits).
/// Not thread-safe: one grain activation owns it.
/// </summary>
public sealed class RouteHealth(FailoverOptions options, TimeProvider time)
{
    private readonly Queue<(DateTimeOffset At, bool Failed)> _submits = new();
    private int _failed;
    private DateTimeOffset? _downSince;
    private DateTimeOffset? _boundSince;

    /// <summary>True while the route's traffic should go to the next route.</summary>
    public bool FailingOver { get; private set; }

    public bool IsBound => _boundSince is not null;

    /// <summary>Bound and not failing over: the route can take traffic, its own and other routes'.</summary>
    public bool Healthy => IsBound && !FailingOver;

    /// <summary>Why the route fails over, for the log.</summary>
    public string Reason { get; private set; } = "";

    /// <summary>Records the bind's state now, and re-evaluates; true when <see cref="FailingOver"/> changed.</summary>
    public bool Observe(bool bound)
    {
        var now = time.GetUtcNow();
        if (bound)
        {
            _downSince = null;
            _boundSince ??= now;
        }
        else
        {
            _boundSince = null;
            _downSince ??= now;
        }

        return Evaluate(now);
    }

    /// <summary>One submit's answer: <paramref name="temporaryFailure"/> for a temporary error or no answer.</summary>
    public void Submitted(bool temporaryFailure)
    {
        var now = time.GetUtcNow();
        _submits.Enqueue((now, temporaryFailure));
        if (temporaryFailure) _failed++;
        Evaluate(now);
    }

    private bool Evaluate(DateTimeOffset now)
    {
        while (_submits.TryPeek(out var oldest) && now - oldest.At > options.ErrorWindow)
        {
            if (_submits.Dequeue().Failed) _failed--;
        }

        var erring = _submits.Count >= options.MinSubmits && _failed >= options.ErrorRate * _submits.Count;
        var before = FailingOver;
        if (_downSince is { } down && now - down >= options.BindDownAfter)
        {
            (FailingOver, Reason) = (true, string.Create(CultureInfo.InvariantCulture, $"bind down for {(now - down).TotalSeconds:0} s"));
        }
        else if (erring)
        {
            (FailingOver, Reason) = (true, string.Create(CultureInfo.InvariantCulture, $"{_failed} of the last {_submits.Count} submits failed temporarily"));
        }
        else if (FailingOver && _boundSince is { } bound && now - bound >= options.RecoverAfter)
        {
            (FailingOver, Reason) = (false, "");
        }

        return FailingOver != before;
    }
}
