using Microsoft.Extensions.Logging;
using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Grains.Persistence;

namespace Taifa.Grains.Accounts;

[GenerateSerializer, Alias("taifa.idempotent-send-state.v1")]
public sealed class IdempotentSendState
{
    [Id(0)] public string? RequestDigest { get; set; }
    [Id(1)] public SendResult? Result { get; set; }
    [Id(2)] public DateTimeOffset At { get; set; }

    /// <summary>
    /// The message ids of the send under way, stored before the account is asked: while set without a result, an
    /// attempt may have been charged, and every repeat sends the same ids again so the account answers it once.
    /// </summary>
    [Id(3)] public IReadOnlyList<long>? MessageIds { get; set; }
}

public sealed partial class IdempotentSendGrain(
    [PersistentState("idempotent-send", StorageNames.Index)] IPersistentState<IdempotentSendState> state,
    TimeProvider time,
    ILogger<IdempotentSendGrain> logger) : Grain, IIdempotentSendGrain
{
    public async Task<IdempotentSend> Send(string requestDigest, SendCommand command, TimeSpan retention)
    {
        var key = this.GetPrimaryKeyString();
        var accountId = long.Parse(key.AsSpan(0, key.IndexOf(':', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
        var account = GrainFactory.GetGrain<IAccountGrain>(accountId);
        var current = (state.State.Result is not null || state.State.MessageIds is not null) && time.GetUtcNow() - state.State.At < retention;
        if (current && state.State.RequestDigest != requestDigest) return new IdempotentSend(true, false, null);

        if (current && state.State.Result is { } remembered)
        {
            // A replay is still a call of the account: a replaced key or an address outside the allow-list gets nothing.
            if (command.ApiKeyDigest is not null)
            {
                var check = (await account.CheckKey(command.ApiKeyDigest, command.Source)).Status;
                if (check is TaifaStatus.InvalidApiKey or TaifaStatus.AddressNotAllowed) return new IdempotentSend(false, false, new SendResult(check, []));
            }

            return new IdempotentSend(false, true, remembered);
        }

        if (current)
        {
            command = command with { MessageIds = state.State.MessageIds!, Retry = true };
        }
        else
        {
            state.State.RequestDigest = requestDigest;
            state.State.Result = null;
            state.State.MessageIds = command.MessageIds;
            state.State.At = time.GetUtcNow();
            await state.WriteOrRevertAsync(DeactivateOnIdle);
        }

        // An exception leaves the ids stored: the repeat finds what this attempt charged.
        var result = await account.Send(command);

        // Only an answer that changed something is remembered: a refusal (bad key, storage down) may be retried freely.
        var acceptedSome = result.Status == TaifaStatus.Success && result.Outcomes.Any(o => o.Status == TaifaStatus.Success);
        if (acceptedSome) state.State.Result = result;
        else state.State.MessageIds = null;
        try
        {
            await state.WriteOrRevertAsync(DeactivateOnIdle);
        }
        catch (Exception exception)
        {
            // The answer stands: the stored ids make a repeat ask the account again, which answers the same.
            LogRecordFailed(exception, accountId);
        }

        return new IdempotentSend(false, false, result);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: recording an Idempotency-Key's answer failed; a repeat asks the account again")]
    private partial void LogRecordFailed(Exception exception, long accountId);
}
