namespace Taifa.Abstractions.Messages;

/// <summary>
/// The one place in the cluster (key 0) that walks the ledger for work whose time has come: scheduled messages due
/// (every second), queued messages past their validity and follow-ups a dead silo left behind (every 5 s). Every silo
/// pings it, so it is back within seconds after its silo died.
/// </summary>
[Alias("taifa.ILedgerSweepsGrain")]
public interface ILedgerSweepsGrain : IGrainWithIntegerKey
{
    [Alias("EnsureRunning")]
    Task EnsureRunning();
}
