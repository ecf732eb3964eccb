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
/// Validity against the whole gateway and its built-in Safaricom simulator: a message's validity (REST
/// validity_period in minutes, SMPP validity_period, else Taifa:Dispatch:DefaultValidity) goes to the operator in its
/// submit_sm, and a message no operator took before it ends is expired, refunded once and told like any final state.
/// </summary>
[Collection(SmppCollection.Name)]
public sealed class MessageValidityTests(QuickReceiptGateway gateway) : IClassFixture<QuickReceiptGateway>
{
    private SmscSimulator Safaricom => gateway.Factory.Services.GetRequiredService<BuiltInOperators>().Simulators["safaricom"];

    [Fact]
    public async Task A_rest_validity_period_or_the_default_reaches_the_operator_and_a_bad_one_answers_1009()
    {
        var account = await gateway.OpenAccountAsync(credit: 10m, price: 1m);
        foreach (var bad in new object[] { 0, 10081, "abc", 1.5, -5, true })
        {
            var refused = await gateway.Http.SendSmsAsync(account.ApiKey, new { mobile = "0711000701", sender_name = account.SenderId, message = "x", validity_period = bad });
            Assert.True(refused[0]!.Code() == "1009", $"validity_period {bad} answered {refused.ToJsonString()}");
        }

        Assert.Equal(10m, await gateway.BalanceAsync(account));

        var before = DateTimeOffset.UtcNow;
        var withValidity = Text((await gateway.Http.SendSmsAsync(account.ApiKey, new { mobile = "0711000702", sender_name = account.SenderId, message = "half an hour", validity_period = "30" }))[0]!, "message_id");
        var withDefault = Text((await gateway.Http.SendSmsAsync(account.ApiKey, new { mobile = "0711000703", sender_name = account.SenderId, message = "two days" }))[0]!, "message_id");
        var after = DateTimeOffset.UtcNow;

        var status = await Status(account, withValidity);
        Assert.True(DateTimeOffset.TryParseExact(Text(status, "expires_at") + " +03:00", "yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out var shown));
        Assert.InRange(shown, before.AddMinutes(30).AddSeconds(-1), after.AddMinutes(30));
        Assert.InRange(await ValidityAtOperator("254711000702"), before.AddMinutes(30).AddSeconds(-1), after.AddMinutes(30).AddSeconds(1));
        Assert.InRange(await ValidityAtOperator("254711000703"), before.AddHours(48).AddSeconds(-1), after.AddHours(48).AddSeconds(1));
        await Eventually(async () => Text(await Status(account, withDefault), "status") == "delivered", "the default-validity message delivered");
    }

    [Fact]
    public async Task A_message_whose_validity_ends_while_the_operator_is_down_expires_refunded_with_an_expired_receipt()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 10m, price: 1m);
        await using var client = await gateway.ConnectAsync();
        Assert.Equal(CommandStatus.Ok, (await client.BindAsync(account, CommandId.BindTransceiver)).CommandStatus);

        foreach (var bad in new[] { "garbage000000000", "200101000000000+", "000000000000000R" })
        {
            var refused = SmppTestClient.Submit(account.SenderId, "254711000711", Encoding.ASCII.GetBytes("x"));
            refused.ValidityPeriod = bad;
            Assert.Equal(CommandStatus.InvalidExpiry, (await client.SubmitAsync(refused)).CommandStatus);
        }

        Safaricom.Behaviour = SimulatorBehaviour.Normal with { RefuseBinds = true };
        Safaricom.DropAllBinds();
        string messageId;
        try
        {
            var submit = SmppTestClient.Submit(account.SenderId, "254711000712", Encoding.ASCII.GetBytes("a code valid for 2 s"));
            submit.ValidityPeriod = "000000000002000R";
            submit.RegisteredDelivery = RegisteredDelivery.SmscReceiptOnSuccessOrFailure;
            var response = await client.SubmitAsync(submit);
            Assert.Equal(CommandStatus.Ok, response.CommandStatus);
            messageId = response.MessageId;
            Assert.Equal(9m, await gateway.BalanceAsync(account.Account));
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        finally
        {
            Safaricom.Behaviour = SimulatorBehaviour.Normal;
        }

        var receipt = await client.ReadAsync<DeliverSm>(Patience);
        await client.SendAsync(receipt.CreateResponse());
        Assert.Equal((messageId, MessageState.Expired), (receipt.OptionalParameters.ReceiptedMessageId, receipt.OptionalParameters.MessageState));
        Assert.Contains("stat:EXPIRED", Encoding.ASCII.GetString(receipt.ShortMessage.Span), StringComparison.Ordinal);
        await Eventually(async () => await gateway.BalanceAsync(account.Account) == 10m, "the expired message refunded");
        Assert.Equal("expired", Text(await gateway.Http.GetJsonAsync($"/v2/sms/status?message_id={messageId}", account.Account.ApiKey), "status"));
        Assert.DoesNotContain(Safaricom.Submits, s => s.Destination.Address == "254711000712");
        await Task.Delay(500);
        Assert.Equal(10m, await gateway.BalanceAsync(account.Account));
    }

    [Fact]
    public async Task A_message_expires_at_its_time_while_the_operator_stays_down_refunded_and_told()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 10m, price: 1m);
        await using var client = await gateway.ConnectAsync();
        Assert.Equal(CommandStatus.Ok, (await client.BindAsync(account, CommandId.BindTransceiver)).CommandStatus);
        Safaricom.Behaviour = SimulatorBehaviour.Normal with { RefuseBinds = true };
        Safaricom.DropAllBinds();
        try
        {
            var submit = SmppTestClient.Submit(account.SenderId, "254711000721", Encoding.ASCII.GetBytes("a code valid for 2 s, operator down"));
            submit.ValidityPeriod = "000000000002000R";
            submit.RegisteredDelivery = RegisteredDelivery.SmscReceiptOnSuccessOrFailure;
            var response = await client.SubmitAsync(submit);
            Assert.Equal(CommandStatus.Ok, response.CommandStatus);

            // Told while the operator is still down: the sweep of queued rows expires it, not the operator's return.
            var receipt = await client.ReadAsync<DeliverSm>(TimeSpan.FromSeconds(20));
            await client.SendAsync(receipt.CreateResponse());
            Assert.Equal((response.MessageId, MessageState.Expired), (receipt.OptionalParameters.ReceiptedMessageId, receipt.OptionalParameters.MessageState));
            Assert.Equal("expired", Text(await gateway.Http.GetJsonAsync($"/v2/sms/status?message_id={response.MessageId}", account.Account.ApiKey), "status"));
            await Eventually(async () => await gateway.BalanceAsync(account.Account) == 10m, "the expired message refunded");
        }
        finally
        {
            Safaricom.Behaviour = SimulatorBehaviour.Normal;
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.DoesNotContain(Safaricom.Submits, s => s.Destination.Address == "254711000721");
        Assert.Equal(10m, await gateway.BalanceAsync(account.Account));
    }

    private async Task<DateTimeOffset> ValidityAtOperator(string destination)
    {
        var submit = await Eventually(() => Safaricom.Submits.FirstOrDefault(s => s.Destination.Address == destination), $"{destination} at the operator");
        Assert.True(SmppTime.TryParse(submit.ValidityPeriod, DateTimeOffset.UtcNow, out var at), $"validity_period '{submit.ValidityPeriod}'");
        return at!.Value;
    }

    private Task<JsonNode> Status(TestAccount account, string messageId) =>
        gateway.Http.GetJsonAsync($"/v2/sms/status?message_id={messageId}", account.ApiKey);

    private static string Text(JsonNode node, string field) => node[field]!.GetValue<string>();

}
