using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Api;

/// <summary>
/// Rate cards: a default price per part and prices per network_id, fixed into each message's cost at acceptance.
/// Runs embedded (<see cref="EmbeddedRateCardTests"/>) and on PostgreSQL (<see cref="PostgresRateCardTests"/>).
/// </summary>
public abstract class RateCardTests(ModeGateway fixture)
{
    protected const string Safaricom = "0702739804";
    protected const string Airtel = "0733123456";
    protected const string Telkom = "0771234567";

    private GatewayFactory Gateway => fixture.Gateway;

    [Fact]
    public async Task A_mixed_bulk_send_charges_each_recipient_the_price_of_its_network()
    {
        var account = await Gateway.OpenAccountAsync(credit: 10m, price: 1m);
        await SetPricesAsync(account, new { @default = 1.00, networks = new Dictionary<string, object> { ["1"] = 0.80, ["2"] = "0.65" } });
        using var client = Gateway.CreateClient();

        var sent = await client.SendSmsAsync(account.ApiKey, new { mobile = $"{Safaricom},{Airtel},{Telkom}", sender_name = account.SenderId, message = "rates" });
        Assert.Equal(["0.80", "0.65", "1.00"], sent.Select(e => e!["message_cost"]!.GetValue<string>()));
        Assert.Equal(["9.20", "8.55", "7.55"], sent.Select(e => e!["credit_balance"]!.GetValue<string>()));
        Assert.Equal(["1", "2", "3"], sent.Select(e => e!["network_id"]!.GetValue<string>()));

        // Two parts to Airtel: twice its price.
        var twoParts = await client.SendSmsAsync(account.ApiKey, new { mobile = Airtel, sender_name = account.SenderId, message = new string('a', 200) });
        Assert.Equal("1.30", twoParts[0]!["message_cost"]!.GetValue<string>());
        Assert.Equal("6.25", twoParts[0]!["credit_balance"]!.GetValue<string>());

        // A later rate card does not touch what was accepted before it.
        await SetPricesAsync(account, new { @default = 2.00 });
        var status = await client.GetJsonAsync($"/v2/sms/status?message_id={sent[0]!["message_id"]!.GetValue<string>()}", account.ApiKey);
        Assert.Equal("0.80", status["message_cost"]!.GetValue<string>());
        var after = await client.SendSmsAsync(account.ApiKey, new { mobile = Safaricom, sender_name = account.SenderId, message = "new card" });
        Assert.Equal("2.00", after[0]!["message_cost"]!.GetValue<string>());
        Assert.Equal("4.25", (await client.GetJsonAsync("/v2/sms/units", account.ApiKey))["credit_balance"]!.GetValue<string>());
    }

