using Taifa.Abstractions;
using Taifa.Abstractions.Messages;

namespace Taifa.Grains.Messages;

[GenerateSerializer, Alias("taifa.message-state.v1")]
public sealed class MessageState
{
    [Id(0)] public MessageRecord? Record { get; set; }
}

public sealed class MessageGrain(
    [PersistentState("message", StorageNames.Messages)] IPersistentState<MessageState> state) : Grain, IMessageGrain
{
    public async Task Record(MessageRecord record)
    {
        if (state.State.Record is not null) return;
        state.State.Record = record;
        await state.WriteStateAsync();
    }

    public Task<MessageRecord?> Get() => Task.FromResult(state.State.Record);
}
