using System.Text;
using System.Text.Json.Nodes;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Api;

public sealed class IdempotencyTests(EmbeddedGateway gateway) : IClassFixture<EmbeddedGateway>
{
    private readonly HttpClient _client = gateway.Factory.CreateClient();

    private async Task<(JsonArray Body, bool Replayed)> SendAsync(TestAccount account, string? key, string message, string path = "/v2/sms/sendsms")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent($$"""{"mobile":"0702739804","sender_name":"{{account.SenderId}}","message":"{{message}}"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("h_api_key", account.ApiKey);
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        using var response = await _client.SendAsync(request);
        return (JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray(), response.Headers.Contains("Idempotent-Replayed"));
    }

    private async Task<string> BalanceAsync(TestAccount account) =>
        (await _client.GetJsonAsync("/v2/sms/units", account.ApiKey))["credit_balance"]!.GetValue<string>();

    [Theory]
    [InlineData("/v2/sms/sendsms")]
    [InlineData("/api/sms/sendsms.php")]
    public async Task A_retried_request_gets_the_first_answer_and_is_charged_once(string path)
    {
        var account = await gateway.Factory.OpenAccountAsync(credit: 10m);
        var (first, firstReplayed) = await SendAsync(account, "order-42", "pay once", path);
        var (second, secondReplayed) = await SendAsync(account, "order-42", "pay once", path);

        Assert.False(firstReplayed);
        Assert.True(secondReplayed);
        Assert.Equal(first.ToJsonString(), second.ToJsonString());
        Assert.Equal("9.00", await BalanceAsync(account));
    }

    [Fact]
    public async Task Concurrent_repeats_send_once()
    {
        var account = await gateway.Factory.OpenAccountAsync(credit: 10m);
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => SendAsync(account, "burst-1", "same")));
        Assert.Single(answers.Select(a => a.Body[0]!["message_id"]!.GetValue<string>()).Distinct());
        Assert.Equal("9.00", await BalanceAsync(account));
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_refused()
    {
        var account = await gateway.Factory.OpenAccountAsync(credit: 10m);
        await SendAsync(account, "k-1", "first");
        var (answer, _) = await SendAsync(account, "k-1", "second");
        Assert.Equal("""[{"status_code":"1015","status_desc":"Idempotency key reused with a different request"}]""", answer.ToJsonString());
        Assert.Equal("9.00", await BalanceAsync(account));
    }

    [Fact]
    public async Task Keys_belong_to_one_account_and_refusals_are_not_remembered()
    {
        var first = await gateway.Factory.OpenAccountAsync(credit: 10m);
        var second = await gateway.Factory.OpenAccountAsync(credit: 0m);
        await SendAsync(first, "shared-key", "hello");

        var (refused, _) = await SendAsync(second, "shared-key", "hello");
        Assert.Equal("1004", refused[0]!.Code());
        using var admin = gateway.Factory.CreateAdminClient();
        await admin.PostAsync($"/v2/admin/accounts/{second.AccountId}/credit", new StringContent("""{"amount":"5"}""", Encoding.UTF8, "application/json"));
        var (accepted, replayed) = await SendAsync(second, "shared-key", "hello");
        Assert.Equal("1000", accepted[0]!.Code());
        Assert.False(replayed);
        Assert.Equal("9.00", await BalanceAsync(first));
        Assert.Equal("4.00", await BalanceAsync(second));
    }

    [Fact]
    public async Task An_unusable_key_answers_1009()
    {
        var account = await gateway.Factory.OpenAccountAsync();
        var (answer, _) = await SendAsync(account, new string('k', 129), "x");
        Assert.Equal("1009", answer[0]!.Code());
    }
}
