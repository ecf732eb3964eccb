namespace Taifa.Grains.Messages;

/// <summary>
/// This silo's signed share of the cluster's queue depth: messages accepted here minus messages
/// handed to an operator here. Shares can be negative; their sum over the cluster is the queue.
/// </summary>
public sealed class DispatchBacklog
{
    private long _queued;

    public long Queued => Interlocked.Read(ref _queued);

    public void Accepted(int count) => Interlocked.Add(ref _queued, count);

    public void HandedToOperator(int count) => Interlocked.Add(ref _queued, -count);
}
