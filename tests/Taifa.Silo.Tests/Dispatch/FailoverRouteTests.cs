using System.Text;
using System.Text.Json.Nodes;
using Taifa.Operators.Simulator;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Dispatch;

/// <summary>
/// Network 1 routed safaricom first, airtel second (<c>Taifa:Routes:1</c>), both the built-in simulators over real SMPP:
/// while safaricom's SMSC refuses every connection its messages are delivered through airtel, each submitted once,
/// with airtel's receipts; once safaricom binds again its traffic comes back.
/// </summary>
public sealed class FailoverRouteTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly GatewayFactory _factory = new(settings: new Dictionary<string, string>
    {
        ["Taifa:Routes:1"] = "safaricom,airtel",
        ["Taifa:Dispatch:Failover:BindDownAfter"] = "00:00:01",
        ["Taifa:Dispatch:Failover:RecoverAfter"] = "00:00:01",
        ["Taifa:Simulators:ReceiptDelay"] = "00:00:00.200",
    });
    private HttpClient? _http;

    private HttpClient Client => _http ??= _factory.CreateClient();

    private SmscSimulator Safaricom => _factory.Simulator("safaricom");

    private SmscSimulator Airtel => _factory.Simulator("airtel");

    public ValueTask DisposeAsync() => _factory.DisposeAsync();

    [Fact]
    public async Task While_the_preferred_operator_is_down_its_messages_are_delivered_once_through_the_backup_and_come_back_after()
    {
        var account = await _factory.OpenAccountAsync();
        Safaricom.Behaviour = new SimulatorBehaviour { CloseOnAccept = true };
        Safaricom.DropAllBinds();

        var texts = new List<string>();
        var carried = new List<JsonNode>();
        for (var i = 0; i < 5; i++)
        {
            var text = $"Failover {i} {Guid.NewGuid():N}";
            texts.Add(text);
            var sent = await Client.SendSmsAsync(account.ApiKey, new { mobile = "0702739804", sender_name = account.SenderId, message = text });
            Assert.Equal("1", sent[0]!["network_id"]!.GetValue<string>());
            carried.Add(await Delivered(account, sent[0]!["message_id"]!.GetValue<string>()));
        }

        Assert.All(carried, status => Assert.Equal("airtel", status["operator"]!.GetValue<string>()));
        Assert.All(texts, text => Assert.Equal(1, Copies(Airtel, text)));
        Assert.All(texts, text => Assert.Equal(0, Copies(Safaricom, text)));
        await MetricsShow("taifa_route_active", "network=\"1\"[^}]*operator=\"airtel\"", 1);
        await MetricsShow("taifa_route_active", "network=\"1\"[^}]*operator=\"safaricom\"", 0);
        await MetricsShow("taifa_operator_healthy", "operator=\"safaricom\"[^}]*shard=\"safaricom/0\"", 0);
        await MetricsShow("taifa_dispatch_handed_over_total", "carrier=\"airtel\"[^}]*operator=\"safaricom\"", null);

        // Back: the bind reconnects (its back-off grows while the SMSC refuses), then RecoverAfter; messages sent
        // meanwhile still go through airtel, each once.
        Safaricom.Behaviour = SimulatorBehaviour.Normal;
        var deadline = DateTime.UtcNow + Patience;
        string carrier;
        do
        {
            var text = $"Back {Guid.NewGuid():N}";
            texts.Add(text);
            var sent = await Client.SendSmsAsync(account.ApiKey, new { mobile = "0702739804", sender_name = account.SenderId, message = text });
            carrier = (await Delivered(account, sent[0]!["message_id"]!.GetValue<string>()))["operator"]!.GetValue<string>();
            if (carrier != "safaricom") await Task.Delay(500);
        }
        while (carrier != "safaricom" && DateTime.UtcNow < deadline);

        Assert.Equal("safaricom", carrier);
        await MetricsShow("taifa_route_active", "network=\"1\"[^}]*operator=\"safaricom\"", 1);
        await MetricsShow("taifa_operator_healthy", "operator=\"safaricom\"[^}]*shard=\"safaricom/0\"", 1);
        Assert.All(texts, text => Assert.Equal(1, Copies(Airtel, text) + Copies(Safaricom, text)));
    }

    /// <summary>Until /metrics has the series with <paramref name="value"/> (null: any positive value).</summary>
    private Task MetricsShow(string name, string labels, int? value) =>
        Waits.Eventually(async () => System.Text.RegularExpressions.Regex.IsMatch(await Client.GetStringAsync("/metrics"),
                $"{name}\\{{[^}}]*{labels}[^}}]*\\}} {(value is { } v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : "[1-9]")}"),
            $"{name} {labels} at {value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "above 0"} in /metrics");

    private static int Copies(SmscSimulator simulator, string text) =>
        simulator.Submits.Count(s => Encoding.ASCII.GetString(s.ShortMessage.Span) == text);

    private async Task<JsonNode> Delivered(TestAccount account, string messageId)
    {
        JsonNode? status = null;
        await Waits.Eventually(async () =>
            (status = await Client.GetJsonAsync($"/v2/sms/status?message_id={messageId}", account.ApiKey))["status"]?.GetValue<string>() == "delivered",
            $"message {messageId} delivered", Patience);
        return status!;
    }
}
