using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Api;

public sealed class AdminApiTests(EmbeddedGateway gateway) : IClassFixture<EmbeddedGateway>
{
    private readonly HttpClient _admin = gateway.Factory.CreateAdminClient();
    private readonly HttpClient _anonymous = gateway.Factory.CreateClient();

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-token")]
    [InlineData("Basic dGFpZmE6dGFpZmE=")]
    public async Task Every_admin_route_needs_the_bearer_token(string? authorization)
    {
        var routes = new (HttpMethod Method, string Path)[]
        {
            (HttpMethod.Post, "/v2/admin/accounts"),
            (HttpMethod.Get, "/v2/admin/accounts/1"),
            (HttpMethod.Post, "/v2/admin/accounts/1/credit"),
            (HttpMethod.Post, "/v2/admin/accounts/1/sender-ids"),
            (HttpMethod.Delete, "/v2/admin/accounts/1/sender-ids/X"),
            (HttpMethod.Post, "/v2/admin/accounts/1/suspend"),
            (HttpMethod.Post, "/v2/admin/accounts/1/resume"),
            (HttpMethod.Post, "/v2/admin/accounts/1/api-key"),
        };
        foreach (var (method, path) in routes)
        {
            using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(new { name = "x", amount = 1 }) };
            if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
            using var response = await _anonymous.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} answered {response.StatusCode}");
        }
    }

    [Fact]
    public async Task Open_answers_201_with_the_key_once_and_get_shows_no_secrets()
    {
        var sender = "OPEN" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var response = await _admin.PostAsJsonAsync("/v2/admin/accounts",
            new { name = "Acme", credit_balance = "12.5", price_per_sms = 0.8, sender_ids = new[] { sender } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var accountId = created["account_id"]!.GetValue<string>();
        var apiKey = created["api_key"]!.GetValue<string>();
        Assert.Matches("^[0-9a-f]{64}$", apiKey);
        Assert.Equal("12.50", created["credit_balance"]!.GetValue<string>());
        Assert.Equal("0.80", created["price_per_sms"]!.GetValue<string>());
        Assert.Equal("active", created["status"]!.GetValue<string>());
        Assert.Equal($"/v2/admin/accounts/{accountId}", response.Headers.Location!.OriginalString);

        var fetched = await _admin.GetStringAsync($"/v2/admin/accounts/{accountId}");
        Assert.DoesNotContain(apiKey, fetched, StringComparison.Ordinal);
        Assert.DoesNotContain("api_key", fetched, StringComparison.Ordinal);
        Assert.Contains(sender, fetched, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"credit_balance": 5}""")]
    [InlineData("""{"name": ""}""")]
    [InlineData("""{"name": "A", "credit_balance": "1.234"}""")]
    [InlineData("""{"name": "A", "credit_balance": -1}""")]
    [InlineData("""{"name": "A", "price_per_sms": "abc"}""")]
    [InlineData("""{"name": "A", "sender_ids": "MYSENDER"}""")]
    [InlineData("""{"name": "A", "sender_ids": ["way too long sender"]}""")]
    [InlineData("""not json""")]
    public async Task Invalid_open_requests_answer_400_problem_details(string body)
    {
        using var response = await _admin.PostAsync("/v2/admin/accounts", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Credit_adds_to_the_wallet_to_the_cent()
    {
        var account = await gateway.Factory.OpenAccountAsync(credit: 1m);
        var response = await _admin.PostAsJsonAsync($"/v2/admin/accounts/{account.AccountId}/credit", new { amount = "0.10" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        response = await _admin.PostAsJsonAsync($"/v2/admin/accounts/{account.AccountId}/credit", new { amount = 0.2 });
        Assert.Equal("1.30", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["credit_balance"]!.GetValue<string>());
        var units = await _anonymous.GetJsonAsync("/v2/sms/units", account.ApiKey);
        Assert.Equal("1.30", units["credit_balance"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.PostAsJsonAsync($"/v2/admin/accounts/{account.AccountId}/credit", new { amount = 0 })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.PostAsJsonAsync($"/v2/admin/accounts/{account.AccountId}/credit", new { amount = "1.001" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.PostAsJsonAsync($"/v2/admin/accounts/{account.AccountId}/credit", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.PostAsJsonAsync("/v2/admin/accounts/987654321/credit", new { amount = 1 })).StatusCode);
    }

    [Fact]
    public async Task Unknown_accounts_answer_404_on_every_route()
    {
        const string missing = "/v2/admin/accounts/424242";
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync(missing)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.PostAsync(missing + "/suspend", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.PostAsync(missing + "/resume", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.PostAsync(missing + "/api-key", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.PostAsJsonAsync(missing + "/sender-ids", new { sender_id = "NOBODY" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.DeleteAsync(missing + "/sender-ids/NOBODY")).StatusCode);
    }

    [Fact]
    public async Task A_sender_id_belongs_to_one_account_at_a_time()
    {
        var first = await gateway.Factory.OpenAccountAsync();
        var second = await gateway.Factory.OpenAccountAsync();
        var conflict = await _admin.PostAsJsonAsync($"/v2/admin/accounts/{second.AccountId}/sender-ids", new { sender_id = first.SenderId.ToLowerInvariant() });
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);

        var opening = await _admin.PostAsJsonAsync("/v2/admin/accounts", new { name = "Dup", sender_ids = new[] { first.SenderId } });
        Assert.Equal(HttpStatusCode.Conflict, opening.StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/v2/admin/accounts/{first.AccountId}/sender-ids/{first.SenderId}")).StatusCode);
        var send = await _anonymous.SendSmsAsync(first.ApiKey, new { mobile = "0702739804", sender_name = first.SenderId, message = "Hi" });
        Assert.Equal("1001", send[0]!.Code());

        var moved = await _admin.PostAsJsonAsync($"/v2/admin/accounts/{second.AccountId}/sender-ids", new { sender_id = first.SenderId });
        Assert.Equal(HttpStatusCode.Created, moved.StatusCode);
        send = await _anonymous.SendSmsAsync(second.ApiKey, new { mobile = "0702739804", sender_name = first.SenderId, message = "Hi" });
        Assert.Equal("1000", send[0]!.Code());
        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.PostAsJsonAsync($"/v2/admin/accounts/{second.AccountId}/sender-ids", new { sender_id = "" })).StatusCode);
    }

    [Fact]
    public async Task Rotating_the_api_key_stops_the_old_one_at_once()
    {
        var account = await gateway.Factory.OpenAccountAsync();
        Assert.Equal("1000", (await _anonymous.SendSmsAsync(account.ApiKey, new { mobile = "0702739804", sender_name = account.SenderId, message = "a" }))[0]!.Code());

        var rotated = JsonNode.Parse(await (await _admin.PostAsync($"/v2/admin/accounts/{account.AccountId}/api-key", null)).Content.ReadAsStringAsync())!;
        var newKey = rotated["api_key"]!.GetValue<string>();
        Assert.NotEqual(account.ApiKey, newKey);

        Assert.Equal("1006", (await _anonymous.SendSmsAsync(account.ApiKey, new { mobile = "0702739804", sender_name = account.SenderId, message = "b" }))[0]!.Code());
        Assert.Equal("1000", (await _anonymous.SendSmsAsync(newKey, new { mobile = "0702739804", sender_name = account.SenderId, message = "c" }))[0]!.Code());
        Assert.Equal("1006", (await _anonymous.GetJsonAsync("/v2/sms/units", account.ApiKey))[0]!.Code());
    }
}
