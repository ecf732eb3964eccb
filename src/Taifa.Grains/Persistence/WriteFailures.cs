using Orleans.Storage;
using Taifa.Grains.Ledger;

namespace Taifa.Grains.Persistence;

/// <summary>
/// Tells a failed storage write that provably changed nothing (the server refused it, or it never reached the server)
/// from one that may have committed after all (a connection lost after the write was sent, a timeout). Only the first
/// kind may be answered "not accepted" without looking at what storage holds.
/// </summary>
public class WriteFailures
{
    public bool ProvablyNotWritten(Exception exception)
    {
        for (var cause = exception; cause is not null; cause = cause.InnerException)
        {
            if (cause is InconsistentStateException or LedgerNotWrittenException or WalletConflictException || Refused(cause)) return true;
        }

        return false;
    }

    /// <summary>A storage-specific refusal; none is known here.</summary>
    protected virtual bool Refused(Exception cause) => false;
}
