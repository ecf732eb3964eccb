using System.Net;
using Taifa.Abstractions.Accounts;
using Taifa.Silo.Tests.Smpp;
using Taifa.Smpp.Pdus;

namespace Taifa.Silo.Tests.Security;

/// <summary>Failed logins lock out the address (REST and SMPP together) and the SMPP system_id; lock-outs expire.</summary>
[Collection(SmppCollection.Name)]
public sealed class BruteForceTests(SecurityGateway gateway) : IClassFixture<SecurityGateway>
{
    private static readonly string WrongKey = new('a', 64);

    [Fact]
    public async Task Wrong_keys_lock_the_address_out_of_every_customer_route_until_the_lockout_ends()
    {
        var account = await gateway.OpenAccountAsync(100m, 1m);
        const string guesser = "198.18.0.1";
        Assert.Equal("1006", SecurityGateway.StatusCode(await gateway.CallAsync(CustomerRoute.SendSms, guesser, WrongKey, account)));
        Assert.Equal("1006;Invalid API key", await gateway.CallAsync(CustomerRoute.LegacySendSmsPlain, guesser, "not-even-hex", account));
        Assert.Equal("1006", SecurityGateway.StatusCode(await gateway.CallAsync(CustomerRoute.Status, guesser, WrongKey)));

        // Locked out: even the right key is answered as a wrong one, on every route, and nothing is charged.
        foreach (var route in CustomerRoute.All)
        {
            var body = await gateway.CallAsync(route, guesser, account.ApiKey, account);
            Assert.True(SecurityGateway.StatusCode(body) == "1006", $"{route} from a locked-out address answered {body}");
        }

        Assert.Equal("1006;Invalid API key", await gateway.CallAsync(CustomerRoute.LegacySendSmsPlain, guesser, account.ApiKey, account));

        // Another address with the right key is served at once.
        Assert.Equal("1000", SecurityGateway.StatusCode(await gateway.CallAsync(CustomerRoute.SendSms, "198.18.0.2", account.ApiKey, account)));
        Assert.Equal(99m, await gateway.BalanceAsync(account));

        var metrics = await gateway.Http.GetStringAsync("/metrics");
        Assert.Matches("taifa_logins_lockouts_total\\{[^}]*channel=\"rest\"[^}]*scope=\"address\"[^}]*\\} [1-9]", metrics);

        await Task.Delay(SecurityGateway.Lockout + TimeSpan.FromMilliseconds(200));
        Assert.Equal("1000", SecurityGateway.StatusCode(await gateway.CallAsync(CustomerRoute.SendSms, guesser, account.ApiKey, account)));
    }

    [Fact]
    public async Task Missing_keys_are_not_guesses_and_do_not_lock_out()
    {
        var account = await gateway.OpenAccountAsync(100m, 1m);
        const string client = "198.18.0.3";
        for (var i = 0; i < 5; i++) Assert.Equal("1006", SecurityGateway.StatusCode(await gateway.CallAsync(CustomerRoute.Units, client, apiKey: null)));
        Assert.Equal("1000", SecurityGateway.StatusCode(await gateway.CallAsync(CustomerRoute.SendSms, client, account.ApiKey, account)));
    }

    [Fact]
    public async Task Forwarded_for_from_an_untrusted_peer_is_ignored()
    {
        var account = await gateway.OpenAccountAsync(100m, 1m);
        using var untrusted = gateway.HttpFrom(IPAddress.Parse("127.0.0.9"));
        for (var i = 0; i < 3; i++)
        {
            // A client writing a new X-Forwarded-For each time still counts as the address it connects from.
            await SecurityGateway.CallAsync(untrusted, CustomerRoute.Units, WrongKey, forwardedFor: $"198.18.1.{i}");
        }

        var body = await SecurityGateway.CallAsync(untrusted, CustomerRoute.SendSms, account.ApiKey, account, forwardedFor: "198.18.1.99");
        Assert.Equal("1006", SecurityGateway.StatusCode(body));
        Assert.Equal("1000", SecurityGateway.StatusCode(await gateway.CallAsync(CustomerRoute.SendSms, "198.18.1.99", account.ApiKey, account)));
    }

