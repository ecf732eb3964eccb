namespace Taifa.Abstractions.Messages;

/// <summary>Owns the durable record of one accepted message, keyed by its message id.</summary>
[Alias("taifa.IMessageGrain")]
public interface IMessageGrain : IGrainWithIntegerKey
{
    /// <summary>Stores the record once; a repeated call with the same id is a no-op (handoff is at-least-once).</summary>
    [Alias("Record")]
    Task Record(MessageRecord record);

    [Alias("Get")]
    Task<MessageRecord?> Get();
}
