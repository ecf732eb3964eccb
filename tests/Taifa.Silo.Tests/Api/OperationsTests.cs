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