    [Fact]
    public async Task Wrong_passwords_lock_the_system_id_out_for_every_source_until_the_lockout_ends()
    {
        var target = await gateway.OpenSmppAccountAsync();
        var bystander = await gateway.OpenSmppAccountAsync();

        // Three guessers, one failure each: no address reaches its limit, the system_id does.
        for (var i = 1; i <= 3; i++)
        {
            await using var guesser = await gateway.ConnectAsync(IPAddress.Parse($"127.0.1.{i}"));
            Assert.Equal(CommandStatus.BindFailed, (await guesser.BindAsync(target.SystemId, "guess" + i)).CommandStatus);
            if (i == 3) Assert.Empty(await guesser.ReadUntilClosedAsync());
        }

        Assert.True(await gateway.Grains.SmppSystemIdLockout(target.SystemId).IsLockedOut());
        await using (var owner = await gateway.ConnectAsync(IPAddress.Parse("127.0.1.4")))
        {
            Assert.Equal(CommandStatus.BindFailed, (await owner.BindAsync(target, CommandId.BindTransceiver)).CommandStatus);
            Assert.Empty(await owner.ReadUntilClosedAsync());
        }

        // Other accounts are not slowed, from the same addresses either.
        await using (var other = await gateway.ConnectAsync(IPAddress.Parse("127.0.1.3")))
        {
            Assert.Equal(CommandStatus.Ok, (await other.BindAsync(bystander)).CommandStatus);
        }

        var metrics = await gateway.Http.GetStringAsync("/metrics");
        Assert.Matches("taifa_logins_lockouts_total\\{[^}]*channel=\"smpp\"[^}]*scope=\"system_id\"[^}]*\\} [1-9]", metrics);

        await Task.Delay(SecurityGateway.Lockout + TimeSpan.FromMilliseconds(200));
        await using var later = await gateway.ConnectAsync(IPAddress.Parse("127.0.1.4"));
        Assert.Equal(CommandStatus.Ok, (await later.BindAsync(target)).CommandStatus);
    }

    [Fact]
    public async Task Unknown_system_ids_and_wrong_keys_from_one_address_lock_it_out_of_smpp_and_rest()
    {
        var account = await gateway.OpenSmppAccountAsync();
        var guesser = IPAddress.Parse("127.0.2.1");
        await using (var client = await gateway.ConnectAsync(guesser))
        {
            Assert.Equal(CommandStatus.BindFailed, (await client.BindAsync("nobody" + Guid.NewGuid().ToString("N")[..8], "x")).CommandStatus);
            Assert.Equal(CommandStatus.BindFailed, (await client.BindAsync("nobody" + Guid.NewGuid().ToString("N")[..8], "x")).CommandStatus);
        }

        using var http = gateway.HttpFrom(guesser);
        Assert.Equal("1006", SecurityGateway.StatusCode(await SecurityGateway.CallAsync(http, CustomerRoute.Units, WrongKey)));

        await using (var client = await gateway.ConnectAsync(guesser))
        {
            Assert.Equal(CommandStatus.BindFailed, (await client.BindAsync(account)).CommandStatus);
            Assert.Empty(await client.ReadUntilClosedAsync());
        }

        Assert.Equal("1006", SecurityGateway.StatusCode(await SecurityGateway.CallAsync(http, CustomerRoute.Units, account.Account.ApiKey)));
        Assert.False(await gateway.Grains.SmppSystemIdLockout(account.SystemId).IsLockedOut());

        await using var elsewhere = await gateway.ConnectAsync(IPAddress.Parse("127.0.2.2"));
        Assert.Equal(CommandStatus.Ok, (await elsewhere.BindAsync(account)).CommandStatus);
    }
}
