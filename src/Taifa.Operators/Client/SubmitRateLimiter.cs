namespace Taifa.Operators.Client;

/// <summary>
/// A token bucket: <c>ratePerSecond</c> tokens a second, holding at most <c>burst</c>. A caller takes a token at once
/// when one is there, otherwise reserves the next one and waits until it has accrued, so waiters are served in
/// arrival order. Thread-safe.
/// </summary>
internal sealed class SubmitRateLimiter
{
    private readonly double _ratePerSecond;
    private readonly double _burst;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _lock = new();
    private double _tokens;
    private long _refilledAt;

    public SubmitRateLimiter(double ratePerSecond, double burst, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _ratePerSecond = ratePerSecond;
        _burst = burst;
        _timeProvider = timeProvider;
        _tokens = burst;
        _refilledAt = timeProvider.GetTimestamp();
    }

    /// <summary>The bucket for <see cref="OperatorBindOptions.MaxSubmitsPerSecond"/>, or null for no limit.</summary>
    public static SubmitRateLimiter? For(double maxPerSecond, TimeProvider timeProvider) =>
        maxPerSecond > 0 ? new SubmitRateLimiter(maxPerSecond, Math.Max(1, Math.Floor(maxPerSecond / 10)), timeProvider) : null;

    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (_lock)
        {
            var now = _timeProvider.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + (_timeProvider.GetElapsedTime(_refilledAt, now).TotalSeconds * _ratePerSecond));
            _refilledAt = now;
            _tokens -= 1;
            if (_tokens >= 0)
            {
                return;
            }

            wait = TimeSpan.FromSeconds(-_tokens / _ratePerSecond);
        }

        try
        {
            await Task.Delay(wait, _timeProvider, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                _tokens += 1;
            }

            throw;
        }
    }
}
