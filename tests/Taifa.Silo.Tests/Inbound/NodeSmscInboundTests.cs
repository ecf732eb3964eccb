using System.Diagnostics;
using System.Net.Http.Json;
using Taifa.Silo.Tests.Dispatch;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Inbound;

/// <summary>
/// Inbound from an SMSC nobody here wrote: node-smpp's server (tests/interop/smsc-server.js) as the operator sends
/// mobile-originated deliver_sm on the gateway's transceiver bind: one message, the same one again (redelivery),
/// one in three sar_* parts, and STOP; the customer's webhook gets each once, and STOP refuses later sends with 1017.
/// </summary>
public sealed class NodeSmscInboundTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Inbound_concatenated_inbound_redelivery_and_stop_from_a_third_party_smsc()
    {
        using var node = NodeScripts.StartSmsc();
        try
        {
            async Task<string> ReadUntil(string prefix)
            {
                while (true)
                {
                    var line = await node.StandardOutput.ReadLineAsync().WaitAsync(Patience);
                    Assert.NotNull(line);
                    if (line.StartsWith(prefix, StringComparison.Ordinal)) return line;
                }
            }

            async Task Mo(string line)
            {
                await node.StandardInput.WriteLineAsync(line);
                await node.StandardInput.FlushAsync();
                Assert.Equal("MO_ACK 0", await ReadUntil("MO_ACK"));
            }

            var port = (await ReadUntil("LISTENING "))["LISTENING ".Length..];
            await using var gateway = new GatewayFactory(settings: new Dictionary<string, string>
            {
                ["Taifa:Operators:nodesmsc:Host"] = "127.0.0.1",
                ["Taifa:Operators:nodesmsc:Port"] = port,
                ["Taifa:Operators:nodesmsc:SystemId"] = "taifa",
                ["Taifa:Operators:nodesmsc:Password"] = "secret",
                ["Taifa:Operators:nodesmsc:NetworkIds:0"] = "1",
                ["Taifa:Operators:nodesmsc:SubmitIdFormat"] = "Hex",
                ["Taifa:Operators:nodesmsc:ReceiptIdFormat"] = "Hex",
                ["Taifa:Api:AllowPrivateCallbackTargets"] = "true",
                ["Taifa:Inbound:PollInterval"] = "00:00:00.100",
            });
            using var client = gateway.CreateClient();
            using var admin = gateway.CreateAdminClient();
            var account = await gateway.OpenAccountAsync();
            using (var routed = await admin.PostAsJsonAsync($"/v2/admin/accounts/{account.AccountId}/inbound-numbers", new { number = "22334" }))
                Assert.Equal(System.Net.HttpStatusCode.Created, routed.StatusCode);
            await using var webhook = new StatusCallbackReceiver();
            await client.PostRawAsync("/v2/sms/inbound-webhook", account.ApiKey, $$"""{"url":"{{webhook.Url}}"}""");
            await ReadUntil("BIND bind_transceiver");

            await Mo("MO 254702000500 22334 Habari from node");
            await Mo("MO 254702000500 22334 Habari from node");
            await Mo("MO_SAR 254702000501 22334 77 3 2 two,");
            await Mo("MO_SAR 254702000501 22334 77 3 1 one,");
            await Mo("MO_SAR 254702000501 22334 77 3 3 three");
            await Mo("MO 254702000502 22334 UNSUBSCRIBE");

            Assert.Equal("254702000500", (await webhook.WaitForAsync(p => p["text"]?.GetValue<string>() == "Habari from node", Patience, "for the message"))["from"]!.GetValue<string>());
            Assert.Equal("254702000501", (await webhook.WaitForAsync(p => p["text"]?.GetValue<string>() == "one,two,three", Patience, "for the joined parts"))["from"]!.GetValue<string>());
            Assert.True((await webhook.WaitForAsync(p => p["from"]?.GetValue<string>() == "254702000502", Patience, "for the opt-out"))["opt_out"]!.GetValue<bool>());
            Assert.Equal(3, (await client.GetJsonAsync("/v2/sms/inbound", account.ApiKey))["messages"]!.AsArray().Count);

            var deadline = DateTime.UtcNow + Patience;
            string code;
            do
            {
                code = (await client.SendSmsAsync(account.ApiKey, new { mobile = "0702000502", sender_name = account.SenderId, message = "Offer" }))[0]!.Code();
                if (code == "1017") break;
                await Task.Delay(100);
            }
            while (DateTime.UtcNow < deadline);
            Assert.Equal("1017", code);
            Assert.Equal(3, webhook.Posts.Count);
        }
        finally
        {
            NodeScripts.Stop(node);
        }
    }
}
