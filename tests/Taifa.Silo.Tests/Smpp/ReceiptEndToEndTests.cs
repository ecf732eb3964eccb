using System.Text;
using System.Text.Json.Nodes;
using Orleans.Runtime;
using Taifa.Abstractions.Messages;
using Taifa.Abstractions.Smpp;
using Taifa.Silo.Smpp;
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

    [Fact]
    public async Task Receipts_for_a_transmitter_only_client_wait_per_account_while_their_messages_leave_memory()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using var transmitter = await gateway.ConnectAsync();
        await transmitter.BindAsync(account);
        var messageIds = await SubmitWithReceiptsAsync(transmitter, account, 5);

        // Final, their receipts parked with the account: none of the message grains stays active.
        await WaitUntilInactiveAsync(messageIds);

        await using var receiver = await gateway.ConnectAsync();
        await receiver.BindAsync(account, CommandId.BindReceiver);
        var received = new List<string>();
        foreach (var _ in messageIds)
        {
            var deliver = await receiver.ReadAsync<DeliverSm>();
            await receiver.SendAsync(deliver.CreateResponse());
            received.Add(deliver.OptionalParameters.ReceiptedMessageId!);
        }

        Assert.Equal(messageIds.Order(), received.Order());
    }

    [Fact]
    public async Task Receipts_to_a_slow_receiver_fill_its_window_and_a_full_window_keeps_the_session_bound()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using var receiver = await gateway.ConnectAsync();
        await receiver.BindAsync(account, CommandId.BindReceiver);
        await using var transmitter = await gateway.ConnectAsync();
        await transmitter.BindAsync(account);
        var messageIds = await SubmitWithReceiptsAsync(transmitter, account, SmppServerSession.ReceiptWindow + 17);

        // A whole window arrives before the client has answered any: receipts are not sent one at a time.
        var unanswered = new List<DeliverSm>();
        for (var i = 0; i < SmppServerSession.ReceiptWindow; i++) unanswered.Add(await receiver.ReadAsync<DeliverSm>());
        foreach (var deliver in unanswered) await receiver.SendAsync(deliver.CreateResponse());

        var rest = new List<DeliverSm>();
        for (var i = 0; i < 17; i++)
        {
            var deliver = await receiver.ReadAsync<DeliverSm>();
            await receiver.SendAsync(deliver.CreateResponse());
            rest.Add(deliver);
        }

        Assert.Equal(messageIds.Order(), unanswered.Concat(rest).Select(d => d.OptionalParameters.ReceiptedMessageId!).Order());
        var registry = gateway.Grains.GetGrain<ISmppBindRegistryGrain>(account.Account.AccountId);
        Assert.Equal(2, (await registry.Bindings()).Count);
    }

    private static async Task<List<string>> SubmitWithReceiptsAsync(SmppTestClient client, SmppAccount account, int count)
    {
        var messageIds = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var submit = SmppTestClient.Submit(account.SenderId, "254702739804", Encoding.ASCII.GetBytes("receipt " + i));
            submit.RegisteredDelivery = RegisteredDelivery.SmscReceiptOnSuccessOrFailure;
            var response = await client.SubmitAsync(submit);
            Assert.Equal(CommandStatus.Ok, response.CommandStatus);
            messageIds.Add(response.MessageId);
        }

        return messageIds;
    }

    /// <summary>Watches the activations without calling the message grains (a call would activate them again).</summary>
    private async Task WaitUntilInactiveAsync(List<string> messageIds)
    {
        var management = gateway.Grains.GetGrain<IManagementGrain>(0);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var active = 0;
            foreach (var id in messageIds)
            {
                var reference = (GrainReference)gateway.Grains.GetGrain<IMessageGrain>(long.Parse(id, System.Globalization.CultureInfo.InvariantCulture));
                active += await management.GetGrainActivationCount(reference);
            }

            if (active == 0) return;
            Assert.True(DateTime.UtcNow < deadline, $"{active} of {messageIds.Count} message grains are still in memory, waiting for a receiver");
            await Task.Delay(100);
        }
    }
}
