using System.Net;
using System.Text.Json.Nodes;
using Taifa.Abstractions.Accounts;
using Taifa.Silo.Tests.Smpp;
using Taifa.Smpp.Pdus;

namespace Taifa.Silo.Tests.Security;

/// <summary>The optional per-account IP allow-list: set and cleared by the admin API, enforced for REST calls and SMPP binds.</summary>
[Collection(SmppCollection.Name)]
public sealed class AllowListTests(SecurityGateway gateway) : IClassFixture<SecurityGateway>
{
    private static string Path(TestAccountRef account) => $"/v2/admin/accounts/{account.Id}/allowed-addresses";

    [Fact]
    public async Task Admin_sets_validates_shows_and_clears_the_list()
    {
        var account = new TestAccountRef((await gateway.OpenAccountAsync(10m, 1m)).AccountId);
        var set = JsonNode.Parse(await gateway.AdminRawAsync(HttpMethod.Put, Path(account),
            """{"allowed_addresses":["198.18.10.0/24"," 2001:db8:10::/48","198.18.11.5","198.18.10.0/24"]}""", HttpStatusCode.OK))!;
        Assert.Equal("""["198.18.10.0/24","2001:db8:10::/48","198.18.11.5/32"]""", set["allowed_addresses"]!.ToJsonString());

        var shown = JsonNode.Parse(await gateway.AdminRawAsync(HttpMethod.Get, $"/v2/admin/accounts/{account.Id}", null, HttpStatusCode.OK))!;
        Assert.Equal(set["allowed_addresses"]!.ToJsonString(), shown["allowed_addresses"]!.ToJsonString());

        foreach (var bad in new[]
                 {
                     """{"allowed_addresses":["198.18.10.1/24"]}""", """{"allowed_addresses":["not-an-address"]}""",
                     """{"allowed_addresses":[42]}""", """{"allowed_addresses":"198.18.10.0/24"}""", """{}""", "not json",
                 })
        {
            var problem = JsonNode.Parse(await gateway.AdminRawAsync(HttpMethod.Put, Path(account), bad, HttpStatusCode.BadRequest))!;
            Assert.Equal("Invalid request", problem["title"]!.GetValue<string>());
        }

        await gateway.AdminRawAsync(HttpMethod.Put, "/v2/admin/accounts/1/allowed-addresses", """{"allowed_addresses":[]}""", HttpStatusCode.NotFound);
        await gateway.AdminRawAsync(HttpMethod.Delete, "/v2/admin/accounts/1/allowed-addresses", null, HttpStatusCode.NotFound);

        await gateway.AdminRawAsync(HttpMethod.Delete, Path(account), null, HttpStatusCode.NoContent);
        shown = JsonNode.Parse(await gateway.AdminRawAsync(HttpMethod.Get, $"/v2/admin/accounts/{account.Id}", null, HttpStatusCode.OK))!;
        Assert.Equal("[]", shown["allowed_addresses"]!.ToJsonString());
    }

    [Fact]
    public async Task Rest_calls_from_outside_the_list_answer_1016_on_every_route_and_charge_nothing()
    {
        var account = await gateway.OpenAccountAsync(10m, 1m);
        await gateway.AdminRawAsync(HttpMethod.Put, Path(new(account.AccountId)),
            """{"allowed_addresses":["198.18.20.0/24","2001:db8:20::/48"]}""", HttpStatusCode.OK);

        Assert.Equal("1000", SecurityGateway.StatusCode(await gateway.CallAsync(CustomerRoute.SendSms, "198.18.20.7", account.ApiKey, account)));
        Assert.Equal("1000", SecurityGateway.StatusCode(await gateway.CallAsync(CustomerRoute.SendSms, "2001:db8:20::9", account.ApiKey, account)));

        // A fresh outsider per call (IPv6 ones in different /64s), so that refusals never add up to a lock-out (1006) midway.
        var outsiders = new[] { "198.18.21.1", "2001:db8:21:1::1", "198.18.21.2", "2001:db8:21:2::1", "198.18.21.3", "2001:db8:21:3::1" };
        for (var i = 0; i < CustomerRoute.All.Length; i++)
        {
            var body = await gateway.CallAsync(CustomerRoute.All[i], outsiders[i], account.ApiKey, account);
            Assert.True(SecurityGateway.StatusCode(body) == "1016", $"{CustomerRoute.All[i]} from outside the list answered {body}");
        }

        Assert.Equal("1016;Address not allowed", await gateway.CallAsync(CustomerRoute.LegacySendSmsPlain, "198.18.21.4", account.ApiKey, account));
        Assert.Equal(8m, await gateway.BalanceFromAsync(account, "198.18.20.8"));

        await gateway.AdminRawAsync(HttpMethod.Delete, Path(new(account.AccountId)), null, HttpStatusCode.NoContent);
        Assert.Equal("1000", SecurityGateway.StatusCode(await gateway.CallAsync(CustomerRoute.SendSms, "198.18.21.5", account.ApiKey, account)));
    }

    [Fact]
    public async Task Smpp_binds_from_outside_the_list_fail_without_locking_the_owner_out_and_a_new_list_unbinds_live_sessions()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await gateway.AdminRawAsync(HttpMethod.Put, Path(new(account.Account.AccountId)), """{"allowed_addresses":["127.0.3.1"]}""", HttpStatusCode.OK);

        // More outsiders than the system_id limit, one bind each: refused, but the system_id is not locked for the owner.
        for (var i = 2; i <= 5; i++)
        {
            await using var outsider = await gateway.ConnectAsync(IPAddress.Parse($"127.0.3.{i}"));
            Assert.Equal(CommandStatus.BindFailed, (await outsider.BindAsync(account)).CommandStatus);
        }

        Assert.False(await gateway.Grains.SmppSystemIdLockout(account.SystemId).IsLockedOut());
        await using var insider = await gateway.ConnectAsync(IPAddress.Parse("127.0.3.1"));
        Assert.Equal(CommandStatus.Ok, (await insider.BindAsync(account, CommandId.BindTransceiver)).CommandStatus);

        await gateway.AdminRawAsync(HttpMethod.Put, Path(new(account.Account.AccountId)), """{"allowed_addresses":["127.0.3.9/32"]}""", HttpStatusCode.OK);
        var unbind = await insider.ReadAsync<Unbind>();
        await insider.SendAsync(unbind.CreateResponse());
        await using var again = await gateway.ConnectAsync(IPAddress.Parse("127.0.3.1"));
        Assert.Equal(CommandStatus.BindFailed, (await again.BindAsync(account)).CommandStatus);
    }

    private sealed record TestAccountRef(long Id);
}
