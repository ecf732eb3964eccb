using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Grains.Persistence;

namespace Taifa.Grains.Accounts;

[GenerateSerializer, Alias("taifa.account-index-state.v1")]
public sealed class AccountIndexState
{
    [Id(0)] public long? AccountId { get; set; }
}

public sealed class AccountIndexGrain(
    [PersistentState("index", StorageNames.Index)] IPersistentState<AccountIndexState> state) : Grain, IAccountIndexGrain
{
    public async Task<bool> Claim(long accountId)
    {
        if (state.State.AccountId == accountId) return true;
        if (state.State.AccountId is not null) return false;
        state.State.AccountId = accountId;
        // Reverted when the write fails: a claim held in memory only would answer a retry true with no durable owner,
        // and once this activation is collected another account could claim the same name.
        await state.WriteOrRevertAsync(DeactivateOnIdle);
        return true;
    }

    public async Task Release(long accountId)
    {
        if (state.State.AccountId != accountId) return;
        state.State.AccountId = null;
        await state.ClearOrRevertAsync(DeactivateOnIdle);
    }

    public Task<long?> Owner() => Task.FromResult(state.State.AccountId);
}
