using System.Diagnostics;
using System.Globalization;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Smpp;

/// <summary>
/// Clients nobody here wrote — node-smpp (npm smpp) and Net::SMPP (libnet-smpp-perl) — against the listener. Their
/// scripts live in tests/interop; infra/local/interop-deps.sh installs the clients.
/// </summary>
[Collection(SmppCollection.Name)]
public sealed class InteropTests(SmppGateway gateway) : IClassFixture<SmppGateway>
{
    private const string Mobile = "254702739804";

    public static TheoryData<string, string, int> Scenarios => new()
    {
        { "node", "basic", 1 },
        { "node", "keepalive", 3 },
        { "node", "ucs2", 1 },
        { "node", "concat", 3 },
        { "perl", "basic", 1 },
        { "perl", "keepalive", 3 },
        { "perl", "ucs2", 1 },
        { "perl", "concat", 3 },
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Third_party_client_binds_submits_and_unbinds(string client, string scenario, int parts)
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 100m, price: 1m);

        var output = await RunAsync(client, account, scenario);

        Assert.Contains($"DONE {parts} 0", output, StringComparison.Ordinal);
        var ids = output.Split('\n').Where(l => l.StartsWith("RESP 0 ", StringComparison.Ordinal)).Select(l => l[7..].Trim()).ToList();
        Assert.Equal(parts, ids.Count);
        Assert.Equal(100m - parts, await gateway.BalanceAsync(account.Account));
        foreach (var id in ids)
        {
            var status = await gateway.Http.GetJsonAsync($"/v2/sms/status?message_id={id}", account.Account.ApiKey);
            Assert.Contains(id, status.ToJsonString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Node_pipelined_burst_of_2000_with_a_window_of_50_is_answered_in_full_and_billed_to_the_cent()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 5000m, price: 0.73m);

        var output = await RunAsync("node", account, "burst", "2000", "50");

        Assert.Contains("DONE 2000 0", output, StringComparison.Ordinal);
        Assert.Equal(5000m - 2000 * 0.73m, await gateway.BalanceAsync(account.Account));
    }

    private Task<string> RunAsync(string client, SmppAccount account, string scenario, params string[] extra)
    {
        var directory = NodeScripts.Interop();
        var (program, script) = client == "node" ? ("node", "esme-node.js") : ("perl", "esme-perl.pl");
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory };
        foreach (var argument in new[] { script, gateway.SmppPort.ToString(CultureInfo.InvariantCulture), account.SystemId, account.Password, account.SenderId, Mobile, scenario }.Concat(extra))
        {
            start.ArgumentList.Add(argument);
        }

        return NodeScripts.RunAsync(start, TimeSpan.FromSeconds(70), $"{client} {scenario}");
    }
}
