using System.Diagnostics;
using System.Globalization;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Dispatch;

/// <summary>
/// The gateway dispatching to an SMSC nobody here wrote: node-smpp's server (tests/interop/smsc-server.js), configured
/// as an ordinary operator. It answers ids in hex and sends a DELIVRD receipt on the same transceiver session.
/// </summary>
public sealed class NodeSmscDispatchTests
{
    [Fact]
    public async Task A_rest_send_is_delivered_through_a_third_party_smsc()
    {
        await WithNodeSmsc(async (gateway, client, account, _) =>
        {
            var sent = await client.SendSmsAsync(account.ApiKey, new { mobile = "0702739804", sender_name = account.SenderId, message = "via node-smpp" });
            var messageId = sent[0]!["message_id"]!.GetValue<string>();

            Assert.Equal("delivered", await FinalStatus(client, account, messageId));
            Assert.Equal(1, int.Parse((await client.GetJsonAsync($"/v2/sms/status?message_id={messageId}", account.ApiKey))["parts"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        });
    }

    [Fact]
    public async Task A_scheduled_send_reaches_a_third_party_smsc_at_its_time_not_before()
    {
        await WithNodeSmsc(async (gateway, client, account, node) =>
        {
            var sendAt = DateTimeOffset.UtcNow.AddSeconds(5);
            var sent = await client.SendSmsAsync(account.ApiKey, new
            {
                mobile = "0702739805", sender_name = account.SenderId, message = "scheduled via node-smpp",
                send_at = sendAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
            });
            var messageId = sent[0]!["message_id"]!.GetValue<string>();

            // The SMSC prints a line per submit: the first one for this number is the message reaching it.
            DateTimeOffset? reached = null;
            var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
            while (reached is null && DateTimeOffset.UtcNow < deadline)
            {
                var line = await node.StandardOutput.ReadLineAsync().WaitAsync(deadline - DateTimeOffset.UtcNow);
                if (line is not null && line.StartsWith("SUBMIT ", StringComparison.Ordinal) && line.EndsWith(" 254702739805", StringComparison.Ordinal)) reached = DateTimeOffset.UtcNow;
            }

            Assert.NotNull(reached);
            Assert.InRange(reached.Value, sendAt, sendAt + TimeSpan.FromSeconds(5));
            Assert.Equal("delivered", await FinalStatus(client, account, messageId));
        });
    }

    private static async Task WithNodeSmsc(Func<GatewayFactory, HttpClient, TestAccount, Process, Task> test)
    {
        using var node = NodeScripts.StartSmsc();
        try
        {
            var listening = await node.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(15));
            Assert.StartsWith("LISTENING ", listening, StringComparison.Ordinal);
            var port = listening!["LISTENING ".Length..];

            await using var gateway = new GatewayFactory(settings: new Dictionary<string, string>
            {
                ["Taifa:Operators:nodesmsc:Host"] = "127.0.0.1",
                ["Taifa:Operators:nodesmsc:Port"] = port,
                ["Taifa:Operators:nodesmsc:SystemId"] = "taifa",
                ["Taifa:Operators:nodesmsc:Password"] = "secret",
                ["Taifa:Operators:nodesmsc:NetworkIds:0"] = "1",
                ["Taifa:Operators:nodesmsc:SubmitIdFormat"] = "Hex",
                ["Taifa:Operators:nodesmsc:ReceiptIdFormat"] = "Hex",
            });
            using var client = gateway.CreateClient();
            var account = await gateway.OpenAccountAsync();
            await test(gateway, client, account, node);
        }
        finally
        {
            NodeScripts.Stop(node);
        }
    }

    private static async Task<string> FinalStatus(HttpClient client, TestAccount account, string messageId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string status;
        do
        {
            await Task.Delay(100);
            status = (await client.GetJsonAsync($"/v2/sms/status?message_id={messageId}", account.ApiKey))["status"]!.GetValue<string>();
        }
        while (status != "delivered" && DateTime.UtcNow < deadline);
        return status;
    }
}
