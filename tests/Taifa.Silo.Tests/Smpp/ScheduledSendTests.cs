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
/// Scheduled sends against the whole gateway and its built-in Safaricom SMSC simulator: REST send_at and SMPP
/// schedule_delivery_time are charged at once, shown as scheduled, reach the operator at their time (not before, and
/// within a few seconds after), and can be cancelled until then, refunded once.
/// </summary>
[Collection(SmppCollection.Name)]
public sealed class ScheduledSendTests(QuickReceiptGateway gateway) : IClassFixture<QuickReceiptGateway>
{
    // The release runs every second; the operator's submit follows through the dispatcher.
    private static readonly TimeSpan Lateness = TimeSpan.FromSeconds(5);

    private SmscSimulator Safaricom => gateway.Factory.Services.GetRequiredService<BuiltInOperators>().Simulators["safaricom"];

    [Theory]
    [InlineData("nairobi")]
    [InlineData("iso")]
    public async Task A_rest_send_at_is_charged_at_once_scheduled_and_reaches_the_operator_at_its_time(string form)
    {
        var account = await gateway.OpenAccountAsync(credit: 10m, price: 1m);
        var mobile = form == "iso" ? "0711000501" : "0711000502";
        var sendAt = WholeSecond(DateTimeOffset.UtcNow.AddSeconds(4));
        var text = form == "iso"
            ? sendAt.ToOffset(TimeSpan.FromHours(3)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)
            : sendAt.ToOffset(TimeSpan.FromHours(3)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

        var sent = await gateway.Http.SendSmsAsync(account.ApiKey, new { mobile, sender_name = account.SenderId, message = "later, please", send_at = text });
        Assert.Equal(("1000", "1.00", "9.00"), (sent[0]!.Code(), Text(sent[0]!, "message_cost"), Text(sent[0]!, "credit_balance")));
        var messageId = Text(sent[0]!, "message_id");
        var status = await Status(account, messageId);
        Assert.Equal(("scheduled", NairobiText(sendAt)), (Text(status, "status"), Text(status, "send_at")));

        var submit = await Eventually(() => Safaricom.Submits.FirstOrDefault(s => s.Destination.Address == "254" + mobile[1..]), $"message {messageId} at the operator");
        Assert.InRange(submit.ReceivedAt, sendAt, sendAt + Lateness);
        await Eventually(async () => Text(await Status(account, messageId), "status") == "delivered", $"message {messageId} delivered");
        Assert.Equal(9m, await gateway.BalanceAsync(account));
    }

    [Fact]
    public async Task A_scheduled_message_cancelled_before_its_time_is_refunded_once_and_never_sent()
    {
        var account = await gateway.OpenAccountAsync(credit: 10m, price: 1m);
        var sendAt = DateTimeOffset.UtcNow.AddSeconds(3);
        var sent = await gateway.Http.SendSmsAsync(account.ApiKey, new { mobile = "0711000511", sender_name = account.SenderId, message = "never mind", send_at = Iso(sendAt) });
        var messageId = Text(sent[0]!, "message_id");
        Assert.Equal(9m, await gateway.BalanceAsync(account));

        var cancelled = await Cancel(account, messageId);
        Assert.True(cancelled is JsonObject, cancelled.ToJsonString());
        Assert.Equal(("1000", "cancelled"), (cancelled.Code(), Text(cancelled, "status")));
        var repeated = await Cancel(account, messageId);
        Assert.True(repeated is JsonObject, repeated.ToJsonString());
        Assert.Equal(("1000", "cancelled"), (repeated.Code(), Text(repeated, "status")));
        await Eventually(async () => await gateway.BalanceAsync(account) == 10m, "the cancelled message refunded");

        // Past its time: still cancelled, never at the operator, refunded once.
        await Task.Delay(sendAt - DateTimeOffset.UtcNow + Lateness);
        Assert.Equal("cancelled", Text(await Status(account, messageId), "status"));
        Assert.DoesNotContain(Safaricom.Submits, s => s.Destination.Address == "254711000511");
        Assert.Equal(10m, await gateway.BalanceAsync(account));
    }

    [Fact]
    public async Task A_send_at_in_the_past_too_far_ahead_or_malformed_answers_1009_and_charges_nothing()
    {
        var account = await gateway.OpenAccountAsync(credit: 10m, price: 1m);
        var now = DateTimeOffset.UtcNow;
        foreach (var sendAt in new[]
                 {
                     Iso(now.AddMinutes(-5)), Iso(now.AddDays(91)), "tomorrow", "2026-13-01 10:00:00", NairobiText(now.AddDays(1)) + "Z",
                     now.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
                 })
        {
            var answer = await gateway.Http.SendSmsAsync(account.ApiKey, new { mobile = "0711000521", sender_name = account.SenderId, message = "x", send_at = sendAt });
            Assert.True(answer[0]!.Code() == "1009", $"send_at '{sendAt}' answered {answer.ToJsonString()}");
        }

        var wrongType = await gateway.Http.PostRawAsync("/v2/sms/sendsms", account.ApiKey,
            $$"""{"mobile":"0711000521","sender_name":"{{account.SenderId}}","message":"x","send_at":12345}""");
        Assert.Contains("1009", wrongType.Body, StringComparison.Ordinal);
        Assert.Equal(10m, await gateway.BalanceAsync(account));

        // Within a minute behind our clock is the caller's clock: sent at once; null is no schedule at all.
        foreach (var sendAt in new[] { Iso(now.AddSeconds(-20)), null })
        {
            var sent = await gateway.Http.SendSmsAsync(account.ApiKey, new { mobile = "0711000522", sender_name = account.SenderId, message = "now", send_at = sendAt });
            Assert.Equal("1000", sent[0]!.Code());
            Assert.NotEqual("scheduled", Text(await Status(account, Text(sent[0]!, "message_id")), "status"));
        }
    }

    [Fact]
    public async Task A_relative_schedule_delivery_time_is_held_until_then_and_a_bad_one_answers_0x61()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 10m, price: 1m);
        await using var client = await gateway.ConnectAsync();
        Assert.Equal(CommandStatus.Ok, (await client.BindAsync(account, CommandId.BindTransceiver)).CommandStatus);

