using Microsoft.Extensions.Logging;
using Taifa.Grains.Persistence;
using Taifa.Abstractions;
using Taifa.Abstractions.Dispatch;
using Taifa.Abstractions.Messages;

namespace Taifa.Grains.Dispatch;

[GenerateSerializer, Alias("taifa.operator-message-id-state.v1")]
public sealed class OperatorMessageIdState
{
    /// <summary>The message receipts for this id go to now.</summary>
    [Id(0)] public long? MessageId { get; set; }

    /// <summary>
    /// Messages the operator gave the same id to (it recycled it) while <see cref="MessageId"/> still waited for its
    /// receipt, oldest first: each takes over once the one before it is final.
    /// </summary>
    [Id(1)] public List<long> Later { get; set; } = [];
}

/// <summary>
/// The operator-id map of messages submitted before the ledger kept operator ids (<c>taifa_operator_part</c>): nothing
/// maps new ids here any more; <see cref="ReceiptRouter"/> asks it only for a receipt the ledger does not know, so
/// receipts of messages submitted before an upgrade still find them.
/// Which of our messages an operator's message id belongs to, so its receipt finds it. Needed for seconds to hours after
/// the submit; one activation per message in flight, so it does not linger for the default 15 minutes once idle, and leaves memory as soon as its receipt has found the message.
/// An operator that recycles its ids can give one to a new message while an earlier one still waits for its receipt:
/// the mapping is never overwritten then, receipts go to the earliest message not yet final, in turn.
/// </summary>
[CollectionAgeLimit(Minutes = 2)]
public sealed partial class OperatorMessageIdGrain(
    [PersistentState("operator-message-id", StorageNames.Index)] IPersistentState<OperatorMessageIdState> state,
    ILogger<OperatorMessageIdGrain> logger) : Grain, IOperatorMessageIdGrain
{
    public async Task Map(long messageId)
    {
        if (state.State.MessageId == messageId || state.State.Later.Contains(messageId)) return;
        if (state.State.MessageId is { } earlier && !await IsSettled(earlier))
        {
            LogRecycledWhileWaiting(this.GetPrimaryKeyString(), earlier, messageId);
            state.State.Later.Add(messageId);
        }
        else
        {
            state.State.MessageId = messageId;
        }

        await state.WriteOrRevertAsync(DeactivateOnIdle);
    }

    public async Task<long?> Find()
    {
        if (state.State.Later.Count > 0 && state.State.MessageId is { } current && await IsSettled(current))
        {
            state.State.MessageId = state.State.Later[0];
            state.State.Later.RemoveAt(0);
            await state.WriteOrRevertAsync(DeactivateOnIdle);
        }

        // A receipt has found its message: the mapping stays stored for a repeated receipt, not in memory, where
        // hundreds of thousands of them would otherwise wait for collection at full load.
        if (state.State.MessageId is not null && state.State.Later.Count == 0) DeactivateOnIdle();
        return state.State.MessageId;
    }

    /// <summary>Final, or gone: no receipt can be meant for it any more.</summary>
    private async Task<bool> IsSettled(long messageId) =>
        await GrainFactory.GetGrain<IMessageGrain>(messageId).Get() is not { } record || record.Status.IsFinal();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operator id {OperatorId} was given to message {MessageId} while message {Earlier} still waits for its receipt; receipts go to {Earlier} first")]
    private partial void LogRecycledWhileWaiting(string operatorId, long earlier, long messageId);
}
