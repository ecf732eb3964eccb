using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Taifa.Silo.Dispatch;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Silo.Tests.Smpp;

namespace Taifa.Silo.Tests.Api;

/// <summary>
/// Production mode on PostgreSQL: a message scheduled before a restart is still scheduled after it, goes out at its
/// time from the next gateway, and was charged once; one cancelled before the restart stays cancelled and refunded.
/// </summary>
[Collection(SmppCollection.Name)]
public sealed class ScheduledRestartTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(applySchema: false);

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task A_scheduled_message_survives_a_restart_and_goes_out_at_its_time()
    {
        TestAccount account;
        string scheduled, cancelled;
        var sendAt = DateTimeOffset.UtcNow.AddSeconds(25);
        var sendAtText = sendAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
        await using (var first = new GatewayFactory(_database.ConnectionString))
        {
            account = await first.OpenAccountAsync(credit: 10m, price: 1m);
            using var client = first.CreateClient();
            scheduled = (await client.SendSmsAsync(account.ApiKey, new { mobile = "0711000601", sender_name = account.SenderId, message = "after the restart", send_at = sendAtText }))[0]!["message_id"]!.GetValue<string>();
            cancelled = (await client.SendSmsAsync(account.ApiKey, new { mobile = "0711000602", sender_name = account.SenderId, message = "never", send_at = sendAtText }))[0]!["message_id"]!.GetValue<string>();
            var (_, answer) = await client.PostRawAsync("/v2/sms/cancel", account.ApiKey, $$"""{"message_id":"{{cancelled}}"}""");
            Assert.Contains("\"cancelled\"", answer, StringComparison.Ordinal);
        }

        await using var second = new GatewayFactory(_database.ConnectionString);
        using var http = second.CreateClient();
        var firstStatus = await StatusOf(http, account, scheduled);
        var ready = DateTimeOffset.UtcNow;

        // A slow start (a loaded machine) may end after the send time: then the message is already on its way.
        if (ready < sendAt - TimeSpan.FromSeconds(2)) Assert.Equal("scheduled", firstStatus);
        Assert.Equal("cancelled", await StatusOf(http, account, cancelled));
        var safaricom = second.Services.GetRequiredService<BuiltInOperators>().Simulators["safaricom"];

        var deadline = DateTimeOffset.UtcNow + Patience;
        while (await StatusOf(http, account, scheduled) != "delivered")
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"message {scheduled} not delivered within {Patience} after its time");
            await Task.Delay(200);
        }

        var submit = Assert.Single(safaricom.Submits, s => s.Destination.Address == "254711000601");
        Assert.InRange(submit.ReceivedAt, sendAt, (ready > sendAt ? ready : sendAt) + TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(safaricom.Submits, s => s.Destination.Address == "254711000602");
        var units = await http.GetJsonAsync("/v2/sms/units", account.ApiKey);
        Assert.Equal("9.00", units["credit_balance"]!.GetValue<string>());
    }

    private static async Task<string> StatusOf(HttpClient http, TestAccount account, string messageId) =>
        (await http.GetJsonAsync($"/v2/sms/status?message_id={messageId}", account.ApiKey))["status"]!.GetValue<string>();
}
