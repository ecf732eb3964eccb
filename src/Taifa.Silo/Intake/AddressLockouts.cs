using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Taifa.Abstractions.Accounts;
using Taifa.Grains.Telemetry;
using Taifa.Silo.Options;

namespace Taifa.Silo.Intake;

/// <summary>
/// Failed logins per client address (REST keys and SMPP binds together), in this silo's memory: after
/// MaxFailuresPerAddress within FailureWindow the address is refused without a look-up for LockoutDuration.
/// Per silo on purpose: it is consulted before any grain call, so a locked-out guesser costs the cluster nothing;
/// behind a load balancer over N silos a guesser gets at most N times the budget, and the cluster-wide system_id
/// lock-out still applies. IPv6 clients are counted per /64, the block one subscriber usually holds.
/// Memory is bounded: at most <see cref="MaxTrackedAddresses"/> entries; when full, expired entries are swept, and an
/// address that still finds no room is not counted (it still gets nothing but the wrong-key answer).
/// </summary>
public sealed partial class AddressLockouts(IOptions<TaifaOptions> options, TimeProvider time, ILogger<AddressLockouts> logger)
{
    public const int MaxTrackedAddresses = 100_000;
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly SecurityOptions _limits = options.Value.Security;
    private readonly ConcurrentDictionary<IPAddress, FailureCount> _counts = new();
    private long _lastSweep;

    public bool IsLockedOut(IPAddress? address)
    {
        if (address is null || !_counts.TryGetValue(Bucket(address), out var count)) return false;
        lock (count) return count.LockedUntil > time.GetUtcNow();
    }

    /// <summary>Counts a failed login; true when it locks the address out.</summary>
    public bool Failed(IPAddress? address, string channel)
    {
        TaifaMetrics.LoginFailed(channel);
        if (address is null) return false;
        var bucket = Bucket(address);
        if (!_counts.TryGetValue(bucket, out var count))
        {
            if (_counts.Count >= MaxTrackedAddresses && !Sweep()) return false;
            count = _counts.GetOrAdd(bucket, _ => new FailureCount());
        }

        var now = time.GetUtcNow();
        lock (count)
        {
            if (count.LockedUntil > now) return false;
            if (now - count.WindowStart >= _limits.FailureWindow)
            {
                count.WindowStart = now;
                count.Failures = 0;
            }

            if (++count.Failures < _limits.MaxFailuresPerAddress) return false;
            count.Failures = 0;
            count.LockedUntil = now + _limits.LockoutDuration;
        }

        TaifaMetrics.LockedOut("address", channel);
        LogLockedOut(bucket.ToString(), _limits.MaxFailuresPerAddress, _limits.FailureWindow, _limits.LockoutDuration, channel);
        return true;
    }

    /// <summary>The key an address is counted under: IPv4 as is, IPv6 by its /64.</summary>
    public static IPAddress Bucket(IPAddress address)
    {
        address = AddressAllowList.Normalize(address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address;
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }

    /// <returns>True when there is room after sweeping.</returns>
    private bool Sweep()
    {
        var last = Interlocked.Read(ref _lastSweep);
        var nowTicks = time.GetTimestamp();
        if (time.GetElapsedTime(last, nowTicks) >= SweepInterval && Interlocked.CompareExchange(ref _lastSweep, nowTicks, last) == last)
        {
            var now = time.GetUtcNow();
            foreach (var (address, count) in _counts)
            {
                bool expired;
                lock (count) expired = count.LockedUntil <= now && now - count.WindowStart >= _limits.FailureWindow;
                if (expired) _counts.TryRemove(address, out _);
            }
        }

        return _counts.Count < MaxTrackedAddresses;
    }

    private sealed class FailureCount
    {
        public int Failures;
        public DateTimeOffset WindowStart;
        public DateTimeOffset LockedUntil;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Address {RemoteAddress} locked out after {MaxFailures} failed logins within {FailureWindow}; refused for {LockoutDuration} (last attempt over {Channel})")]
    private partial void LogLockedOut(string remoteAddress, int maxFailures, TimeSpan failureWindow, TimeSpan lockoutDuration, string channel);
}
