using System.Net;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Portal;
using Taifa.Silo.Intake;
using Taifa.Silo.Options;

namespace Taifa.Silo.Portal;

public enum PortalLogInOutcome
{
    LoggedIn,
    Incorrect,
    LockedOut,
    AddressNotAllowed,
}

/// <summary>
/// Portal log-in with the lock-outs REST keys and SMPP binds have: the client address on this silo
/// (<see cref="AddressLockouts"/>) and the e-mail address cluster-wide (<see cref="ILoginLockoutGrain"/>), both
/// consulted before the password is tried, so a locked-out guesser never reaches a password check.
/// </summary>
public sealed class PortalLogIns(IGrainFactory grains, AddressLockouts lockouts, IOptions<TaifaOptions> options, TimeProvider time)
{
    public const string Channel = "portal";
    private const string AccountClaim = "taifa:account_id";

    public async Task<(PortalLogInOutcome Outcome, ClaimsPrincipal? Principal, DateTimeOffset Expires)> LogIn(string email, string password, IPAddress? source)
    {
        if (lockouts.IsLockedOut(source)) return (PortalLogInOutcome.LockedOut, null, default);
        if (!PortalUsers.IsValidEmail(email) || password.Length is 0 or > PortalUsers.MaxPasswordLength)
        {
            lockouts.Failed(source, Channel);
            return (PortalLogInOutcome.Incorrect, null, default);
        }

        var lockout = grains.PortalLogInLockout(email);
        if (await lockout.IsLockedOut()) return (PortalLogInOutcome.LockedOut, null, default);

        var user = grains.PortalUser(email);
        var expires = time.GetUtcNow() + options.Value.Portal.SessionLifetime;
        var session = await user.LogIn(password, expires);
        var view = session is null ? null : await grains.GetGrain<IAccountGrain>(session.AccountId).View();
        if (session is null || view is null)
        {
            if (session is not null) await user.LogOut(session.SessionId);
            var lockedNow = lockouts.Failed(source, Channel) | await lockout.Failed(Limit);
            return (lockedNow ? PortalLogInOutcome.LockedOut : PortalLogInOutcome.Incorrect, null, default);
        }

        if (!AddressAllowList.FromStored(view.AllowedAddresses).Allows(source))
        {
            // The password was right; only the address is charged, so nobody outside the list can lock the user out.
            await user.LogOut(session.SessionId);
            lockouts.Failed(source, Channel);
            return (PortalLogInOutcome.AddressNotAllowed, null, default);
        }

        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, session.SessionId),
            new Claim(ClaimTypes.Email, PortalUsers.NormalizeEmail(email)),
            new Claim(AccountClaim, session.AccountId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ], PortalHosting.Scheme);
        return (PortalLogInOutcome.LoggedIn, new ClaimsPrincipal(identity), expires);
    }

    private LoginLimit Limit => new(options.Value.Portal.MaxFailuresPerEmail, options.Value.Security.FailureWindow, options.Value.Security.LockoutDuration);

    /// <summary>The session a cookie names, if it is still live and its account still open.</summary>
    public async Task<PortalCaller?> Resume(ClaimsPrincipal principal, IPAddress? source)
    {
        if (principal.FindFirstValue(ClaimTypes.NameIdentifier) is not { } sessionId ||
            principal.FindFirstValue(ClaimTypes.Email) is not { } email ||
            !long.TryParse(principal.FindFirstValue(AccountClaim), System.Globalization.CultureInfo.InvariantCulture, out var accountId))
        {
            return null;
        }

        if (await grains.PortalUser(email).SessionAccount(sessionId) != accountId) return null;
        var view = await grains.GetGrain<IAccountGrain>(accountId).View();
        return view is null ? null : new PortalCaller(accountId, email, sessionId, view, source);
    }

    public Task LogOut(PortalCaller caller) => grains.PortalUser(caller.Email).LogOut(caller.SessionId);
}

/// <summary>The signed-in portal user of a request, with their account as it was when the request began.</summary>
public sealed record PortalCaller(long AccountId, string Email, string SessionId, AccountView Account, IPAddress? Source)
{
    public static PortalCaller Of(HttpContext http) =>
        http.Items[typeof(PortalCaller)] as PortalCaller ?? throw new InvalidOperationException("not a signed-in portal request");

    public bool AddressAllowed => AddressAllowList.FromStored(Account.AllowedAddresses).Allows(Source);
}
