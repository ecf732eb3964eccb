using Taifa.Silo.Tests.Infrastructure;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Text;

namespace Taifa.Silo.Tests.Smpp;

/// <summary>The benchmark switch Taifa:Smpp:NullResponder: the listener answers without the account path.</summary>
public sealed class NullResponderSmppGateway() : SmppGatewayBase(new Dictionary<string, string>
{
    ["Taifa:Smpp:NullResponder"] = "true",
});

[Collection(SmppCollection.Name)]
public sealed class NullResponderTests(NullResponderSmppGateway gateway) : IClassFixture<NullResponderSmppGateway>
{
    [Fact]
    public async Task Submits_are_answered_ok_with_distinct_ids_and_nothing_is_charged_or_recorded()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 2m, price: 1m);
        await using (var refused = await gateway.ConnectAsync())
        {
            Assert.Equal(CommandStatus.BindFailed, (await refused.BindAsync(account.SystemId, "wrong")).CommandStatus);
        }

        await using var client = await gateway.ConnectAsync();
        Assert.Equal(CommandStatus.Ok, (await client.BindAsync(account)).CommandStatus);

        // More submits than the credit could pay for: none of them reaches the wallet.
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 5; i++)
        {
            var response = await client.SubmitAsync(SmppTestClient.Submit(account.SenderId, "254702739804", SmsText.Encode(SmsAlphabet.Gsm7, $"null {i}")));
            Assert.Equal(CommandStatus.Ok, response.CommandStatus);
            Assert.Matches("^[0-9]+$", response.MessageId);
            Assert.True(ids.Add(response.MessageId), $"message id {response.MessageId} was handed out twice");
        }

        Assert.Equal(2m, await gateway.BalanceAsync(account.Account));
        var status = await gateway.Http.GetJsonAsync($"/v2/sms/status?message_id={ids.First()}", account.Account.ApiKey);
        Assert.Contains("\"1014\"", status.ToJsonString(), StringComparison.Ordinal);
    }
}
