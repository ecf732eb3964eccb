using Taifa.Abstractions;
using Taifa.Abstractions.Dispatch;

namespace Taifa.Grains.Dispatch;

[GenerateSerializer, Alias("taifa.operator-message-id-state.v1")]
public sealed class OperatorMessageIdState
{
    [Id(0)] public long? MessageId { get; set; }
}

public sealed class OperatorMessageIdGrain(
    [PersistentState("operator-message-id", StorageNames.Index)] IPersistentState<OperatorMessageIdState> state) : Grain, IOperatorMessageIdGrain
{
    public async Task Map(long messageId)
    {
        if (state.State.MessageId == messageId) return;
        state.State.MessageId = messageId;
        await state.WriteStateAsync();
    }

    public Task<long?> Find() => Task.FromResult(state.State.MessageId);
}
