using System.Security.Cryptography;
using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Portal;
using Taifa.Grains.Persistence;
using Taifa.Grains.Security;

namespace Taifa.Grains.Portal;

[GenerateSerializer, Alias("taifa.portal-user-state.v1")]
public sealed class PortalUserState
{
    [Id(0)] public long? AccountId { get; set; }
    [Id(1)] public string? PasswordHash { get; set; }

    /// <summary>Live sessions: the SHA-256 of each session id (never the id itself), with when it ends.</summary>
    [Id(2)] public Dictionary<string, DateTimeOffset> Sessions { get; set; } = [];
}

/// <summary>
/// A portal user, in the index storage beside the other cluster-wide names. Passwords are hashed like SMPP passwords
/// (<see cref="SmppPasswordHash"/>); an unknown address is checked against a fixed hash, so that a wrong address
/// takes as long as a wrong password and the answer does not tell which addresses exist.
/// </summary>
public sealed class PortalUserGrain(
    [PersistentState("portal-user", StorageNames.Index)] IPersistentState<PortalUserState> state,
    TimeProvider time) : Grain, IPortalUserGrain
{
    /// <summary>Sessions one user may hold at once; a log-in beyond it ends the session that would end first.</summary>
    public const int MaxSessions = 20;

    private static readonly Lazy<string> UnknownUserHash = new(() => SmppPasswordHash.Hash(ApiKeys.NewKey()));

    public async Task<PortalUserOutcome> Register(long accountId, string passwordHash)
    {
        if (state.State.AccountId is { } holder && holder != accountId) return PortalUserOutcome.TakenByAnotherAccount;
        var outcome = state.State.AccountId is null ? PortalUserOutcome.Created : PortalUserOutcome.PasswordReplaced;
        state.State.AccountId = accountId;
        state.State.PasswordHash = passwordHash;
        state.State.Sessions = [];
        await state.WriteOrRevertAsync(DeactivateOnIdle);
        return outcome;
    }

    public async Task<bool> Remove(long accountId)
    {
        if (state.State.AccountId != accountId) return false;
        await state.ClearOrRevertAsync(DeactivateOnIdle);
        return true;
    }

    public async Task<PortalLogIn?> LogIn(string password, DateTimeOffset expires)
    {
        if (state.State.AccountId is not { } accountId)
        {
            SmppPasswordHash.Verify(password, UnknownUserHash.Value);
            return null;
        }

        if (!SmppPasswordHash.Verify(password, state.State.PasswordHash)) return null;

        var now = time.GetUtcNow();
        var sessions = state.State.Sessions.Where(s => s.Value > now).OrderByDescending(s => s.Value).Take(MaxSessions - 1).ToList();
        var sessionId = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        state.State.Sessions = new Dictionary<string, DateTimeOffset>(sessions) { [Digest(sessionId)] = expires };
        await state.WriteOrRevertAsync(DeactivateOnIdle);

        return new PortalLogIn(accountId, sessionId);
    }

    public Task<long?> SessionAccount(string sessionId) =>
        Task.FromResult(state.State.Sessions.TryGetValue(Digest(sessionId), out var ends) && ends > time.GetUtcNow()
            ? state.State.AccountId
            : null);

    public async Task LogOut(string sessionId)
    {
        if (!state.State.Sessions.Remove(Digest(sessionId))) return;
        await state.WriteOrRevertAsync(DeactivateOnIdle);
    }

    private static string Digest(string sessionId) => ApiKeys.Digest(sessionId);
}
