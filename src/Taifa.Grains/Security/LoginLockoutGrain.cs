using Taifa.Abstractions.Accounts;

namespace Taifa.Grains.Security;

/// <summary>
/// Counts failed logins under one name in memory (fixed window), on whichever silo activates it. Not persisted on
/// purpose: a write per failed attempt would hand an attacker a way to load the database; a silo failure forgets
/// the counts it held, which at worst lets a guesser start a fresh window.
/// </summary>
public sealed class LoginLockoutGrain(TimeProvider time) : Grain, ILoginLockoutGrain
{
    private int _failures;
    private DateTimeOffset _windowStart;
    private DateTimeOffset _lockedUntil;

    public Task<bool> IsLockedOut() => Task.FromResult(_lockedUntil > time.GetUtcNow());

    public Task<bool> Failed(LoginLimit limit)
    {
        var now = time.GetUtcNow();
        if (_lockedUntil > now) return Task.FromResult(false);
        if (now - _windowStart >= limit.Window)
        {
            _windowStart = now;
            _failures = 0;
        }

        if (++_failures < limit.MaxFailures) return Task.FromResult(false);
        _failures = 0;
        _lockedUntil = now + limit.Lockout;

        // An idle activation could be collected before the lock-out ends, which would end it early.
        DelayDeactivation(limit.Lockout);
        return Task.FromResult(true);
    }
}
