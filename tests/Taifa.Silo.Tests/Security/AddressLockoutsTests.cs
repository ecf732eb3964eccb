using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Taifa.Silo.Intake;
using Taifa.Silo.Options;

namespace Taifa.Silo.Tests.Security;

public sealed class AddressLockoutsTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-03-01T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly AddressLockouts _lockouts;

    public AddressLockoutsTests()
    {
        var options = new TaifaOptions
        {
            Security = new SecurityOptions { MaxFailuresPerAddress = 3, FailureWindow = TimeSpan.FromMinutes(5), LockoutDuration = TimeSpan.FromMinutes(15) },
        };
        _lockouts = new AddressLockouts(Microsoft.Extensions.Options.Options.Create(options), _time, NullLogger<AddressLockouts>.Instance);
    }

    [Fact]
    public void The_third_failure_in_the_window_locks_the_address_out_until_the_lockout_ends()
    {
        var guesser = IPAddress.Parse("192.0.2.10");
        Assert.False(_lockouts.Failed(guesser, "rest"));
        Assert.False(_lockouts.Failed(guesser, "smpp"));
        Assert.False(_lockouts.IsLockedOut(guesser));
        Assert.True(_lockouts.Failed(guesser, "rest"));
        Assert.True(_lockouts.IsLockedOut(guesser));
        Assert.False(_lockouts.IsLockedOut(IPAddress.Parse("192.0.2.11")));

        _time.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(1));
        Assert.True(_lockouts.IsLockedOut(guesser));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(_lockouts.IsLockedOut(guesser));
        Assert.False(_lockouts.Failed(guesser, "rest"));
    }

    [Fact]
    public void Failures_spread_wider_than_the_window_never_lock()
    {
        var slow = IPAddress.Parse("192.0.2.20");
        for (var i = 0; i < 10; i++)
        {
            Assert.False(_lockouts.Failed(slow, "rest"));
            if (i % 2 == 1) _time.Advance(TimeSpan.FromMinutes(5));
        }

        Assert.False(_lockouts.IsLockedOut(slow));
    }

    [Fact]
    public void Ipv6_clients_are_counted_per_64_and_mapped_ipv4_as_ipv4()
    {
        _lockouts.Failed(IPAddress.Parse("2001:db8:0:1::1"), "rest");
        _lockouts.Failed(IPAddress.Parse("2001:db8:0:1::2"), "rest");
        _lockouts.Failed(IPAddress.Parse("2001:db8:0:1:ffff::3"), "rest");
        Assert.True(_lockouts.IsLockedOut(IPAddress.Parse("2001:db8:0:1::99")));
        Assert.False(_lockouts.IsLockedOut(IPAddress.Parse("2001:db8:0:2::1")));

        _lockouts.Failed(IPAddress.Parse("::ffff:192.0.2.30"), "smpp");
        _lockouts.Failed(IPAddress.Parse("192.0.2.30"), "smpp");
        _lockouts.Failed(IPAddress.Parse("::ffff:192.0.2.30"), "smpp");
        Assert.True(_lockouts.IsLockedOut(IPAddress.Parse("192.0.2.30")));
    }

    [Fact]
    public void Memory_is_bounded_and_expired_entries_make_room()
    {
        for (var i = 0; i < AddressLockouts.MaxTrackedAddresses; i++)
        {
            _lockouts.Failed(new IPAddress(0x0A000000u + (uint)i), "rest");
        }

        var late = IPAddress.Parse("192.0.2.40");
        for (var i = 0; i < 3; i++) _lockouts.Failed(late, "rest");
        Assert.False(_lockouts.IsLockedOut(late));

        _time.Advance(TimeSpan.FromMinutes(5));
        for (var i = 0; i < 3; i++) _lockouts.Failed(late, "rest");
        Assert.True(_lockouts.IsLockedOut(late));
    }
}
