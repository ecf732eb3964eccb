using Taifa.Grains.Persistence;
using Taifa.Abstractions;
using Taifa.Abstractions.Dispatch;

namespace Taifa.Grains.Dispatch;

[GenerateSerializer, Alias("taifa.operator-message-id-state.v1")]
public sealed class OperatorMessageIdState
{
    [Id(0)] public long? MessageId { get; set; }
}

/// <summary>
/// Which of our messages an operator's message id belongs to, so its receipt finds it. Needed for seconds to hours after
/// the submit; one activation per message in flight, so it does not linger for the default 15 minutes once idle, and leaves memory as soon as its receipt has found the message.
/// </summary>
[CollectionAgeLimit(Minutes = 2)]
public sealed class OperatorMessageIdGrain(
    [PersistentState("operator-message-id", StorageNames.Index)] IPersistentState<OperatorMessageIdState> state) : Grain, IOperatorMessageIdGrain
{
    public async Task Map(long messageId)
    {
        if (state.State.MessageId == messageId) return;
        state.State.MessageId = messageId;
        await state.WriteOrRevertAsync(DeactivateOnIdle);
    }

    public Task<long?> Find()
    {
        // A receipt has found its message: the mapping stays stored for a repeated receipt, not in memory, where
        // hundreds of thousands of them would otherwise wait for collection at full load.
        if (state.State.MessageId is not null) DeactivateOnIdle();
        return Task.FromResult(state.State.MessageId);
    }
}
