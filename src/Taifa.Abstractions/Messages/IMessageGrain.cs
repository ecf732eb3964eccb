using Taifa.Abstractions.Dispatch;

namespace Taifa.Abstractions.Messages;

/// <summary>What a customer's cancel did: cancelled now or before, too late (an operator may have it), or no such message.</summary>
public enum CancelOutcome
{
    Cancelled = 0,
    TooLate = 1,
    Unknown = 2,
}

[GenerateSerializer, Immutable, Alias("taifa.dispatch-claim.v1")]
public sealed record DispatchClaim([property: Id(0)] MessageRecord? Record, [property: Id(1)] bool Settled);

/// <summary>Owns the durable record and lifecycle of one accepted message, keyed by its message id.</summary>
[Alias("taifa.IMessageGrain")]
public interface IMessageGrain : IGrainWithIntegerKey
{
    /// <summary>Stores the record once; a repeated call with the same id is a no-op (handoff is at-least-once).</summary>
    [Alias("Record")]
    Task Record(MessageRecord record);

    [Alias("Get")]
    Task<MessageRecord?> Get();

    /// <summary>
    /// Claims the message for one dispatcher activation for a lease: the record if it still waits for an operator and
    /// no other activation holds the claim. Skip = true when it was already settled (a redelivered event);
    /// Skip = false with no record when another activation holds it (during a failover two activations of one
    /// dispatcher can briefly coexist: try again later).
    /// </summary>
    [Alias("ClaimDispatch")]
    Task<DispatchClaim> ClaimDispatch(Guid dispatcher);

    /// <summary>
    /// Gives up this dispatcher's claim (its route fails over, none of the message's parts taken), so the route that
    /// takes the message over claims it at once instead of after the lease. The message stays one that may have reached
    /// an operator (no longer cancellable); a claim held by another dispatcher is left alone.
    /// </summary>
    [Alias("ReleaseClaim")]
    Task ReleaseClaim(Guid dispatcher);

    /// <summary>The operator accepted every part; ids are the operator's own, in part order.</summary>
    [Alias("Submitted")]
    Task Submitted(string operatorName, IReadOnlyList<string> operatorMessageIds);

    /// <summary>
    /// The message will not reach the operator whole (rejected or failed): final, and the cost of the parts the operator
    /// never took (all but <paramref name="acceptedPartIds"/>, the ids of the first parts it had accepted) is refunded once.
    /// Answers once the final state is saved; the refund and the customer's notifications follow on their own.
    /// <paramref name="operatorName"/> is the operator that took those first parts (its receipts find them by its name);
    /// unset, the network's preferred route.
    /// </summary>
    [Alias("Abandon")]
    Task Abandon(MessageStatus status, string? errorCode, IReadOnlyList<string>? acceptedPartIds = null, string? operatorName = null);

    /// <summary>
    /// An operator receipt for one part (or, with <paramref name="coversWholeMessage"/>, for the whole message); the
    /// message is final once every expected receipt is in, and the share of the parts rejected is refunded. Answers once
    /// the receipt is saved; notifications follow on their own.
    /// </summary>
    [Alias("ApplyReceipt")]
    Task ApplyReceipt(OperatorReceipt receipt, bool coversWholeMessage = false);

    /// <summary>
    /// Cancels a message no dispatcher has begun to hand to its operator: final as cancelled and refunded whole, once;
    /// a repeat answers Cancelled again. Once a submit may have reached the operator it is TooLate.
    /// </summary>
    [Alias("Cancel")]
    Task<CancelOutcome> Cancel();

    /// <summary>
    /// A queued message past its validity that no dispatcher has begun to submit: final as expired and refunded whole,
    /// once. False when it is not (yet) that: not queued, not expired, or being submitted (its dispatcher expires it).
    /// </summary>
    [Alias("Expire")]
    Task<bool> Expire();

    /// <summary>
    /// Writes the record's state to its ledger row when the row is behind it (a row from before the ledger kept
    /// statuses, found queued by a dispatcher); a repeat, or a record still queued, changes nothing.
    /// </summary>
    [Alias("RecordInLedger")]
    Task RecordInLedger();

    /// <summary>
    /// Resumes what a final message still owes (refund, dlr_url, SMPP receipt) when its ledger row shows it left
    /// behind: the silo that ran it died before it was done. A record behind its final row (the silo died between
    /// writing the two) takes the row's final state and the refund the row holds (<paramref name="refundDue"/>).
    /// </summary>
    /// <returns>When the next attempt is due; null when nothing is owed any more.</returns>
    [Alias("ResumeFollowUp")]
    Task<DateTimeOffset?> ResumeFollowUp(decimal refundDue);
}
