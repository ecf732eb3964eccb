using System.Text;
using System.Text.Json.Nodes;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Smpp.Pdus;

namespace Taifa.Silo.Tests.Smpp;

/// <summary>A gateway whose built-in operator simulators send their receipts after a fifth of a second.</summary>
public sealed class QuickReceiptGateway() : SmppGatewayBase(new Dictionary<string, string>
{
    ["Taifa:Simulators:ReceiptDelay"] = "00:00:00.200",
    // IsolationTests' StatusCallbackReceiver, the customers' dlr_url, listens on loopback.
    ["Taifa:Api:AllowPrivateCallbackTargets"] = "true",
});

/// <summary>
/// submit_sm with registered_delivery over a transceiver bind → dispatcher → operator simulator → operator receipt
/// → our receipt back to the customer as deliver_sm, with our message id, on the same kind of session.
/// </summary>
[Collection(SmppCollection.Name)]
public sealed class ReceiptEndToEndTests(QuickReceiptGateway gateway) : IClassFixture<QuickReceiptGateway>
{
    [Fact]
    public async Task A_transceiver_that_asks_for_a_receipt_gets_one_with_our_message_id()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using var client = await gateway.ConnectAsync();
        var bound = await client.BindAsync(account, CommandId.BindTransceiver);
        Assert.Equal(CommandStatus.Ok, bound.CommandStatus);

        var submit = SmppTestClient.Submit(account.SenderId, "254702739804", Encoding.ASCII.GetBytes("receipt please"));
        submit.RegisteredDelivery = RegisteredDelivery.SmscReceiptOnSuccessOrFailure;
        var response = await client.SubmitAsync(submit);
        Assert.Equal(CommandStatus.Ok, response.CommandStatus);

        var receipt = await client.ReadAsync<DeliverSm>(TimeSpan.FromSeconds(15));
        await client.SendAsync(receipt.CreateResponse());
        Assert.Equal(EsmClass.DeliveryReceipt, receipt.EsmClass & EsmClass.MessageTypeMask);
        var text = Encoding.ASCII.GetString(receipt.ShortMessage.Span);
        Assert.StartsWith($"id:{response.MessageId} ", text, StringComparison.Ordinal);
        Assert.Contains("stat:DELIVRD", text, StringComparison.Ordinal);
        Assert.Equal(response.MessageId, receipt.OptionalParameters.ReceiptedMessageId);
        Assert.Equal(MessageState.Delivered, receipt.OptionalParameters.MessageState);

        var status = await gateway.Http.GetJsonAsync($"/v2/sms/status?message_id={response.MessageId}", account.Account.ApiKey);
        Assert.Equal("delivered", status["status"]!.GetValue<string>());
        Assert.Equal("smpp", status["channel"]!.GetValue<string>());
    }

    [Fact]
    public async Task No_receipt_is_sent_when_none_was_asked_for()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account, CommandId.BindTransceiver);
        var response = await client.SubmitAsync(SmppTestClient.Submit(account.SenderId, "254733123456", Encoding.ASCII.GetBytes("no receipt")));

        var deadline = DateTime.UtcNow.AddSeconds(15);
        JsonNode status;
        do
        {
            status = await gateway.Http.GetJsonAsync($"/v2/sms/status?message_id={response.MessageId}", account.Account.ApiKey);
            await Task.Delay(100);
        }
        while (status["status"]!.GetValue<string>() != "delivered" && DateTime.UtcNow < deadline);
        Assert.Equal("delivered", status["status"]!.GetValue<string>());
        await Assert.ThrowsAsync<TimeoutException>(() => client.TryReadAsync(TimeSpan.FromMilliseconds(500)));
    }
}
