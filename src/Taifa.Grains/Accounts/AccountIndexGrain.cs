using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;

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
        await state.WriteStateAsync();
        return true;
    }

    public async Task Release(long accountId)
    {
        if (state.State.AccountId != accountId) return;
        state.State.AccountId = null;
        await state.ClearStateAsync();
    }

    public Task<long?> Owner() => Task.FromResult(state.State.AccountId);
}
