using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Api;

public sealed class AccountEndpointsTests(EmbeddedGateway gateway) : IClassFixture<EmbeddedGateway>
{
    private readonly HttpClient _client = gateway.Factory.CreateClient();

    [Theory]
    [InlineData("/v2/sms/units")]
    [InlineData("/api/sms/units.php")]
    public async Task Units_answers_balance_and_Nairobi_time(string path)
    {
        var account = await gateway.Factory.OpenAccountAsync(credit: 498m);
        var units = (await _client.GetJsonAsync(path, account.ApiKey)).AsObject();
        Assert.Equal(["credit_balance", "date"], units.Select(p => p.Key).ToArray());
        Assert.Equal("498.00", units["credit_balance"]!.GetValue<string>());
        var date = DateTime.ParseExact(units["date"]!.GetValue<string>(), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var nairobiNow = DateTime.UtcNow.AddHours(3);
        Assert.InRange((nairobiNow - date).Duration(), TimeSpan.Zero, TimeSpan.FromMinutes(1));

        var bad = await _client.GetJsonAsync(path, "nope");
        Assert.Equal("""[{"status_code":"1006","status_desc":"Invalid API key"}]""", bad.ToJsonString());
    }

    [Fact]
    public async Task Smpp_credentials_are_echoed_overwritable_and_unique_across_accounts()
    {
        var first = await gateway.Factory.OpenAccountAsync();
        var second = await gateway.Factory.OpenAccountAsync();
        var username = "u" + Guid.NewGuid().ToString("N")[..10];

        var (_, body) = await _client.PostRawAsync("/v2/sms/smpp-credentials", first.ApiKey,
            $$"""{"smpp_username": "{{username}}", "smpp_password": "myPass8c"}""");
        Assert.Equal($$"""{"smpp_username":"{{username}}","smpp_password":"myPass8c"}""", body);

        (_, body) = await _client.PostRawAsync("/v2/sms/smpp-credentials", first.ApiKey,
            $$"""{"smpp_username": "{{username}}", "smpp_password": "n3wPass"}""");
        Assert.Equal($$"""{"smpp_username":"{{username}}","smpp_password":"n3wPass"}""", body);

        (_, body) = await _client.PostRawAsync("/v2/sms/smpp-credentials", second.ApiKey,
            $$"""{"smpp_username": "{{username}}", "smpp_password": "steal"}""");
        Assert.Equal("""[{"status_code":"1012","status_desc":"SMPP username already taken"}]""", body);

        using var admin = gateway.Factory.CreateAdminClient();
        var view = JsonNode.Parse(await admin.GetStringAsync($"/v2/admin/accounts/{first.AccountId}"))!;
        Assert.Equal(username, view["smpp_username"]!.GetValue<string>());
        Assert.DoesNotContain("n3wPass", view.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"smpp_username": "sixteen-chars-xx", "smpp_password": "pw"}""", "1013")]
    [InlineData("""{"smpp_username": "ok", "smpp_password": "ninechars"}""", "1013")]
    [InlineData("""{"smpp_username": "", "smpp_password": "pw"}""", "1013")]
    [InlineData("""{"smpp_username": "has space", "smpp_password": "pw"}""", "1013")]
    [InlineData("""{"smpp_username": "ok", "smpp_password": "pässwd"}""", "1013")]
    [InlineData("""{"smpp_username": "ok"}""", "1009")]
    [InlineData("""{"smpp_username": 5, "smpp_password": "pw"}""", "1009")]
    [InlineData("""not json""", "1009")]
    public async Task Invalid_smpp_credentials_are_refused(string body, string code)
    {
        var account = await gateway.Factory.OpenAccountAsync();
        var (_, text) = await _client.PostRawAsync("/v2/sms/smpp-credentials", account.ApiKey, body);
        Assert.Equal(code, JsonNode.Parse(text)![0]!.Code());

        (_, text) = await _client.PostRawAsync("/v2/sms/smpp-credentials", "bad", body);
        Assert.Equal("1006", JsonNode.Parse(text)![0]!.Code());
    }

    [Fact]
    public async Task Health_answers_ok_with_an_integer_queue_depth()
    {
        // That the depth counts waiting messages and returns to 0 is proven with an operator held down, in DispatchEndToEndTests.
        var health = (await _client.GetJsonAsync("/v2/sms/health", apiKey: null)).AsObject();
        Assert.Equal(["status", "queue_depth"], health.Select(p => p.Key).ToArray());
        Assert.Equal("ok", health["status"]!.GetValue<string>());
        Assert.Equal(JsonValueKind.Number, health["queue_depth"]!.GetValueKind());
        Assert.True(health["queue_depth"]!.GetValue<long>() >= 0);
    }

    [Fact]
    public async Task Status_shows_own_messages_only()
    {
        var owner = await gateway.Factory.OpenAccountAsync(price: 0.75m);
        var stranger = await gateway.Factory.OpenAccountAsync();
        var sent = await _client.SendSmsAsync(owner.ApiKey,
            new { mobile = "0733123456", sender_name = owner.SenderId, message = "Status please", service_id = 42 });
        var messageId = sent[0]!["message_id"]!.GetValue<string>();

        var status = await _client.GetJsonAsync($"/v2/sms/status?message_id={messageId}", owner.ApiKey);
        Assert.Equal("1000", status.Code());
        Assert.Equal(messageId, status["message_id"]!.GetValue<string>());
        Assert.Equal("254733123456", status["mobile_number"]!.GetValue<string>());
        Assert.Equal("2", status["network_id"]!.GetValue<string>());
        Assert.Equal("queued", status["status"]!.GetValue<string>());
        Assert.Equal("1", status["parts"]!.GetValue<string>());
        Assert.Equal("0.75", status["message_cost"]!.GetValue<string>());
        Assert.Equal("42", status["service_id"]!.GetValue<string>());
        Assert.Equal("rest", status["channel"]!.GetValue<string>());

        var foreign = await _client.GetJsonAsync($"/v2/sms/status?message_id={messageId}", stranger.ApiKey);
        Assert.Equal("""[{"status_code":"1014","status_desc":"Unknown message ID"}]""", foreign.ToJsonString());
        Assert.Equal("1014", (await _client.GetJsonAsync("/v2/sms/status?message_id=abc", owner.ApiKey))[0]!.Code());
        Assert.Equal("1014", (await _client.GetJsonAsync("/v2/sms/status?message_id=1", owner.ApiKey))[0]!.Code());
        Assert.Equal("1006", (await _client.GetJsonAsync($"/v2/sms/status?message_id={messageId}", "bad"))[0]!.Code());
    }

    [Fact]
    public async Task Unexpected_paths_and_methods_never_answer_an_html_page()
    {
        using var response = await _client.GetAsync("/v2/sms/sendsms");
        Assert.DoesNotContain("<html", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task OpenApi_documents_are_served_for_both_apis()
    {
        var customer = JsonNode.Parse(await _client.GetStringAsync("/openapi/customer.json"))!;
        Assert.NotNull(customer["paths"]!["/v2/sms/sendsms"]);
        Assert.NotNull(customer["paths"]!["/api/sms/sendsms.php"]);
        var admin = JsonNode.Parse(await _client.GetStringAsync("/openapi/admin.json"))!;
        Assert.NotNull(admin["paths"]!["/v2/admin/accounts"]);
    }
}
