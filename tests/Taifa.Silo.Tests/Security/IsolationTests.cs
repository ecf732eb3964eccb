using System.Text;
using Taifa.Silo.Tests.Dispatch;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Silo.Tests.Smpp;
using Taifa.Smpp.Pdus;

namespace Taifa.Silo.Tests.Security;

/// <summary>
/// Two customers on one gateway, each bound over SMPP and each with a dlr_url: neither can read, charge or receive the
/// receipts of the other's messages, on any path.
/// </summary>
[Collection(SmppCollection.Name)]
public sealed class IsolationTests(QuickReceiptGateway gateway) : IClassFixture<QuickReceiptGateway>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Receipts_and_status_callbacks_reach_only_the_account_that_sent_the_message()
    {
        var alice = await gateway.OpenSmppAccountAsync();
        var bob = await gateway.OpenSmppAccountAsync();
        await using var aliceCallbacks = new StatusCallbackReceiver();
        await using var bobCallbacks = new StatusCallbackReceiver();
        await using var aliceSession = await gateway.ConnectAsync();
        await using var bobSession = await gateway.ConnectAsync();
        Assert.Equal(CommandStatus.Ok, (await aliceSession.BindAsync(alice, CommandId.BindTransceiver)).CommandStatus);
        Assert.Equal(CommandStatus.Ok, (await bobSession.BindAsync(bob, CommandId.BindTransceiver)).CommandStatus);

        var aliceSmpp = await SubmitWithReceiptAsync(aliceSession, alice, "254702739804");
        var bobSmpp = await SubmitWithReceiptAsync(bobSession, bob, "254702739805");
        var aliceRest = await SendWithCallbackAsync(alice, aliceCallbacks.Url, "0702739806");
        var bobRest = await SendWithCallbackAsync(bob, bobCallbacks.Url, "0702739807");

        Assert.Equal(aliceSmpp, await ReceiptIdAsync(aliceSession));
        Assert.Equal(bobSmpp, await ReceiptIdAsync(bobSession));
        await aliceCallbacks.WaitForAsync(aliceRest, Patience);
        await bobCallbacks.WaitForAsync(bobRest, Patience);

        // Whatever else was going to arrive has had time to: nothing did, on either side.
        await Task.Delay(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<TimeoutException>(() => aliceSession.TryReadAsync(TimeSpan.FromMilliseconds(300)));
        await Assert.ThrowsAsync<TimeoutException>(() => bobSession.TryReadAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Equal([aliceRest], aliceCallbacks.Posts.Select(p => p["message_id"]!.GetValue<string>()));
        Assert.Equal([bobRest], bobCallbacks.Posts.Select(p => p["message_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Another_account_can_neither_read_nor_charge_your_messages()
    {
        var alice = await gateway.OpenSmppAccountAsync(credit: 10m);
        var bob = await gateway.OpenSmppAccountAsync(credit: 10m);
        await using var aliceSession = await gateway.ConnectAsync();
        await using var bobSession = await gateway.ConnectAsync();
        await aliceSession.BindAsync(alice);
        await bobSession.BindAsync(bob);
        var aliceSmpp = (await aliceSession.SubmitAsync(SmppTestClient.Submit(alice.SenderId, "254702739804", "mine"u8.ToArray()))).MessageId;
        var aliceRest = (await gateway.Http.SendSmsAsync(alice.Account.ApiKey, new { mobile = "0702739804", sender_name = alice.SenderId, message = "mine" }))[0]!["message_id"]!.GetValue<string>();

        var unknown = (await gateway.Http.GetJsonAsync("/v2/sms/status?message_id=4242", bob.Account.ApiKey)).ToJsonString();
        Assert.Equal("""[{"status_code":"1014","status_desc":"Unknown message ID"}]""", unknown);
        foreach (var id in new[] { aliceSmpp, aliceRest })
        {
            Assert.Equal(unknown, (await gateway.Http.GetJsonAsync($"/v2/sms/status?message_id={id}", bob.Account.ApiKey)).ToJsonString());
            Assert.Equal("1000", (await gateway.Http.GetJsonAsync($"/v2/sms/status?message_id={id}", alice.Account.ApiKey)).Code());
        }

        // Bob cannot send as Alice (her sender ID) on either channel, so nothing lands on her wallet or his.
        var foreignSubmit = await bobSession.SubmitAsync(SmppTestClient.Submit(alice.SenderId, "254702739804", "as alice"u8.ToArray()));
        Assert.Equal(CommandStatus.SubmitFailed, foreignSubmit.CommandStatus);
        var foreignRest = await gateway.Http.SendSmsAsync(bob.Account.ApiKey, new { mobile = "0702739804", sender_name = alice.SenderId, message = "as alice" });
        Assert.Equal("1001", foreignRest[0]!.Code());
        Assert.Equal(8m, await gateway.BalanceAsync(alice.Account));
        Assert.Equal(10m, await gateway.BalanceAsync(bob.Account));
    }

    private static async Task<string> SubmitWithReceiptAsync(SmppTestClient session, SmppAccount account, string destination)
    {
        var submit = SmppTestClient.Submit(account.SenderId, destination, Encoding.ASCII.GetBytes("isolation"));
        submit.RegisteredDelivery = RegisteredDelivery.SmscReceiptOnSuccessOrFailure;
        var response = await session.SubmitAsync(submit);
        Assert.Equal(CommandStatus.Ok, response.CommandStatus);
        return response.MessageId;
    }

    private async Task<string> SendWithCallbackAsync(SmppAccount account, string dlrUrl, string mobile)
    {
        var sent = await gateway.Http.SendSmsAsync(account.Account.ApiKey,
            new { mobile, sender_name = account.SenderId, message = "isolation", dlr_url = dlrUrl });
        Assert.Equal("1000", sent[0]!.Code());
        return sent[0]!["message_id"]!.GetValue<string>();
    }

    private static async Task<string> ReceiptIdAsync(SmppTestClient session)
    {
        var receipt = await session.ReadAsync<DeliverSm>(Patience);
        await session.SendAsync(receipt.CreateResponse());
        return receipt.OptionalParameters.ReceiptedMessageId!;
    }
}
