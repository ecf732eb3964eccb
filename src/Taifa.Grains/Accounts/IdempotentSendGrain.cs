using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;

namespace Taifa.Grains.Accounts;

[GenerateSerializer, Alias("taifa.idempotent-send-state.v1")]
public sealed class IdempotentSendState
{
    [Id(0)] public string? RequestDigest { get; set; }
    [Id(1)] public SendResult? Result { get; set; }
    [Id(2)] public DateTimeOffset At { get; set; }
}

public sealed class IdempotentSendGrain(
    [PersistentState("idempotent-send", StorageNames.Index)] IPersistentState<IdempotentSendState> state,
    TimeProvider time) : Grain, IIdempotentSendGrain
{
    public async Task<IdempotentSend> Send(string requestDigest, SendCommand command, TimeSpan retention)
    {
        var accountId = long.Parse(this.GetPrimaryKeyString().AsSpan(0, this.GetPrimaryKeyString().IndexOf(':', StringComparison.Ordinal)),
            System.Globalization.CultureInfo.InvariantCulture);
        var account = GrainFactory.GetGrain<IAccountGrain>(accountId);
        var remembered = state.State.Result is not null && time.GetUtcNow() - state.State.At < retention;
        if (remembered)
        {
            // A replay is still a call of the account: a replaced key or an address outside the allow-list gets nothing.
            if (command.ApiKeyDigest is not null)
            {
                var check = (await account.CheckKey(command.ApiKeyDigest, command.Source)).Status;
                if (check is TaifaStatus.InvalidApiKey or TaifaStatus.AddressNotAllowed) return new IdempotentSend(false, false, new SendResult(check, []));
            }

            return state.State.RequestDigest == requestDigest
                ? new IdempotentSend(false, true, state.State.Result)
                : new IdempotentSend(true, false, null);
        }

        var result = await account.Send(command);

        // Only an answer that changed something is remembered: a refusal (bad key, storage down) may be retried freely.
        if (result.Status == TaifaStatus.Success && result.Outcomes.Any(o => o.Status == TaifaStatus.Success))
        {
            state.State.RequestDigest = requestDigest;
            state.State.Result = result;
            state.State.At = time.GetUtcNow();
            await state.WriteStateAsync();
        }

        return new IdempotentSend(false, false, result);
    }
}