        foreach (var bad in new[] { "garbage000000000", "000091000000000R", "990101000000000+", "261301000000000+" })
        {
            var refused = SmppTestClient.Submit(account.SenderId, "254711000531", Encoding.ASCII.GetBytes("x"));
            refused.ScheduleDeliveryTime = bad;
            Assert.Equal(CommandStatus.InvalidScheduledDeliveryTime, (await client.SubmitAsync(refused)).CommandStatus);
        }

        Assert.Equal(10m, await gateway.BalanceAsync(account.Account));

        var submit = SmppTestClient.Submit(account.SenderId, "254711000532", Encoding.ASCII.GetBytes("in four seconds"));
        submit.ScheduleDeliveryTime = "000000000004000R";
        submit.RegisteredDelivery = RegisteredDelivery.SmscReceiptOnSuccessOrFailure;
        var accepted = DateTimeOffset.UtcNow;
        var response = await client.SubmitAsync(submit);
        Assert.Equal(CommandStatus.Ok, response.CommandStatus);
        Assert.Equal(9m, await gateway.BalanceAsync(account.Account));

        await client.SendAsync(new QuerySm { MessageId = response.MessageId });
        Assert.Equal(MessageState.Enroute, (await client.ReadAsync<QuerySmResp>(TimeSpan.FromSeconds(5))).MessageState);

        var receipt = await client.ReadAsync<DeliverSm>(Patience);
        await client.SendAsync(receipt.CreateResponse());
        Assert.Equal((response.MessageId, MessageState.Delivered), (receipt.OptionalParameters.ReceiptedMessageId, receipt.OptionalParameters.MessageState));
        var atOperator = Assert.Single(Safaricom.Submits, s => s.Destination.Address == "254711000532").ReceivedAt;
        Assert.InRange(atOperator, accepted + TimeSpan.FromSeconds(3.5), accepted + TimeSpan.FromSeconds(4) + Lateness);
    }

    private static DateTimeOffset WholeSecond(DateTimeOffset at) => new(at.Ticks - at.Ticks % TimeSpan.TicksPerSecond, at.Offset);

    private static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    private static string NairobiText(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(3)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private async Task<JsonNode> Cancel(TestAccount account, string messageId)
    {
        var (_, text) = await gateway.Http.PostRawAsync("/v2/sms/cancel", account.ApiKey, $$"""{"message_id":"{{messageId}}"}""");
        return JsonNode.Parse(text)!;
    }

    private Task<JsonNode> Status(TestAccount account, string messageId) =>
        gateway.Http.GetJsonAsync($"/v2/sms/status?message_id={messageId}", account.ApiKey);

    private static string Text(JsonNode node, string field) => node[field]!.GetValue<string>();


}
