using Taifa.Abstractions.Messages;

namespace Taifa.Abstractions.Dispatch;

/// <summary>Accepted messages for one operator shard, published together (one event per account commit and shard).</summary>
[GenerateSerializer, Immutable, Alias("taifa.dispatch-batch.v1")]
public sealed record DispatchBatch([property: Id(0)] IReadOnlyList<MessageRecord> Messages);

/// <summary>What an operator's delivery receipt says about one submitted part.</summary>
[GenerateSerializer, Immutable, Alias("taifa.operator-receipt.v1")]
public sealed record OperatorReceipt(
    [property: Id(0)] string OperatorMessageId,
    [property: Id(1)] MessageStatus Status,
    [property: Id(2)] string? ErrorCode,
    [property: Id(3)] DateTimeOffset ReceivedAt)
{
    /// <summary>The deliver_sm's source_addr: the handset the message went to, as the operator wrote it.</summary>
    [Id(4)] public string? Handset { get; init; }

    /// <summary>The receipt text's <c>submit date:</c>, on the operator's wall clock (the text carries no zone).</summary>
    [Id(5)] public DateTime? SubmitDate { get; init; }

    /// <summary>The receipt text's <c>text:</c>, the start of the part it is about (SMPP v3.4 Appendix B: up to 20 characters).</summary>
    [Id(6)] public string? Text { get; init; }

    /// <summary>The deliver_sm's destination_addr: the sender ID the message was sent from.</summary>
    [Id(7)] public string? Sender { get; init; }
}

/// <summary>Consumes one operator shard's stream and owns that shard's SMPP bind.</summary>
[Alias("taifa.IOperatorDispatcherGrain")]
public interface IOperatorDispatcherGrain : IGrainWithStringKey
{
    /// <summary>Activates the dispatcher (and so its bind) if it is not running; the silos call it periodically.</summary>
    [Alias("EnsureRunning"), Orleans.Concurrency.AlwaysInterleave]
    Task EnsureRunning();

    /// <summary>
    /// Takes messages of <paramref name="networkId"/> that wait for another route which is failing over, when its own
    /// route is healthy (bound, errors under the threshold); false, taking nothing, when it is not. Their queued rows
    /// stay the handing shard's, which offers them again while they are queued (so a taker lost with its silo costs a
    /// sweep period). Whichever dispatcher claims a message first submits it (<c>IMessageGrain.ClaimDispatch</c>).
    /// </summary>
    [Alias("Carry")]
    Task<bool> Carry(int networkId, IReadOnlyList<long> messageIds);
}

/// <summary>Durable map from an operator's message id (canonical form, see <c>ReceiptIdMatching</c>) to our message id.</summary>
[Alias("taifa.IOperatorMessageIdGrain")]
public interface IOperatorMessageIdGrain : IGrainWithStringKey
{
    [Alias("Map")]
    Task Map(long messageId);

    [Alias("Find")]
    Task<long?> Find();
}

public static class OperatorMessageIds
{
    public static IOperatorMessageIdGrain OperatorMessageId(this IGrainFactory grains, string operatorName, string canonicalId) =>
        grains.GetGrain<IOperatorMessageIdGrain>(operatorName + ":" + canonicalId);
}
