using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Taifa.Silo.Tests.Dispatch;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Payments;

/// <summary>
/// The low-balance alert against a whole gateway, embedded and on PostgreSQL, to a real HTTP receiver: one POST when
/// the balance falls below the threshold, none while it stays below, another only after it rose above and fell again,
/// across re-activations of the account, retried like dlr_url.
/// </summary>
public abstract class LowBalanceAlertTests(GatewayFactory factory)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    protected GatewayFactory Factory { get; } = factory;

    [Fact]
    public async Task Falling_below_posts_once_staying_below_posts_nothing_and_rising_then_falling_posts_again()
    {
        await using var receiver = new StatusCallbackReceiver();
        using var client = Factory.CreateClient();
        var account = await Factory.OpenAccountAsync(credit: 8m, price: 1m);
        Assert.Equal(
            $$"""{"status_code":"1000","status_desc":"Success","low_balance_threshold":"5.00","url":"{{receiver.Url}}"}""",
            await SetAlert(client, account, $$"""{"low_balance_threshold":"5.00","url":"{{receiver.Url}}"}"""));

        await Send(client, account, 3);
        Assert.Equal("5.00", await Balance(client, account));
        await Send(client, account, 1);
        var first = await receiver.WaitForAsync(_ => true, Patience, "after the balance fell to 4.00");
        Assert.Equal("""{"event":"low_balance","credit_balance":"4.00","threshold":"5.00"}""", first.ToJsonString());

        // Still below, and after a re-activation: the alert has fired and stays quiet.
        await Reactivate();
        await Send(client, account, 2);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Single(receiver.Posts);

        // Up to 5.00 is not above the threshold; 7.00 is, and re-arms it (also across a re-activation).
        await Credit(account, 3m);
        await Send(client, account, 1);
        Assert.Single(receiver.Posts);
        await Credit(account, 3m);
        await Reactivate();
        Assert.Equal("7.00", await Balance(client, account));
        await Send(client, account, 3);
        await receiver.WaitForAsync(p => p["credit_balance"]!.GetValue<string>() == "4.00" && receiver.Posts.Count == 2, Patience, "after the second fall");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(2, receiver.Posts.Count);
    }

    [Fact]
    public async Task A_refused_post_is_retried_until_answered_and_an_already_low_balance_fires_on_setting()
    {
        await using var receiver = new StatusCallbackReceiver();
        receiver.FailNext(2);
        using var client = Factory.CreateClient();
        var account = await Factory.OpenAccountAsync(credit: 3m, price: 1m);
        await SetAlert(client, account, $$"""{"low_balance_threshold":10,"url":"{{receiver.Url}}"}""");

        var post = await receiver.WaitForAsync(_ => true, Patience, "after two 503s");
        Assert.Equal("""{"event":"low_balance","credit_balance":"3.00","threshold":"10.00"}""", post.ToJsonString());
        Assert.Equal(2, receiver.Refused);
        Assert.Single(receiver.Posts);
    }

    [Fact]
    public async Task An_empty_url_removes_the_alert()
    {
        await using var receiver = new StatusCallbackReceiver();
        using var client = Factory.CreateClient();
        var account = await Factory.OpenAccountAsync(credit: 6m, price: 1m);
        await SetAlert(client, account, $$"""{"low_balance_threshold":"5.00","url":"{{receiver.Url}}"}""");
        Assert.Equal(
            """{"status_code":"1000","status_desc":"Success","low_balance_threshold":null,"url":""}""",
            await SetAlert(client, account, """{"url":""}"""));

        await Send(client, account, 3);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Empty(receiver.Posts);
    }

    [Theory]
    [InlineData("""{"low_balance_threshold":"5.00"}""")]
    [InlineData("""{"low_balance_threshold":"5.00","url":42}""")]
    [InlineData("""{"url":"https://example.com/alert"}""")]
    [InlineData("""{"low_balance_threshold":"5.001","url":"https://example.com/alert"}""")]
    [InlineData("""{"low_balance_threshold":"-1","url":"https://example.com/alert"}""")]
    [InlineData("""{"low_balance_threshold":"five","url":"https://example.com/alert"}""")]
    [InlineData("""{"low_balance_threshold":"5.00","url":"ftp://example.com/alert"}""")]
    [InlineData("""{"low_balance_threshold":"5.00","url":"alert"}""")]
    [InlineData("not json")]
    public async Task A_bad_body_answers_1009(string body)
    {
        using var client = Factory.CreateClient();
        var account = await Factory.OpenAccountAsync();
        Assert.Equal("""[{"status_code":"1009","status_desc":"Invalid JSON body"}]""", await SetAlert(client, account, body));
    }

    [Fact]
    public async Task A_bad_key_answers_1006()
    {
        using var client = Factory.CreateClient();
        Assert.Equal("""[{"status_code":"1006","status_desc":"Invalid API key"}]""",
            await SetAlert(client, new TestAccount(0, new string('0', 64), "X"), """{"url":""}"""));
    }

    private IGrainFactory Grains => (IGrainFactory)Factory.Services.GetService(typeof(IGrainFactory))!;

    private Task Reactivate() => Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

    private static async Task<string> SetAlert(HttpClient client, TestAccount account, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/sms/alerts") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("h_api_key", account.ApiKey);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task Send(HttpClient client, TestAccount account, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var sent = await client.SendSmsAsync(account.ApiKey, new { mobile = "0702739804", sender_name = account.SenderId, message = "x" });
            Assert.Equal("1000", sent[0]!.Code());
        }
    }

    private async Task Credit(TestAccount account, decimal amount)
    {
        using var admin = Factory.CreateAdminClient();
        using var response = await admin.PostAsync($"/v2/admin/accounts/{account.AccountId}/credit",
            new StringContent($$"""{"amount":{{amount}}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<string> Balance(HttpClient client, TestAccount account) =>
        (await client.GetJsonAsync("/v2/sms/units", account.ApiKey))["credit_balance"]!.GetValue<string>();
}

public sealed class EmbeddedLowBalanceAlertTests(EmbeddedMoneyGateway gateway) : LowBalanceAlertTests(gateway.Factory), IClassFixture<EmbeddedMoneyGateway>;

public sealed class PostgresLowBalanceAlertTests(PostgresMoneyGateway gateway) : LowBalanceAlertTests(gateway.Factory), IClassFixture<PostgresMoneyGateway>;
