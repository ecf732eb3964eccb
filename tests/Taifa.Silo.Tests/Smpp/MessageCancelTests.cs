using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Taifa.Operators.Simulator;
using Taifa.Silo.Dispatch;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Smpp.Pdus;

using static Taifa.Silo.Tests.Infrastructure.Waits;

namespace Taifa.Silo.Tests.Smpp;

/// <summary>
/// Cancelling a message before it is handed to its operator (REST /v2/sms/cancel and SMPP cancel_sm) and asking for
/// its state (query_sm), against the whole gateway and its built-in Safaricom SMSC simulator, which refuses binds while
/// the messages should wait. A cancelled message never reaches the operator and is refunded once; a message the
/// operator has is no longer cancellable.
/// </summary>
[Collection(SmppCollection.Name)]
public sealed class MessageCancelTests(QuickReceiptGateway gateway) : IClassFixture<QuickReceiptGateway>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private SmscSimulator Safaricom => gateway.Factory.Services.GetRequiredService<BuiltInOperators>().Simulators["safaricom"];

    [Fact]
    public async Task A_queued_message_cancelled_over_rest_is_refunded_once_and_never_sent_and_a_sent_one_answers_1018()
    {
        var account = await gateway.OpenAccountAsync(credit: 10m, price: 1m);
        var stranger = await gateway.OpenAccountAsync(credit: 10m, price: 1m);
        OperatorDown();
        string early, waiting, kept;
        try
        {
            early = await SendOne(account, "0711000301");
            waiting = await SendOne(account, "0711000302");
            kept = await SendOne(account, "0711000303");

            // Cancelled at once (perhaps still in the account's outbox), and after its dispatcher has it, waiting for the link.
            var cancelled = await Cancel(account, early);
            Assert.Equal(("1000", "cancelled", early, "1.00"), (cancelled.Code(), Text(cancelled, "status"), Text(cancelled, "message_id"), Text(cancelled, "message_cost")));
            await Task.Delay(1000);
            Assert.Equal("cancelled", Text(await Cancel(account, waiting), "status"));

            // A repeat answers the same and refunds nothing more; another account's id is unknown; so is garbage.
            Assert.Equal(("1000", "cancelled"), ((await Cancel(account, early)).Code(), Text(await Cancel(account, early), "status")));
            Assert.Equal("1014", Error(await CancelRaw(stranger.ApiKey, $$"""{"message_id":"{{kept}}"}""")));
            Assert.Equal("1014", Error(await CancelRaw(account.ApiKey, """{"message_id":"12ab"}""")));
            Assert.Equal("1014", Error(await CancelRaw(account.ApiKey, """{"message_id":99999999999}""")));
            Assert.Equal("1009", Error(await CancelRaw(account.ApiKey, """{"id":"1"}""")));
            Assert.Equal("1009", Error(await CancelRaw(account.ApiKey, "not json")));
            Assert.Equal("1006", Error(await CancelRaw("wrong-key", $$"""{"message_id":"{{kept}}"}""")));
            Assert.Equal("10.00", Text(await gateway.Http.GetJsonAsync("/v2/sms/units", stranger.ApiKey), "credit_balance"));

            await Eventually(async () => await gateway.BalanceAsync(account) == 9m, "the two cancelled messages refunded");
            Assert.Equal("cancelled", Text(await Status(account, early), "status"));
        }
        finally
        {
            Safaricom.Behaviour = SimulatorBehaviour.Normal;
        }

        await Eventually(async () => Text(await Status(account, kept), "status") == "delivered", $"message {kept} delivered once the operator is back");
        Assert.Equal("1018", Error(await CancelRaw(account.ApiKey, $$"""{"message_id":"{{kept}}"}""")));
        Assert.DoesNotContain(Safaricom.Submits, s => s.Destination.Address is "254711000301" or "254711000302");
        Assert.Contains(Safaricom.Submits, s => s.Destination.Address == "254711000303");
        await Task.Delay(500);
        Assert.Equal(9m, await gateway.BalanceAsync(account));
    }

    [Fact]
    public async Task Query_sm_tells_a_message_s_state_and_cancel_sm_cancels_it_with_a_deleted_receipt()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 10m, price: 1m);
        var stranger = await gateway.OpenSmppAccountAsync(credit: 10m, price: 1m);
        await using var client = await gateway.ConnectAsync();
        Assert.Equal(CommandStatus.Ok, (await client.BindAsync(account, CommandId.BindTransceiver)).CommandStatus);
        await using var other = await gateway.ConnectAsync();
        Assert.Equal(CommandStatus.Ok, (await other.BindAsync(stranger, CommandId.BindTransceiver)).CommandStatus);
        var receipts = new List<DeliverSm>();

        OperatorDown();
        string queued;
        try
        {
            queued = await Submit(client, account, "254711000401");
            var state = await Request<QuerySmResp>(client, new QuerySm { MessageId = queued, Source = SmppAddress.Alphanumeric(account.SenderId) }, receipts);
            Assert.Equal((CommandStatus.Ok, queued, MessageState.Enroute, ""), (state.CommandStatus, state.MessageId, state.MessageState, state.FinalDate));

            Assert.Equal(CommandStatus.QueryFailed, (await Request<QuerySmResp>(other, new QuerySm { MessageId = queued }, [])).CommandStatus);
            Assert.Equal(CommandStatus.InvalidMessageId, (await Request<CancelSmResp>(other, new CancelSm { MessageId = queued }, [])).CommandStatus);
            Assert.Equal(CommandStatus.InvalidMessageId, (await Request<QuerySmResp>(client, new QuerySm { MessageId = "not-ours" }, receipts)).CommandStatus);
            Assert.Equal(CommandStatus.CancelFailed, (await Request<CancelSmResp>(client, new CancelSm(), receipts)).CommandStatus);

            Assert.Equal(CommandStatus.Ok, (await Request<CancelSmResp>(client, new CancelSm { MessageId = queued }, receipts)).CommandStatus);
            Assert.Equal(CommandStatus.Ok, (await Request<CancelSmResp>(client, new CancelSm { MessageId = queued }, receipts)).CommandStatus);
            var cancelled = await Request<QuerySmResp>(client, new QuerySm { MessageId = queued }, receipts);
            Assert.Equal(MessageState.Deleted, cancelled.MessageState);
            Assert.True(SmppTime.TryParse(cancelled.FinalDate, DateTimeOffset.UtcNow, out var finalDate) && finalDate is { } at &&
                        Math.Abs((at - DateTimeOffset.UtcNow).TotalMinutes) < 2, $"final_date '{cancelled.FinalDate}'");

            var receipt = await NextReceipt(client, receipts);
            Assert.Equal((queued, MessageState.Deleted), (receipt.OptionalParameters.ReceiptedMessageId, receipt.OptionalParameters.MessageState));
            Assert.Contains("stat:DELETED", Encoding.ASCII.GetString(receipt.ShortMessage.Span), StringComparison.Ordinal);
            await Eventually(async () => await gateway.BalanceAsync(account.Account) == 10m, "the cancelled message refunded");
        }
        finally
        {
            Safaricom.Behaviour = SimulatorBehaviour.Normal;
        }

        var sent = await Submit(client, account, "254711000402");
        var delivered = await NextReceipt(client, receipts);
        Assert.Equal((sent, MessageState.Delivered), (delivered.OptionalParameters.ReceiptedMessageId, delivered.OptionalParameters.MessageState));
        var final = await Request<QuerySmResp>(client, new QuerySm { MessageId = sent }, receipts);
        Assert.Equal((MessageState.Delivered, SmppTime.Length, (byte)0), (final.MessageState, final.FinalDate.Length, final.ErrorCode));
        Assert.Equal(CommandStatus.CancelFailed, (await Request<CancelSmResp>(client, new CancelSm { MessageId = sent }, receipts)).CommandStatus);
        Assert.DoesNotContain(Safaricom.Submits, s => s.Destination.Address == "254711000401");
        Assert.Equal(9m, await gateway.BalanceAsync(account.Account));
    }

    private void OperatorDown()
    {
        Safaricom.Behaviour = SimulatorBehaviour.Normal with { RefuseBinds = true };
        Safaricom.DropAllBinds();
    }

    private async Task<string> SendOne(TestAccount account, string mobile)
    {
        var sent = await gateway.Http.SendSmsAsync(account.ApiKey, new { mobile, sender_name = account.SenderId, message = "cancel me perhaps" });
        Assert.Equal("1000", sent[0]!.Code());
        return Text(sent[0]!, "message_id");
    }

    private static async Task<string> Submit(SmppTestClient client, SmppAccount account, string destination)
    {
        var submit = SmppTestClient.Submit(account.SenderId, destination, Encoding.ASCII.GetBytes("query me"));
        submit.RegisteredDelivery = RegisteredDelivery.SmscReceiptOnSuccessOrFailure;
        var response = await client.SubmitAsync(submit);
        Assert.Equal(CommandStatus.Ok, response.CommandStatus);
        return response.MessageId;
    }

    /// <summary>Sends a request and reads up to its answer; receipts arriving meanwhile are answered and kept.</summary>
    private static async Task<T> Request<T>(SmppTestClient client, SmppRequest request, List<DeliverSm> receipts)
        where T : SmppResponse
    {
        var sequence = await client.SendAsync(request);
        while (true)
        {
            var pdu = await client.ReadAsync();
            if (pdu is DeliverSm receipt)
            {
                await client.SendAsync(receipt.CreateResponse());
                receipts.Add(receipt);
                continue;
            }

            var response = Assert.IsType<T>(pdu);
            Assert.Equal(sequence, response.SequenceNumber);
            return response;
        }
    }

    private static async Task<DeliverSm> NextReceipt(SmppTestClient client, List<DeliverSm> receipts)
    {
        if (receipts.Count == 0)
        {
            var receipt = await client.ReadAsync<DeliverSm>(Patience);
            await client.SendAsync(receipt.CreateResponse());
            return receipt;
        }

        var first = receipts[0];
        receipts.RemoveAt(0);
        return first;
    }

    private Task<JsonNode> Cancel(TestAccount account, string messageId) =>
        CancelRaw(account.ApiKey, $$"""{"message_id":"{{messageId}}"}""");

    private async Task<JsonNode> CancelRaw(string apiKey, string body)
    {
        var (_, text) = await gateway.Http.PostRawAsync("/v2/sms/cancel", apiKey, body);
        return JsonNode.Parse(text)!;
    }

    private Task<JsonNode> Status(TestAccount account, string messageId) =>
        gateway.Http.GetJsonAsync($"/v2/sms/status?message_id={messageId}", account.ApiKey);

    /// <summary>The status code of an error answer, which is an array of one object.</summary>
    private static string Error(JsonNode answer) => answer is JsonArray array ? array[0]!.Code() : $"not an error: {answer.ToJsonString()}";

    private static string Text(JsonNode node, string field) => node[field]!.GetValue<string>();

}
