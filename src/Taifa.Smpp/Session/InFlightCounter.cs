namespace Taifa.Smpp.Session;

/// <summary>
/// Counts work in flight (submits taken and not yet answered) and tells a waiter when none is left, without polling.
/// Thread-safe; <see cref="Enter"/> and <see cref="Exit"/> cost one interlocked operation each while work overlaps.
/// </summary>
public sealed class InFlightCounter
{
    private int _count;
    private TaskCompletionSource? _idle;

    public int Count => Volatile.Read(ref _count);

    public void Enter() => Interlocked.Increment(ref _count);

    public void Exit()
    {
        if (Interlocked.Decrement(ref _count) == 0) Interlocked.Exchange(ref _idle, null)?.TrySetResult();
    }

    /// <summary>Completes when the count is zero: at once if it is now.</summary>
    public Task WhenIdle()
    {
        while (true)
        {
            var idle = Volatile.Read(ref _idle);
            if (idle is null)
            {
                var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (Interlocked.CompareExchange(ref _idle, fresh, null) is not null) continue;
                idle = fresh;
            }

            // Checked after the signal is in place, so an Exit between the two cannot be missed.
            if (Volatile.Read(ref _count) != 0) return idle.Task;
            if (Interlocked.CompareExchange(ref _idle, null, idle) == idle) idle.TrySetResult();
            return Task.CompletedTask;
        }
    }
}
