using System.Collections.Concurrent;
using Taifa.Abstractions.Accounts;

namespace Taifa.Silo.Intake;

/// <summary>
/// Finds the account behind an API key. Positive lookups are cached per silo: safe, because the
/// account grain checks the key digest again on every call, so a rotated key fails at once and is evicted here.
/// </summary>
public sealed class ApiKeyAccounts(IGrainFactory grains)
{
    private const int MaxCachedKeys = 100_000;
    private readonly ConcurrentDictionary<string, long> _accountByDigest = new(StringComparer.Ordinal);

    public readonly record struct Caller(string Digest, long AccountId);

    public async ValueTask<Caller?> Resolve(string? apiKey)
    {
        if (string.IsNullOrEmpty(apiKey) || apiKey.Length > 128) return null;
        var digest = ApiKeys.Digest(apiKey.Trim());
        if (_accountByDigest.TryGetValue(digest, out var cached)) return new Caller(digest, cached);

        var owner = await grains.ApiKey(digest).Owner();
        if (owner is null) return null;
        if (_accountByDigest.Count >= MaxCachedKeys) _accountByDigest.Clear();
        _accountByDigest[digest] = owner.Value;
        return new Caller(digest, owner.Value);
    }

    public void Forget(string digest) => _accountByDigest.TryRemove(digest, out _);
}