    [Fact]
    public async Task Credit_is_checked_against_each_recipients_own_cost()
    {
        var account = await Gateway.OpenAccountAsync(credit: 0.70m, price: 1m);
        await SetPricesAsync(account, new { @default = "1.00", networks = new Dictionary<string, object> { ["2"] = 0.65 } });
        using var client = Gateway.CreateClient();

        var sent = await client.SendSmsAsync(account.ApiKey, new { mobile = $"{Safaricom},{Airtel},{Airtel}", sender_name = account.SenderId, message = "credit" });
        Assert.Equal(["1004", "1000", "1004"], sent.Select(e => e!.Code()));
        Assert.Equal("0.65", sent[1]!["message_cost"]!.GetValue<string>());
        Assert.Equal("0.05", (await client.GetJsonAsync("/v2/sms/units", account.ApiKey))["credit_balance"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_price_endpoint_answers_the_price_per_part_of_the_numbers_network()
    {
        var account = await Gateway.OpenAccountAsync(credit: 5m, price: 1.25m);
        using var client = Gateway.CreateClient();

        // Without a rate card: the account's one price, as before.
        Assert.Equal(
            """{"status_code":"1000","mobile_number":"254702739804","network_id":"1","price_per_part":"1.25"}""",
            (await client.GetJsonAsync($"/v2/sms/price?mobile={Safaricom}", account.ApiKey)).ToJsonString());
        var unchanged = await client.SendSmsAsync(account.ApiKey, new { mobile = Airtel, sender_name = account.SenderId, message = new string('b', 200) });
        Assert.Equal("2.50", unchanged[0]!["message_cost"]!.GetValue<string>());

        await SetPricesAsync(account, new { @default = 1.00, networks = new Dictionary<string, object> { ["1"] = 0.80 } });
        var quoted = await client.GetJsonAsync($"/v2/sms/price?mobile=%2B254%20702%20739804", account.ApiKey);
        Assert.Equal("0.80", quoted["price_per_part"]!.GetValue<string>());
        Assert.Equal("254702739804", quoted["mobile_number"]!.GetValue<string>());
        Assert.Equal("1.00", (await client.GetJsonAsync($"/v2/sms/price?mobile={Telkom}", account.ApiKey))["price_per_part"]!.GetValue<string>());

        Assert.Equal("""[{"status_code":"1003","status_desc":"Invalid mobile number"}]""",
            (await client.GetJsonAsync("/v2/sms/price?mobile=0200123456", account.ApiKey)).ToJsonString());
        Assert.Equal("1003", (await client.GetJsonAsync("/v2/sms/price", account.ApiKey))[0]!.Code());
        Assert.Equal("""[{"status_code":"1006","status_desc":"Invalid API key"}]""",
            (await client.GetJsonAsync($"/v2/sms/price?mobile={Safaricom}", new string('0', 64))).ToJsonString());
        Assert.Equal("1006", (await client.GetJsonAsync($"/v2/sms/price?mobile=nonsense", null))[0]!.Code());
    }

    [Fact]
    public async Task The_admin_view_shows_the_rate_card()
    {
        var account = await Gateway.OpenAccountAsync(credit: 5m, price: 0.90m);
        using var admin = Gateway.CreateAdminClient();
        var before = JsonNode.Parse(await admin.GetStringAsync($"/v2/admin/accounts/{account.AccountId}"))!;
        Assert.Equal("""{"default":"0.90","networks":{}}""", before["prices"]!.ToJsonString());

        var answer = await SetPricesAsync(account, new { @default = 1.10, networks = new Dictionary<string, object> { ["2"] = 0.65, ["1"] = 0.8 } });
        Assert.Equal("""{"default":"1.10","networks":{"1":"0.80","2":"0.65"}}""", answer["prices"]!.ToJsonString());
        Assert.Equal("1.10", answer["price_per_sms"]!.GetValue<string>());
        var after = JsonNode.Parse(await admin.GetStringAsync($"/v2/admin/accounts/{account.AccountId}"))!;
        Assert.Equal(answer["prices"]!.ToJsonString(), after["prices"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"networks":{"1":0.80}}""")]
    [InlineData("""{"default":null}""")]
    [InlineData("""{"default":-0.01}""")]
    [InlineData("""{"default":"1000.01"}""")]
    [InlineData("""{"default":0.805}""")]
    [InlineData("""{"default":"abc"}""")]
    [InlineData("""{"default":1,"networks":[0.8]}""")]
    [InlineData("""{"default":1,"networks":{"99":0.8}}""")]
    [InlineData("""{"default":1,"networks":{"0":0.8}}""")]
    [InlineData("""{"default":1,"networks":{"safaricom":0.8}}""")]
    [InlineData("""{"default":1,"networks":{"1":-1}}""")]
    [InlineData("""{"default":1,"networks":{"1":"0.8x"}}""")]
    [InlineData("""{"default":1,"networks":{"1":0.8,"01":0.7}}""")]
    [InlineData("""[1]""")]
    public async Task An_invalid_rate_card_is_refused_and_changes_nothing(string body)
    {
        var account = await Gateway.OpenAccountAsync(credit: 5m, price: 0.90m);
        using var admin = Gateway.CreateAdminClient();
        using var response = await admin.PutAsync($"/v2/admin/accounts/{account.AccountId}/prices", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("application/problem+json", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);

        using var client = Gateway.CreateClient();
        Assert.Equal("0.90", (await client.GetJsonAsync($"/v2/sms/price?mobile={Safaricom}", account.ApiKey))["price_per_part"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_rate_card_for_an_unknown_account_is_404()
    {
        using var admin = Gateway.CreateAdminClient();
        using var response = await admin.PutAsJsonAsync("/v2/admin/accounts/12345/prices", new { @default = 1 });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_rate_card_survives_reloading_the_account()
    {
        var account = await Gateway.OpenAccountAsync(credit: 10m, price: 1m);
        await SetPricesAsync(account, new { @default = 1.20, networks = new Dictionary<string, object> { ["1"] = 0.80, ["2"] = 0.65 } });

        await fixture.ReloadAsync(account);

        using var client = Gateway.CreateClient();
        var sent = await client.SendSmsAsync(account.ApiKey, new { mobile = $"{Safaricom},{Airtel},{Telkom}", sender_name = account.SenderId, message = "after reload" });
        Assert.Equal(["0.80", "0.65", "1.20"], sent.Select(e => e!["message_cost"]!.GetValue<string>()));
        Assert.Equal("7.35", sent[2]!["credit_balance"]!.GetValue<string>());
        using var admin = Gateway.CreateAdminClient();
        var view = JsonNode.Parse(await admin.GetStringAsync($"/v2/admin/accounts/{account.AccountId}"))!;
        Assert.Equal("""{"default":"1.20","networks":{"1":"0.80","2":"0.65"}}""", view["prices"]!.ToJsonString());
    }

    private async Task<JsonNode> SetPricesAsync(TestAccount account, object card)
    {
        using var admin = Gateway.CreateAdminClient();
        using var response = await admin.PutAsJsonAsync($"/v2/admin/accounts/{account.AccountId}/prices", card);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"PUT prices answered {response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }
}

public sealed class EmbeddedRateCardTests(EmbeddedModeGateway gateway) : RateCardTests(gateway), IClassFixture<EmbeddedModeGateway>;

public sealed class PostgresRateCardTests(PostgresModeGateway gateway) : RateCardTests(gateway), IClassFixture<PostgresModeGateway>;
