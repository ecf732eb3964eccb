namespace Taifa.Abstractions.Accounts;

/// <summary>
/// Failed logins under one name (an SMPP system_id, known or not), counted cluster-wide in memory: after
/// <see cref="LoginLimit.MaxFailures"/> within <see cref="LoginLimit.Window"/> the name is locked out for
/// <see cref="LoginLimit.Lockout"/>, for every source.
/// </summary>
[Alias("taifa.ILoginLockoutGrain")]
public interface ILoginLockoutGrain : IGrainWithStringKey
{
    [Alias("IsLockedOut")]
    Task<bool> IsLockedOut();

    /// <summary>Counts a failure; true when it starts a lock-out.</summary>
    [Alias("Failed")]
    Task<bool> Failed(LoginLimit limit);
}

[GenerateSerializer, Immutable, Alias("taifa.login-limit.v1")]
public sealed record LoginLimit(
    [property: Id(0)] int MaxFailures,
    [property: Id(1)] TimeSpan Window,
    [property: Id(2)] TimeSpan Lockout);

public static class LoginLockouts
{
    public static ILoginLockoutGrain SmppSystemIdLockout(this IGrainFactory grains, string systemId) =>
        grains.GetGrain<ILoginLockoutGrain>("smpp:" + systemId);
}
