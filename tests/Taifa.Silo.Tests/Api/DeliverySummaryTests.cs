using System.Globalization;
using System.Text.Json.Nodes;
using Taifa.Grains.Ledger;
using Taifa.Silo.Api;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Api;

/// <summary>
/// GET /v2/sms/delivery-summary: an account's messages per Nairobi day and status, from one ledger aggregate.
/// Runs embedded (<see cref="EmbeddedDeliverySummaryTests"/>) and on PostgreSQL (<see cref="PostgresDeliverySummaryTests"/>).
/// </summary>
public abstract class DeliverySummaryTests(ModeGateway fixture)
{
    private GatewayFactory Gateway => fixture.Gateway;

    [Fact]
    public async Task Every_one_of_the_last_days_is_listed_with_the_accounts_own_messages_by_status()
    {
        var account = await Gateway.OpenAccountAsync(50m, 1m);
        var other = await Gateway.OpenAccountAsync(50m, 1m);
        using var client = Gateway.CreateClient();
        await SendAsync(client, account, 3);
        await SendAsync(client, other, 1);

        var summary = await SettledSummaryAsync(client, account, 3, "");

        Assert.Equal("1000", summary.Code());
        Assert.Equal("Success", summary["status_desc"]!.GetValue<string>());
        var days = summary["days"]!.AsArray();
        var today = LedgerDays.NairobiDayOf(DateTimeOffset.UtcNow);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => today.AddDays(i - 6).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            days.Select(d => d!["date"]!.GetValue<string>()));
        Assert.All(days, d => Assert.Equal(
            ["date", "total", "scheduled", "queued", "submitted", "delivered", "undelivered", "expired", "rejected", "failed", "cancelled"],
            d!.AsObject().Select(p => p.Key)));
        Assert.All(days, d => Assert.Equal(d!["total"]!.GetValue<long>(), DeliverySummary.Statuses.Sum(s => d[MessageStatusJson.WireName(s)]!.GetValue<long>())));
        Assert.Equal(3, days.Sum(d => d!["total"]!.GetValue<long>()));
        AssertStatuses(days, sent: 3);

        var month = await client.GetJsonAsync("/v2/sms/delivery-summary?days=31", account.ApiKey);
        Assert.Equal(31, month["days"]!.AsArray().Count);
        Assert.Equal(3, month["days"]!.AsArray().Sum(d => d!["total"]!.GetValue<long>()));
        var one = await client.GetJsonAsync("/v2/sms/delivery-summary?days=1", account.ApiKey);
        Assert.Equal(today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Assert.Single(one["days"]!.AsArray())!["date"]!.GetValue<string>());
    }

    /// <summary>The built-in simulators delivered every message, and the ledger's rows say so (<see cref="SettledSummaryAsync"/> waits for them).</summary>
    public static void AssertStatuses(JsonArray days, long sent)
    {
        var delivered = days.Sum(d => d!["delivered"]!.GetValue<long>());
        var queued = days.Sum(d => d!["queued"]!.GetValue<long>());
        Assert.Equal((sent, 0L), (delivered, queued));
    }

    /// <summary>The summary once the simulators have delivered every message.</summary>
    public static async Task<JsonNode> SettledSummaryAsync(HttpClient client, TestAccount account, long sent, string query)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var summary = await client.GetJsonAsync("/v2/sms/delivery-summary" + query, account.ApiKey);
            if (summary["days"]!.AsArray().Sum(d => d!["delivered"]!.GetValue<long>()) == sent) return summary;
            Assert.True(DateTime.UtcNow < deadline, "waiting for the simulators' deliveries to reach the ledger");
            await Task.Delay(250);
        }
    }

    [Theory]
    [InlineData("?days=0")]
    [InlineData("?days=32")]
    [InlineData("?days=-1")]
    [InlineData("?days=seven")]
    [InlineData("?days=")]
    [InlineData("?days=7.0")]
    public async Task Days_outside_1_to_31_answer_1019(string query)
    {
        var account = await Gateway.OpenAccountAsync();
        using var client = Gateway.CreateClient();
        var answer = await client.GetJsonAsync("/v2/sms/delivery-summary" + query, account.ApiKey);
        Assert.Equal("""[{"status_code":"1019","status_desc":"Invalid parameters"}]""", answer.ToJsonString());
    }

    [Fact]
    public async Task A_bad_key_answers_1006_and_the_endpoint_is_in_the_customer_openapi_document()
    {
        using var client = Gateway.CreateClient();
        Assert.NotNull(JsonNode.Parse(await client.GetStringAsync("/openapi/customer.json"))!["paths"]!["/v2/sms/delivery-summary"]);
        Assert.Equal("1006", (await client.GetJsonAsync("/v2/sms/delivery-summary", new string('0', 64)))[0]!.Code());
        Assert.Equal("1006", (await client.GetJsonAsync("/v2/sms/delivery-summary?days=0", null))[0]!.Code());
    }

    public static async Task SendAsync(HttpClient client, TestAccount account, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var answer = await client.SendSmsAsync(account.ApiKey, new { mobile = "0702739804", sender_name = account.SenderId, message = "summary " + i });
            Assert.Equal("1000", answer[0]!.Code());
        }
    }
}

public sealed class EmbeddedDeliverySummaryTests(EmbeddedModeGateway gateway) : DeliverySummaryTests(gateway), IClassFixture<EmbeddedModeGateway>;

public sealed class PostgresDeliverySummaryTests(PostgresModeGateway gateway) : DeliverySummaryTests(gateway), IClassFixture<PostgresModeGateway>;
