using System.Net;
using Taifa.Abstractions.Accounts;

namespace Taifa.Silo.Tests.Security;

public sealed class AddressAllowListTests
{
    [Fact]
    public void Blocks_match_ipv4_ipv6_and_ipv4_seen_through_a_dual_stack_socket()
    {
        Assert.True(AddressAllowList.TryParse([" 198.51.100.0/24", "203.0.113.9", "2001:db8:1::/48"], out var list, out var error), error);
        Assert.Equal(["198.51.100.0/24", "203.0.113.9/32", "2001:db8:1::/48"], list.Entries);

        Assert.True(list.Allows(IPAddress.Parse("198.51.100.200")));
        Assert.True(list.Allows(IPAddress.Parse("::ffff:198.51.100.7")));
        Assert.True(list.Allows(IPAddress.Parse("203.0.113.9")));
        Assert.True(list.Allows(IPAddress.Parse("2001:db8:1:ffff::1")));
        Assert.False(list.Allows(IPAddress.Parse("198.51.101.1")));
        Assert.False(list.Allows(IPAddress.Parse("203.0.113.10")));
        Assert.False(list.Allows(IPAddress.Parse("2001:db8:2::1")));
        Assert.False(list.Allows(null));
    }

    [Fact]
    public void An_empty_list_allows_everyone_even_an_unknown_address()
    {
        Assert.True(AddressAllowList.TryParse([], out var list, out _));
        Assert.False(list.IsRestricted);
        Assert.True(list.Allows(null));
        Assert.True(list.Allows(IPAddress.Parse("192.0.2.1")));
    }

    [Theory]
    [InlineData("", "not an IPv4 or IPv6 address")]
    [InlineData("example.com", "not an IPv4 or IPv6 address")]
    [InlineData("10", "not an IPv4 or IPv6 address")]
    [InlineData("10.1/16", "not an IPv4 or IPv6 address")]
    [InlineData("fe80::1%eth0", "not an IPv4 or IPv6 address")]
    [InlineData("::ffff:10.0.0.1", "not an IPv4 or IPv6 address")]
    [InlineData("10.0.0.0/33", "prefix length must be 0 to 32")]
    [InlineData("2001:db8::/129", "prefix length must be 0 to 128")]
    [InlineData("10.0.0.0/-1", "prefix length")]
    [InlineData("10.0.0.0/", "prefix length")]
    [InlineData("10.0.0.1/24", "the block is 10.0.0.0/24")]
    public void Bad_entries_are_refused_with_the_entry_named(string entry, string expected)
    {
        Assert.False(AddressAllowList.TryParse(["192.0.2.0/24", entry], out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_list_is_bounded()
    {
        var entries = Enumerable.Range(0, AddressAllowList.MaxEntries + 1).Select(i => $"10.0.{i / 256}.{i % 256}");
        Assert.False(AddressAllowList.TryParse(entries, out _, out var error));
        Assert.Contains($"At most {AddressAllowList.MaxEntries}", error, StringComparison.Ordinal);
    }
}
