using System.Text.Json.Nodes;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Api;

public sealed class SendSmsTests(EmbeddedGateway gateway) : IClassFixture<EmbeddedGateway>
{
    private readonly HttpClient _client = gateway.Factory.CreateClient();

    public static TheoryData<string> SendPaths => new() { "/v2/sms/sendsms", "/api/sms/sendsms.php" };

    [Theory]
    [MemberData(nameof(SendPaths))]
    public async Task Success_answers_the_documented_eight_string_fields_in_order(string path)
    {
        var account = await gateway.Factory.OpenAccountAsync(credit: 500m, price: 1m);
        var response = await _client.SendSmsAsync(account.ApiKey,
            new { mobile = "0702739804", sender_name = account.SenderId, message = "Hello from Taifa Mobile", response_type = "json", service_id = 0 }, path);

        var element = Assert.Single(response)!.AsObject();
        Assert.Equal(
            ["status_code", "status_desc", "message_id", "recipient_id", "mobile_number", "network_id", "message_cost", "credit_balance"],
            element.Select(p => p.Key).ToArray());
        Assert.All(element, p => Assert.Equal(System.Text.Json.JsonValueKind.String, p.Value!.GetValueKind()));
        Assert.Equal("1000", element.Code());
        Assert.Equal("Success", element["status_desc"]!.GetValue<string>());
        Assert.Matches("^[0-9]+$", element["message_id"]!.GetValue<string>());
        Assert.Matches("^[0-9]+$", element["recipient_id"]!.GetValue<string>());
        Assert.NotEqual(element["message_id"]!.GetValue<string>(), element["recipient_id"]!.GetValue<string>());
        Assert.Equal("254702739804", element["mobile_number"]!.GetValue<string>());
        Assert.Equal("1", element["network_id"]!.GetValue<string>());
        Assert.Equal("1.00", element["message_cost"]!.GetValue<string>());
        Assert.Equal("499.00", element["credit_balance"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(SendPaths))]
    public async Task Plain_response_type_answers_code_and_description_as_text(string path)
    {
        var account = await gateway.Factory.OpenAccountAsync();
        var (contentType, body) = await _client.PostRawAsync(path, account.ApiKey,
            $$"""{"mobile":"0702739804","sender_name":"{{account.SenderId}}","message":"Hi","response_type":"plain"}""");
        Assert.Equal("text/plain", contentType);
        Assert.Equal("1000;Success", body);

        (contentType, body) = await _client.PostRawAsync(path, "0000000000000000000000000000000000000000000000000000000000000000",
            """{"mobile":"0702739804","sender_name":"X","message":"Hi","response_type":"plain"}""");
        Assert.Equal("text/plain", contentType);
        Assert.Equal("1006;Invalid API key", body);
    }

    [Theory]
    [InlineData(null, "1006")]
    [InlineData("", "1006")]
    [InlineData("not-a-key", "1006")]
    [InlineData("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "1006")]
    public async Task Missing_or_unknown_key_answers_1006_exactly(string? apiKey, string code)
    {
        var (contentType, body) = await _client.PostRawAsync("/v2/sms/sendsms", apiKey,
            """{"mobile":"0702739804","sender_name":"MYSENDER","message":"Hi"}""");
        Assert.Equal("application/json", contentType);
        Assert.Equal($$"""[{"status_code":"{{code}}","status_desc":"Invalid API key"}]""", body);
    }

    [Theory]
    [InlineData("{bad json")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("")]
    [InlineData("""{"sender_name":"S","message":"Hi"}""")]
    [InlineData("""{"mobile":"0702739804","message":"Hi"}""")]
    [InlineData("""{"mobile":"0702739804","sender_name":"S"}""")]
    [InlineData("""{"mobile":702739804,"sender_name":"S","message":"Hi"}""")]
    [InlineData("""{"mobile":"0702739804","sender_name":["S"],"message":"Hi"}""")]
    [InlineData("""{"mobile":"0702739804","sender_name":"S","message":""}""")]
    [InlineData("""{"mobile":"0702739804","sender_name":"S","message":"Hi","service_id":{"a":1}}""")]
    [InlineData("""{"mobile":"0702739804","sender_name":"S","message":"Hi","service_id":1.5}""")]
    [InlineData("""{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":{"j":{"k":{"l":{"m":{"n":{"o":{"p":{"q":{"r":1}}}}}}}}}}}}}}}}}}""")]
    public async Task Malformed_bodies_answer_1009(string body)
    {
        var account = await gateway.Factory.OpenAccountAsync();
        var (_, text) = await _client.PostRawAsync("/v2/sms/sendsms", account.ApiKey, body.Replace("\"S\"", $"\"{account.SenderId}\""));
        Assert.Equal("""[{"status_code":"1009","status_desc":"Invalid JSON body"}]""", text);
        Assert.Equal("500.00", (await _client.GetJsonAsync("/v2/sms/units", account.ApiKey))["credit_balance"]!.GetValue<string>());
    }

    [Fact]
    public async Task Oversized_body_and_overlong_message_answer_1009()
    {
        var account = await gateway.Factory.OpenAccountAsync();
        var huge = new string('a', 300 * 1024);
        var (_, text) = await _client.PostRawAsync("/v2/sms/sendsms", account.ApiKey,
            $$"""{"mobile":"0702739804","sender_name":"{{account.SenderId}}","message":"{{huge}}"}""");
        Assert.Equal("""[{"status_code":"1009","status_desc":"Invalid JSON body"}]""", text);

        var elevenParts = new string('a', 153 * 10 + 1);
        var response = await _client.SendSmsAsync(account.ApiKey, new { mobile = "0702739804", sender_name = account.SenderId, message = elevenParts });
        Assert.Equal("1009", response[0]!.Code());

        var tenParts = new string('a', 153 * 10);
        response = await _client.SendSmsAsync(account.ApiKey, new { mobile = "0702739804", sender_name = account.SenderId, message = tenParts });
        Assert.Equal("1000", response[0]!.Code());
        Assert.Equal("10.00", response[0]!["message_cost"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unregistered_sender_answers_1001_and_charges_nothing()
    {
        var account = await gateway.Factory.OpenAccountAsync();
        var response = await _client.SendSmsAsync(account.ApiKey, new { mobile = "0702739804", sender_name = "NOTMINE", message = "Hi" });
        Assert.Equal("""{"status_code":"1001","status_desc":"Invalid sender ID"}""", response[0]!.ToJsonString());
        Assert.Equal("500.00", (await _client.GetJsonAsync("/v2/sms/units", account.ApiKey))["credit_balance"]!.GetValue<string>());
    }

    [Fact]
    public async Task Sender_of_another_account_is_not_yours()
    {
        var owner = await gateway.Factory.OpenAccountAsync();
        var other = await gateway.Factory.OpenAccountAsync();
        var response = await _client.SendSmsAsync(other.ApiKey, new { mobile = "0702739804", sender_name = owner.SenderId, message = "Hi" });
        Assert.Equal("1001", response[0]!.Code());
    }

    [Theory]
    [InlineData("0800123456")]
    [InlineData("12345")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("+255712345678")]
    [InlineData("0702-739-80")]
    public async Task Invalid_mobile_answers_1003(string mobile)
    {
        var account = await gateway.Factory.OpenAccountAsync();
        var response = await _client.SendSmsAsync(account.ApiKey, new { mobile, sender_name = account.SenderId, message = "Hi" });
        Assert.Equal("""{"status_code":"1003","status_desc":"Invalid mobile number"}""", response[0]!.ToJsonString());
    }

    [Theory]
    [InlineData("0702739804", "254702739804", "1")]
    [InlineData("0102739804", "254102739804", "2")]
    [InlineData("254733123456", "254733123456", "2")]
    [InlineData("+254 770 123 456", "254770123456", "3")]
    [InlineData("0763-123-456", "254763123456", "4")]
    [InlineData("712345678", "254712345678", "1")]
    public async Task Every_documented_number_format_is_normalised(string mobile, string normalised, string networkId)
    {
        var account = await gateway.Factory.OpenAccountAsync();
        var response = await _client.SendSmsAsync(account.ApiKey, new { mobile, sender_name = account.SenderId, message = "Hi" });
        Assert.Equal("1000", response[0]!.Code());
        Assert.Equal(normalised, response[0]!["mobile_number"]!.GetValue<string>());
        Assert.Equal(networkId, response[0]!["network_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Insufficient_credit_refuses_the_whole_message_and_charges_nothing()
    {
        var account = await gateway.Factory.OpenAccountAsync(credit: 1.00m, price: 1.00m);
        var twoParts = new string('x', 161);
        var response = await _client.SendSmsAsync(account.ApiKey, new { mobile = "0702739804", sender_name = account.SenderId, message = twoParts });
        Assert.Equal("""{"status_code":"1004","status_desc":"Insufficient credit"}""", response[0]!.ToJsonString());
        Assert.Equal("1.00", (await _client.GetJsonAsync("/v2/sms/units", account.ApiKey))["credit_balance"]!.GetValue<string>());

        response = await _client.SendSmsAsync(account.ApiKey, new { mobile = "0702739804", sender_name = account.SenderId, message = "short" });
        Assert.Equal("1000", response[0]!.Code());
        Assert.Equal("0.00", response[0]!["credit_balance"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unicode_message_is_priced_by_ucs2_parts()
    {
        var account = await gateway.Factory.OpenAccountAsync(credit: 10m, price: 0.80m);
        var response = await _client.SendSmsAsync(account.ApiKey, new { mobile = "0702739804", sender_name = account.SenderId, message = new string('ü', 63) + "€ привет" });
        Assert.Equal("1.60", response[0]!["message_cost"]!.GetValue<string>());
        Assert.Equal("8.40", response[0]!["credit_balance"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bulk_mobile_list_answers_one_element_per_recipient_each_charged_on_its_own()
    {
        var account = await gateway.Factory.OpenAccountAsync(credit: 2m, price: 1m);
        var response = await _client.SendSmsAsync(account.ApiKey,
            new { mobile = "0702739804, 0800000000,0733123456,0722000000", sender_name = account.SenderId, message = "Hi", service_id = "campaign-7" });
        Assert.Equal(["1000", "1003", "1000", "1004"], response.Select(e => e!.Code()).ToArray());
        Assert.Equal("1.00", response[0]!["credit_balance"]!.GetValue<string>());
        Assert.Equal("0.00", response[2]!["credit_balance"]!.GetValue<string>());

        var (_, plain) = await _client.PostRawAsync("/v2/sms/sendsms", account.ApiKey,
            $$"""{"mobile":"0702739804,0800000000","sender_name":"{{account.SenderId}}","message":"Hi","response_type":"plain"}""");
        Assert.Equal("1004;Insufficient credit\n1003;Invalid mobile number", plain);
    }

    [Fact]
    public async Task Suspended_account_answers_1011_before_validating_the_body()
    {
        var account = await gateway.Factory.OpenAccountAsync();
        using var admin = gateway.Factory.CreateAdminClient();
        (await admin.PostAsync($"/v2/admin/accounts/{account.AccountId}/suspend", null)).EnsureSuccessStatusCode();

        var (_, text) = await _client.PostRawAsync("/v2/sms/sendsms", account.ApiKey, "{not json");
        Assert.Equal("""[{"status_code":"1011","status_desc":"Account suspended"}]""", text);
        var response = await _client.SendSmsAsync(account.ApiKey, new { mobile = "0702739804", sender_name = account.SenderId, message = "Hi" });
        Assert.Equal("1011", response[0]!.Code());
        Assert.Equal("1011", (await _client.GetJsonAsync("/v2/sms/units", account.ApiKey)).AsArray()[0]!.Code());

        (await admin.PostAsync($"/v2/admin/accounts/{account.AccountId}/resume", null)).EnsureSuccessStatusCode();
        response = await _client.SendSmsAsync(account.ApiKey, new { mobile = "0702739804", sender_name = account.SenderId, message = "Hi" });
        Assert.Equal("1000", response[0]!.Code());
    }

    [Fact]
    public async Task Concurrent_sends_for_the_last_credit_never_overdraw()
    {
        var account = await gateway.Factory.OpenAccountAsync(credit: 100m, price: 1m);
        var sends = Enumerable.Range(0, 200).Select(i => _client.SendSmsAsync(account.ApiKey,
            new { mobile = "0702739804", sender_name = account.SenderId, message = $"race {i}" }));
        var responses = await Task.WhenAll(sends);
        var codes = responses.Select(r => r[0]!.Code()).ToList();
        Assert.Equal(100, codes.Count(c => c == "1000"));
        Assert.Equal(100, codes.Count(c => c == "1004"));
        Assert.Equal("0.00", (await _client.GetJsonAsync("/v2/sms/units", account.ApiKey))["credit_balance"]!.GetValue<string>());
        var messageIds = responses.Where(r => r[0]!.Code() == "1000").Select(r => r[0]!["message_id"]!.GetValue<string>()).ToHashSet();
        Assert.Equal(100, messageIds.Count);
    }
}
