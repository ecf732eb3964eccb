using System.Net;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Api;

public sealed class OperationsTests(EmbeddedGateway gateway) : IClassFixture<EmbeddedGateway>
{
    private readonly HttpClient _client = gateway.Factory.CreateClient();

    [Fact]
    public async Task Liveness_and_readiness_answer_for_the_probes()
    {
        Assert.Equal("ok", await _client.GetStringAsync("/healthz"));
        using var ready = await _client.GetAsync("/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task The_orleans_dashboard_needs_the_admin_token()
    {
        using var anonymous = await _client.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.StartsWith("Basic", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        wrong.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("ops:nope"u8.ToArray()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.SendAsync(wrong)).StatusCode);

        using var browser = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        browser.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("ops:" + GatewayFactory.AdminTokenValue)));
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(browser)).StatusCode);

        using var operations = gateway.Factory.CreateAdminClient();
        Assert.Equal(HttpStatusCode.OK, (await operations.GetAsync("/dashboard/")).StatusCode);
    }

    [Fact]
    public async Task Metrics_count_outcomes_by_status_code_and_channel_in_prometheus_text()
    {
        var account = await gateway.Factory.OpenAccountAsync();
        await _client.SendSmsAsync(account.ApiKey, new { mobile = "0702739804,0800000000", sender_name = account.SenderId, message = "metrics" });

        var metrics = "";
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline && !(metrics.Contains("status_code=\"1003\"", StringComparison.Ordinal) && metrics.Contains("taifa_queue_depth", StringComparison.Ordinal)))
        {
            await Task.Delay(200);
            metrics = await _client.GetStringAsync("/metrics");
        }

        Assert.Matches("taifa_messages_total\\{[^}]*channel=\"rest\"[^}]*status_code=\"1000\"[^}]*\\} [1-9]", metrics);
        Assert.Matches("taifa_messages_total\\{[^}]*status_code=\"1003\"[^}]*\\} [1-9]", metrics);
        Assert.Contains("# TYPE taifa_queue_depth gauge", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE taifa_smpp_sessions gauge", metrics, StringComparison.Ordinal);
    }
}
