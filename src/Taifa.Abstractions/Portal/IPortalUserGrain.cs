using Taifa.Abstractions.Accounts;

namespace Taifa.Abstractions.Portal;

/// <summary>
/// One customer-portal user, keyed by their e-mail address (<see cref="PortalUsers.NormalizeEmail"/>): the key makes an
/// address unique across the cluster and finds its account at log-in without any scan. Holds the account it belongs
/// to, the password hash and the user's live sessions.
/// </summary>
[Alias("taifa.IPortalUserGrain")]
public interface IPortalUserGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the user for the account (<see cref="PortalUserOutcome.Created"/>), or, when the account already holds
    /// this address, replaces the password and ends every session (<see cref="PortalUserOutcome.PasswordReplaced"/>).
    /// <see cref="PortalUserOutcome.TakenByAnotherAccount"/> when another account holds it.
    /// </summary>
    [Alias("Register")]
    Task<PortalUserOutcome> Register(long accountId, string passwordHash);

    /// <summary>Removes the user (and so its sessions) if <paramref name="accountId"/> holds it; false otherwise.</summary>
    [Alias("Remove")]
    Task<bool> Remove(long accountId);

    /// <summary>Checks the password; on success starts a session that ends at <paramref name="expires"/>.</summary>
    [Alias("LogIn")]
    Task<PortalLogIn?> LogIn(string password, DateTimeOffset expires);

    /// <summary>The account a live session belongs to; null once it ended (log-out, expiry, new password, removal).</summary>
    [Alias("SessionAccount")]
    Task<long?> SessionAccount(string sessionId);

    [Alias("LogOut")]
    Task LogOut(string sessionId);
}

public enum PortalUserOutcome
{
    Created = 0,
    PasswordReplaced = 1,
    TakenByAnotherAccount = 2,
}

/// <summary>A successful log-in: the user's account and the new session's id (a secret, kept in the session cookie).</summary>
[GenerateSerializer, Immutable, Alias("taifa.portal-log-in.v1")]
public sealed record PortalLogIn(
    [property: Id(0)] long AccountId,
    [property: Id(1)] string SessionId);

public static class PortalUsers
{
    public const int MinPasswordLength = 10;
    public const int MaxPasswordLength = 128;
    public const int MaxEmailLength = 254;

    public static IPortalUserGrain PortalUser(this IGrainFactory grains, string email) =>
        grains.GetGrain<IPortalUserGrain>(NormalizeEmail(email));

    /// <summary>Failed portal log-ins under one address, known or not, counted cluster-wide like SMPP system_ids.</summary>
    public static ILoginLockoutGrain PortalLogInLockout(this IGrainFactory grains, string email) =>
        grains.GetGrain<ILoginLockoutGrain>("portal:" + NormalizeEmail(email));

    /// <summary>Addresses compare without regard to case ("Ann@Shop.co.ke" and "ann@shop.co.ke" are one user).</summary>
    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    /// <summary>local@domain, at most 254 characters, no spaces or control characters.</summary>
    public static bool IsValidEmail(string email)
    {
        email = email.Trim();
        var at = email.LastIndexOf('@');
        return email.Length is > 2 and <= MaxEmailLength && at > 0 && at < email.Length - 1 &&
               email.IndexOf('@') == at && email[(at + 1)..].Contains('.', StringComparison.Ordinal) &&
               email.All(c => c is > ' ' and not '\u007f');
    }

    public static bool IsValidPassword(string password) =>
        password.Length is >= MinPasswordLength and <= MaxPasswordLength && !password.Any(char.IsControl);
}
