using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Taifa.Silo.Dispatch;
using Taifa.Silo.Tests.Dispatch;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Silo.Tests.Smpp;
using Taifa.Smpp.Pdus;

namespace Taifa.Silo.Tests.Inbound;

/// <summary>
/// Production mode on PostgreSQL: an inbound message whose webhook kept failing is still delivered by the next silo
/// after a restart, and an opt-out taken before the restart still refuses sends after it (the account reloads its list).
/// </summary>
[Collection(SmppCollection.Name)]
public sealed class InboundRestartTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Taifa:Api:AllowPrivateCallbackTargets"] = "true",
        ["Taifa:Inbound:PollInterval"] = "00:00:00.100",
    };

    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(applySchema: false);

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task A_webhook_that_failed_before_a_restart_gets_the_message_after_it_and_opt_outs_still_hold()
    {
        await using var webhook = new StatusCallbackReceiver();
        webhook.FailNext(int.MaxValue);
        TestAccount account;
        await using (var first = new GatewayFactory(_database.ConnectionString, Settings))
        {
            account = await first.OpenAccountAsync();
            using var admin = first.CreateAdminClient();
            using (var routed = await admin.PostAsJsonAsync($"/v2/admin/accounts/{account.AccountId}/inbound-numbers", new { number = "22334" }))
                Assert.Equal(System.Net.HttpStatusCode.Created, routed.StatusCode);
            using var client = first.CreateClient();
            await client.PostRawAsync("/v2/sms/inbound-webhook", account.ApiKey, $$"""{"url":"{{webhook.Url}}"}""");
            var safaricom = first.Services.GetRequiredService<BuiltInOperators>().Simulators["safaricom"];
            Assert.Equal(CommandStatus.Ok, await InboundEndToEndTests.DeliverAsync(safaricom, InboundEndToEndTests.Mo("254702000400", "22334", "before the restart")));
            Assert.Equal(CommandStatus.Ok, await InboundEndToEndTests.DeliverAsync(safaricom, InboundEndToEndTests.Mo("254702000401", "22334", "STOP")));

            // The first attempt has been refused: the message waits in the store for its next one.
            var deadline = DateTime.UtcNow + Patience;
            while (webhook.Refused < 1 && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.True(webhook.Refused >= 1, "the webhook was never tried before the restart");
            deadline = DateTime.UtcNow + Patience;
            while (DateTime.UtcNow < deadline &&
                   (await client.GetJsonAsync("/v2/sms/optouts", account.ApiKey))["optouts"]!.AsArray().Count == 0) await Task.Delay(100);
        }

        webhook.FailNext(0);
        await using var second = new GatewayFactory(_database.ConnectionString, Settings);
        using var again = second.CreateClient();
        var posted = await webhook.WaitForAsync(p => p["text"]?.GetValue<string>() == "before the restart", Patience, "after the restart");
        Assert.Equal("254702000400", posted["from"]!.GetValue<string>());
        var sent = await again.SendSmsAsync(account.ApiKey, new { mobile = "0702000401", sender_name = account.SenderId, message = "Offer" });
        Assert.Equal("1017", sent[0]!.Code());
        Assert.Equal(2, (await again.GetJsonAsync("/v2/sms/inbound", account.ApiKey))["messages"]!.AsArray().Count);
    }
}
