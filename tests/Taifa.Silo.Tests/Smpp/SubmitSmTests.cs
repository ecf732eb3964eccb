using Taifa.Silo.Tests.Infrastructure;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Text;

namespace Taifa.Silo.Tests.Smpp;

/// <summary>submit_sm goes through the same account, wallet and message records as REST.</summary>
[Collection(SmppCollection.Name)]
public sealed class SubmitSmTests(SmppGateway gateway) : IClassFixture<SmppGateway>
{
    private const string Mobile = "254702739804";

    [Fact]
    public async Task Gsm_submit_is_billed_recorded_and_found_by_the_rest_status_endpoint()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 10m, price: 0.80m);
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account);

        var submit = SmppTestClient.Submit(account.SenderId, Mobile, SmsText.Encode(SmsAlphabet.Gsm7, "Hello {world} from Taifa"));
        submit.RegisteredDelivery = RegisteredDelivery.SmscReceiptOnSuccessOrFailure;
        var response = await client.SubmitAsync(submit);

        Assert.Equal(CommandStatus.Ok, response.CommandStatus);
        Assert.Matches("^[0-9]+$", response.MessageId);
        Assert.Equal(9.20m, await gateway.BalanceAsync(account.Account));
        var status = await gateway.Http.GetJsonAsync($"/v2/sms/status?message_id={response.MessageId}", account.Account.ApiKey);
        var json = status.ToJsonString();
        Assert.Contains(response.MessageId, json, StringComparison.Ordinal);
        Assert.Contains(Mobile, json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ucs2_submit_is_accepted_and_billed_as_one_part()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 10m, price: 1m);
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account, CommandId.BindTransceiver);

        var response = await client.SubmitAsync(SmppTestClient.Submit(account.SenderId, Mobile,
            SmsText.Encode(SmsAlphabet.Ucs2, "Habari 😀 ya leo"), DataCoding.Ucs2));

        Assert.Equal(CommandStatus.Ok, response.CommandStatus);
        Assert.Equal(9m, await gateway.BalanceAsync(account.Account));
    }

    [Fact]
    public async Task Each_udh_segment_is_billed_as_one_part()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 10m, price: 1m);
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account);
        var template = SmppTestClient.Submit(account.SenderId, Mobile, []);
        var parts = MessageSplitter.CreateSubmitSms(template, new string('a', 400), reference: 0x42);
        Assert.Equal(3, parts.Count);

        foreach (var part in parts) await client.SendAsync(part);
        var responses = new List<SubmitSmResp>();
        for (var i = 0; i < parts.Count; i++) responses.Add(await client.ReadAsync<SubmitSmResp>());

        Assert.All(responses, r => Assert.Equal(CommandStatus.Ok, r.CommandStatus));
        Assert.Equal(3, responses.Select(r => r.MessageId).Distinct().Count());
        Assert.Equal(7m, await gateway.BalanceAsync(account.Account));
    }

    [Fact]
    public async Task Long_message_payload_is_billed_by_its_parts()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 10m, price: 1m);
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account);
        var submit = SmppTestClient.Submit(account.SenderId, Mobile, []);
        submit.OptionalParameters.MessagePayload = SmsText.Encode(SmsAlphabet.Gsm7, new string('b', 200));

        Assert.Equal(CommandStatus.Ok, (await client.SubmitAsync(submit)).CommandStatus);
        Assert.Equal(8m, await gateway.BalanceAsync(account.Account));
    }

    [Theory]
    [InlineData("NOTMINE", Mobile)]
    [InlineData(null, "12345")]
    [InlineData(null, "254202739804")]
    public async Task Invalid_sender_or_destination_answers_submitfail_without_body_and_charges_nothing(string? sender, string destination)
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 10m, price: 1m);
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account);

        var response = await client.SubmitAsync(SmppTestClient.Submit(sender ?? account.SenderId, destination, "Hi"u8.ToArray()));

        Assert.Equal(CommandStatus.SubmitFailed, response.CommandStatus);
        Assert.Equal("", response.MessageId);
        Assert.Equal(10m, await gateway.BalanceAsync(account.Account));
    }

    [Fact]
    public async Task Insufficient_credit_answers_submitfail()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 1m, price: 1m);
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account);
        var submit = SmppTestClient.Submit(account.SenderId, Mobile, "Hi"u8.ToArray());

        Assert.Equal(CommandStatus.Ok, (await client.SubmitAsync(submit)).CommandStatus);
        Assert.Equal(CommandStatus.SubmitFailed, (await client.SubmitAsync(SmppTestClient.Submit(account.SenderId, Mobile, "Hi"u8.ToArray()))).CommandStatus);
        Assert.Equal(0m, await gateway.BalanceAsync(account.Account));
    }

    [Fact]
    public async Task Numeric_sender_and_national_destination_are_accepted_like_rest()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 5m, price: 1m, senderIds: "254" + Random.Shared.Next(100_000_000, 999_999_999));
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account);
        var submit = SmppTestClient.Submit(account.SenderId, "0702739804", "Hi"u8.ToArray());
        submit.Destination = new SmppAddress(TypeOfNumber.National, NumberingPlan.Isdn, "0702739804");

        Assert.Equal(CommandStatus.Ok, (await client.SubmitAsync(submit)).CommandStatus);
    }

    [Fact]
    public async Task Pipelined_submits_are_each_answered_by_sequence_number_and_billed_to_the_cent()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 1000m, price: 0.35m);
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account);
        const int count = 80;

        var sent = new HashSet<uint>();
        for (var i = 0; i < count; i++)
        {
            sent.Add(await client.SendAsync(SmppTestClient.Submit(account.SenderId, Mobile, SmsText.Encode(SmsAlphabet.Gsm7, $"Message {i}"))));
        }

        var answered = new HashSet<uint>();
        for (var i = 0; i < count; i++)
        {
            var response = await client.ReadAsync<SubmitSmResp>();
            Assert.Equal(CommandStatus.Ok, response.CommandStatus);
            Assert.True(answered.Add(response.SequenceNumber), $"sequence {response.SequenceNumber} answered twice");
        }

        Assert.Equal(sent, answered);
        Assert.Equal(1000m - count * 0.35m, await gateway.BalanceAsync(account.Account));
    }
}
