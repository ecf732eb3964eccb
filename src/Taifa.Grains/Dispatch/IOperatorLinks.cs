using Taifa.Abstractions.Dispatch;
using Taifa.Abstractions.Messages;

namespace Taifa.Grains.Dispatch;

public enum SubmissionOutcome
{
    Accepted = 0,
    Throttled = 1,
    TemporaryFailure = 2,
    PermanentRejection = 3,
    NotBound = 4,
}

/// <summary>
/// The operator's answer to one message: ids of the parts it accepted, in order, and the error of the first part it did
/// not, as an <see cref="OperatorErrorCodes"/> code; <paramref name="Detail"/> says more, for the log only.
/// </summary>
public sealed record OperatorSubmission(SubmissionOutcome Outcome, IReadOnlyList<string> AcceptedPartIds, string? ErrorCode, string? Detail = null);

/// <summary>Opens SMPP binds to operators; implemented by the host over the SMPP client.</summary>
public interface IOperatorLinks
{
    /// <summary>Opens (and keeps reopening) the bind of one dispatcher shard; receipts arriving on it go to <paramref name="onReceipt"/>,
    /// which returns false when the receipt could not be matched or stored yet (the operator should redeliver it).</summary>
    IOperatorLink Open(string operatorName, int shard, Func<OperatorReceipt, Task<bool>> onReceipt);
}

public interface IOperatorLink : IAsyncDisposable
{
    bool IsBound { get; }

    /// <summary>
    /// Submits the parts of a message from <paramref name="firstPart"/> on (parts already accepted are not sent again).
    /// A message the gateway splits carries <paramref name="concatenationReference"/> in every part's header; the
    /// caller gives the same one for every attempt at one message.
    /// </summary>
    Task<OperatorSubmission> SubmitAsync(MessageRecord message, int firstPart, byte concatenationReference, CancellationToken cancellationToken);
}
