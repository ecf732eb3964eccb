using System.Collections.Concurrent;
using System.Net;
using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;

namespace Taifa.Silo.Intake;

/// <summary>
/// Finds the account behind a REST call's API key. Positive lookups are cached per silo: safe, because the
/// account grain checks the key digest (and the caller's address) again on every call, so a rotated key fails at
/// once and is evicted here. Every refusal counts as a failed login of the caller's address. Both lookups are reads,
/// repeated while their grain's silo has vanished (<see cref="VanishedSilos"/>) rather than answered 1005.
/// </summary>
public sealed class ApiKeyAccounts(IGrainFactory grains, AddressLockouts lockouts, VanishedSilos vanished)
{
    public const string ApiKeyHeader = "h_api_key";
    private const string Channel = "rest";
    private const int MaxCachedKeys = 100_000;
    private readonly ConcurrentDictionary<string, long> _accountByDigest = new(StringComparer.Ordinal);

    /// <summary>A caller whose key names an account; the account grain still authorizes it (key, address, status).</summary>
    public readonly record struct Caller(string Digest, long AccountId, IPAddress? Source);

    /// <returns>Null (answer 1006) for a missing or unknown key, and for any key from an address that is locked out.</returns>
    public async ValueTask<Caller?> Resolve(HttpContext http)
    {
        var source = http.Connection.RemoteIpAddress;
        if (lockouts.IsLockedOut(source)) return null;
        string? apiKey = http.Request.Headers[ApiKeyHeader];
        if (string.IsNullOrEmpty(apiKey)) return null;
        if (apiKey.Length > 128)
        {
            lockouts.Failed(source, Channel);
            return null;
        }

        var digest = ApiKeys.Digest(apiKey.Trim());
        if (_accountByDigest.TryGetValue(digest, out var cached)) return new Caller(digest, cached, source);

        var owner = await vanished.Call(() => grains.ApiKey(digest).Owner());
        if (owner is null)
        {
            lockouts.Failed(source, Channel);
            return null;
        }

        if (_accountByDigest.Count >= MaxCachedKeys) _accountByDigest.Clear();
        _accountByDigest[digest] = owner.Value;
        return new Caller(digest, owner.Value, source);
    }

    /// <summary>Asks the caller's account to authorize it (key, address, status), noting a refusal as <see cref="Checked"/> does.</summary>
    public async Task<KeyCheck> Authorize(Caller caller)
    {
        var check = await vanished.Call(() => grains.GetGrain<IAccountGrain>(caller.AccountId).CheckKey(caller.Digest, caller.Source));
        Checked(caller, check.Status);
        return check;
    }

    /// <summary>
    /// Notes the account grain's answer to a resolved caller: a replaced key (1006) is forgotten, and it and an address
    /// outside the account's allow-list (1016) count as failed logins. Returns the status unchanged.
    /// </summary>
    public TaifaStatus Checked(Caller caller, TaifaStatus status)
    {
        if (status == TaifaStatus.InvalidApiKey) _accountByDigest.TryRemove(caller.Digest, out _);
        if (status is TaifaStatus.InvalidApiKey or TaifaStatus.AddressNotAllowed) lockouts.Failed(caller.Source, Channel);
        return status;
    }
}
