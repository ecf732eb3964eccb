namespace Taifa.Abstractions.Accounts;

/// <summary>
/// A name that at most one account may hold: a sender ID, an SMPP username or an API key digest.
/// The grain key is "kind:name", built by <see cref="AccountIndex"/>.
/// </summary>
[Alias("taifa.IAccountIndexGrain")]
public interface IAccountIndexGrain : IGrainWithStringKey
{
    /// <summary>Claims the name for the account; false when another account holds it. Claiming twice is fine.</summary>
    [Alias("Claim")]
    Task<bool> Claim(long accountId);

    /// <summary>Releases the name if this account holds it.</summary>
    [Alias("Release")]
    Task Release(long accountId);

    [Alias("Owner")]
    Task<long?> Owner();
}

public static class AccountIndex
{
    public static IAccountIndexGrain SenderId(this IGrainFactory grains, string senderId) =>
        grains.GetGrain<IAccountIndexGrain>("sender:" + NormalizeSenderId(senderId));

    public static IAccountIndexGrain SmppUsername(this IGrainFactory grains, string username) =>
        grains.GetGrain<IAccountIndexGrain>("smpp:" + username);

    public static IAccountIndexGrain ApiKey(this IGrainFactory grains, string apiKeyDigestHex) =>
        grains.GetGrain<IAccountIndexGrain>("apikey:" + apiKeyDigestHex);

    /// <summary>Sender IDs are unique regardless of case: "MYSENDER" and "MySender" would look alike on a handset.</summary>
    public static string NormalizeSenderId(string senderId) => senderId.Trim().ToUpperInvariant();
}
