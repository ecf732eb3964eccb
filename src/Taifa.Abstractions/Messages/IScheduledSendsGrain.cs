namespace Taifa.Abstractions.Messages;

/// <summary>
/// The one place in the cluster (key 0) that gives scheduled messages back to their accounts when their time comes,
/// reading the due ones from the ledger every second. Every silo pings it, so it is back within seconds after its silo died.
/// </summary>
[Alias("taifa.IScheduledSendsGrain")]
public interface IScheduledSendsGrain : IGrainWithIntegerKey
{
    [Alias("EnsureRunning")]
    Task EnsureRunning();
}
