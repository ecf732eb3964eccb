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
    public async Task Submit_sm_pays_the_rate_card_price_of_the_recipients_network()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 10m, price: 1m);
        await gateway.SetPricesAsync(account.Account, new { @default = 1.00, networks = new Dictionary<string, decimal> { ["1"] = 0.80m, ["2"] = 0.65m } });
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account);

        var costs = new List<string>();
        foreach (var destination in new[] { Mobile, "254733123456", "254771234567" })
        {
            var response = await client.SubmitAsync(SmppTestClient.Submit(account.SenderId, destination, SmsText.Encode(SmsAlphabet.Gsm7, "rate card")));
            Assert.Equal(CommandStatus.Ok, response.CommandStatus);
            var status = await gateway.Http.GetJsonAsync($"/v2/sms/status?message_id={response.MessageId}", account.Account.ApiKey);
            costs.Add(status["message_cost"]!.GetValue<string>());
        }

        Assert.Equal(["0.80", "0.65", "1.00"], costs);
        Assert.Equal(7.55m, await gateway.BalanceAsync(account.Account));
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

    [Fact]
    public async Task A_segment_whose_text_does_not_fit_one_part_is_refused_and_costs_nothing()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 10m, price: 1m);
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account);

        // sar_* TLVs with a 300-character message_payload: one segment cannot carry it.
        var sar = SmppTestClient.Submit(account.SenderId, Mobile, []);
        sar.OptionalParameters.SarMsgRefNum = 0x0102;
        sar.OptionalParameters.SarTotalSegments = 2;
        sar.OptionalParameters.SarSegmentSeqnum = 1;
        sar.OptionalParameters.MessagePayload = SmsText.Encode(SmsAlphabet.Gsm7, new string('x', 300));

        // A UDH segment one septet over a part (the euro takes two), and a UCS-2 one a code unit over.
        var gsm = UdhSegment(account, SmsText.Encode(SmsAlphabet.Gsm7, new string('a', 152) + "€"), DataCoding.SmscDefault);
        var ucs2 = UdhSegment(account, SmsText.Encode(SmsAlphabet.Ucs2, new string('Ж', 68)), DataCoding.Ucs2);

        foreach (var submit in new[] { sar, gsm, ucs2 })
        {
            Assert.Equal(CommandStatus.InvalidMessageLength, (await client.SubmitAsync(submit)).CommandStatus);
        }

        Assert.Equal(10m, await gateway.BalanceAsync(account.Account));
    }

    [Fact]
    public async Task Gsm_text_sent_as_ucs2_is_billed_by_its_ucs2_parts_and_held_to_the_parts_limit()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 20m, price: 1m);
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account);

        // 150 characters GSM could carry in one part travel as UCS-2 in three.
        var submit = SmppTestClient.Submit(account.SenderId, Mobile, [], DataCoding.Ucs2);
        submit.OptionalParameters.MessagePayload = SmsText.Encode(SmsAlphabet.Ucs2, new string('a', 150));
        var response = await client.SubmitAsync(submit);
        Assert.Equal(CommandStatus.Ok, response.CommandStatus);
        Assert.Equal(17m, await gateway.BalanceAsync(account.Account));
        var status = await gateway.Http.GetJsonAsync($"/v2/sms/status?message_id={response.MessageId}", account.Account.ApiKey);
        Assert.Equal("3", status["parts"]?.ToString());
        Assert.Equal("ucs2", status["encoding"]?.ToString());

        // 1,530 would be 10 GSM parts, within the limit of 10; in UCS-2 they are 23, above it.
        var tooLong = SmppTestClient.Submit(account.SenderId, Mobile, [], DataCoding.Ucs2);
        tooLong.OptionalParameters.MessagePayload = SmsText.Encode(SmsAlphabet.Ucs2, new string('a', 1530));
        Assert.Equal(CommandStatus.InvalidMessageLength, (await client.SubmitAsync(tooLong)).CommandStatus);
        Assert.Equal(17m, await gateway.BalanceAsync(account.Account));
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
        submit.Destination = new SmppAddress(TypeOfNumber.National, NumberingPlanIndicator.Isdn, "0702739804");

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

    private static SubmitSm UdhSegment(SmppAccount account, byte[] body, byte dataCoding)
    {
        var userData = new byte[UserDataHeader.ConcatenationHeaderLength + body.Length];
        UserDataHeader.WriteConcatenation(userData, reference: 0x33, total: 2, sequenceNumber: 1);
        body.CopyTo(userData, UserDataHeader.ConcatenationHeaderLength);
        var submit = SmppTestClient.Submit(account.SenderId, Mobile, userData, dataCoding);
        submit.EsmClass = EsmClass.UdhIndicator;
        return submit;
    }
}
