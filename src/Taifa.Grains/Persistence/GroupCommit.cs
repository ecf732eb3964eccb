namespace Taifa.Grains.Persistence;

/// <summary>
/// Batches concurrent state changes of one reentrant grain into as few durable writes as possible.
/// A caller mutates the live state synchronously, then awaits <see cref="Commit"/>, which completes
/// only after a write that started after the mutation has succeeded. While one write is in flight,
/// every change made meanwhile joins the next write. Must be used from the grain's own scheduler.
/// </summary>
/// <param name="write">Makes the live state durable.</param>
/// <param name="failureIsFinal">True when a failed write leaves the live state holding changes that only a reload can
/// undo (the grain must be discarded); false when the next write can simply try again (it rewrites what is live).</param>
internal sealed class GroupCommit(Func<Task> write, bool failureIsFinal = true)
{
    private TaskCompletionSource? _next;
    private bool _writing;
    private Exception? _failure;

    /// <summary>Set after a failed write: the live state may hold changes storage never saw.</summary>
    public bool Failed => _failure is not null;

    public Task Commit()
    {
        if (_failure is not null) return Task.FromException(_failure);
        _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var covering = _next.Task;
        if (!_writing) _ = WriteLoop();
        return covering;
    }

    private async Task WriteLoop()
    {
        _writing = true;
        try
        {
            while (_next is { } batch)
            {
                _next = null;
                try
                {
                    await write();
                    batch.SetResult();
                }
                catch (Exception exception)
                {
                    batch.SetException(exception);
                    if (!failureIsFinal) continue;
                    _failure = exception;
                    _next?.SetException(exception);
                    _next = null;
                }
            }
        }
        finally
        {
            _writing = false;
        }
    }
}
