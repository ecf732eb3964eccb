using Taifa.Abstractions.Dispatch;

namespace Taifa.Abstractions.Messages;

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
    /// The record if it still waits for an operator, with the operator ids of parts already accepted;
    /// null when it was already submitted or finished, so a redelivered stream event is skipped.
    /// </summary>
    [Alias("PendingDispatch")]
    Task<MessageRecord?> PendingDispatch();

    /// <summary>The operator accepted every part; ids are the operator's own, in part order.</summary>
    [Alias("Submitted")]
    Task Submitted(string operatorName, IReadOnlyList<string> operatorMessageIds);

    /// <summary>The message will never reach the operator (rejected or failed): final, and its cost is refunded once.</summary>
    [Alias("Abandon")]
    Task Abandon(MessageStatus status, string? errorCode);

    /// <summary>An operator receipt for one part; the message is final once every part is.</summary>
    [Alias("ApplyReceipt")]
    Task ApplyReceipt(OperatorReceipt receipt);
}
