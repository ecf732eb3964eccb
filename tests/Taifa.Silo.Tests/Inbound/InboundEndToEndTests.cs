using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Taifa.Operators.Simulator;
using Taifa.Silo.Dispatch;
using Taifa.Silo.Tests.Dispatch;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Silo.Tests.Smpp;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Text;

namespace Taifa.Silo.Tests.Inbound;

/// <summary>The gateway on real sockets with its built-in SMSC simulators, which act as the operators that deliver inbound messages.</summary>
public sealed class InboundGateway() : SmppGatewayBase(new Dictionary<string, string>
{
    // The customers' webhooks (StatusCallbackReceiver) listen on loopback.
    ["Taifa:Api:AllowPrivateCallbackTargets"] = "true",
    ["Taifa:Inbound:PollInterval"] = "00:00:00.100",
})
{
    public SmscSimulator Safaricom => Factory.Services.GetRequiredService<BuiltInOperators>().Simulators["safaricom"];
}

/// <summary>
/// Inbound (MO) end to end over real SMPP: the simulator, as the operator's SMSC, sends deliver_sm/data_sm to the
/// gateway's operator bind; the customer gets it by webhook, in <c>GET /v2/sms/inbound</c> and as a deliver_sm on its
/// receiver session; STOP opts the sender out and sends to them answer 1017 uncharged, on REST and SMPP.
/// </summary>
[Collection(SmppCollection.Name)]
public sealed class InboundEndToEndTests(InboundGateway gateway) : IClassFixture<InboundGateway>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static string NewShortCode() => Random.Shared.Next(20_000, 99_999).ToString(CultureInfo.InvariantCulture);

    internal static DeliverSm Mo(string from, string to, string text, byte dataCoding = DataCoding.SmscDefault) => new()
    {
        Source = SmppAddress.International(from),
        Destination = SmppAddress.International(to),
        DataCoding = dataCoding,
        ShortMessage = SmsText.Encode(dataCoding == DataCoding.Ucs2 ? SmsAlphabet.Ucs2 : SmsAlphabet.Gsm7, text),
    };

    private Task<CommandStatus> DeliverAsync(SmppRequest pdu) => DeliverAsync(gateway.Safaricom, pdu);

    /// <summary>The gateway's answer, once its operator bind is up (the dispatchers open it within seconds of start).</summary>
    internal static async Task<CommandStatus> DeliverAsync(SmscSimulator simulator, SmppRequest pdu)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await simulator.DeliverMobileOriginatedAsync(pdu) is { } status) return status;
            await Task.Delay(100);
        }

        throw new TimeoutException("the gateway's bind to the simulator never took a deliver_sm");
    }

    private async Task<HttpResponseMessage> Admin(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", GatewayFactory.AdminTokenValue);
        return await gateway.Http.SendAsync(request);
    }

    private async Task Route(TestAccount account, string number, string? keyword = null)
    {
        using var response = await Admin(HttpMethod.Post, $"/v2/admin/accounts/{account.AccountId}/inbound-numbers", new { number, keyword });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task<JsonNode> Post(TestAccount account, string path, string body) =>
        JsonNode.Parse((await gateway.Http.PostRawAsync(path, account.ApiKey, body)).Body)!;

    private async Task<JsonArray> Inbound(TestAccount account, string query = "") =>
        (await gateway.Http.GetJsonAsync("/v2/sms/inbound" + query, account.ApiKey))["messages"]!.AsArray();

    private static async Task<JsonNode> Eventually(Func<Task<JsonNode?>> probe, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } found) return found;
            await Task.Delay(100);
        }

        throw new TimeoutException($"never saw {what}");
    }

    [Fact]
    public async Task An_operators_deliver_sm_reaches_the_webhook_the_inbound_list_and_a_receiver_session_free_of_charge()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 10m);
        var number = NewShortCode();
        await Route(account.Account, number);
        await using var webhook = new StatusCallbackReceiver();
        Assert.Equal("1000", (await Post(account.Account, "/v2/sms/inbound-webhook", $$"""{"url":"{{webhook.Url}}"}""")).Code());
        await using var receiver = await gateway.ConnectAsync();
        Assert.Equal(CommandStatus.Ok, (await receiver.BindAsync(account, CommandId.BindReceiver)).CommandStatus);

        Assert.Equal(CommandStatus.Ok, await DeliverAsync(Mo("254702739804", number, "Habari Taifa [ok]")));

        var posted = await webhook.WaitForAsync(p => p["to"]?.GetValue<string>() == number, Patience, $"for {number}");
        Assert.Equal("254702739804", posted["from"]!.GetValue<string>());
        Assert.Equal("Habari Taifa [ok]", posted["text"]!.GetValue<string>());
        Assert.Equal("1", posted["network_id"]!.GetValue<string>());
        Assert.Null(posted["keyword"]);
        Assert.False(posted["opt_out"]!.GetValue<bool>());
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", posted["received_at"]!.GetValue<string>());

        var listed = Assert.Single(await Inbound(account.Account));
        Assert.Equal(posted["inbound_id"]!.GetValue<string>(), listed!["inbound_id"]!.GetValue<string>());

        var deliver = await receiver.ReadAsync<DeliverSm>(Patience);
        await receiver.SendAsync(deliver.CreateResponse());
        Assert.Equal(0, deliver.EsmClass);
        Assert.Equal(("254702739804", number), (deliver.Source.Address, deliver.Destination.Address));
        Assert.Equal("Habari Taifa [ok]", MessageContent.GetText(deliver));
        Assert.Equal(10m, await gateway.BalanceAsync(account.Account));
    }

    [Fact]
    public async Task Concatenated_inbound_by_udh_and_by_sar_tlvs_is_delivered_once_and_whole_and_a_redelivery_once()
    {
        var account = await gateway.OpenAccountAsync(10m, 1m);
        var number = NewShortCode();
        await Route(account, number, "JOIN");
        await using var webhook = new StatusCallbackReceiver();
        await Post(account, "/v2/sms/inbound-webhook", $$"""{"url":"{{webhook.Url}}"}""");

        // UDH, parts out of order, the second delivered twice (its first deliver_sm_resp "lost").
        var udh = MessageSplitter.CreateSubmitSms(new SubmitSm(), "join " + new string('a', 150) + " and the end of it", 0x42, SmsAlphabet.Gsm7);
        Assert.Equal(2, udh.Count);
        DeliverSm AsDeliver(SubmitSm part) => new()
        {
            Source = SmppAddress.International("254711000001"), Destination = SmppAddress.International(number),
            EsmClass = part.EsmClass, DataCoding = part.DataCoding, ShortMessage = part.ShortMessage,
        };
        Assert.Equal(CommandStatus.Ok, await DeliverAsync(AsDeliver(udh[1])));
        Assert.Equal(CommandStatus.Ok, await DeliverAsync(AsDeliver(udh[1])));
        Assert.Equal(CommandStatus.Ok, await DeliverAsync(AsDeliver(udh[0])));

        // sar_* TLVs, UCS-2, in a data_sm (message_payload), in the order 3, 1, 2.
        var sarParts = new[] { "JOIN ", "Karibu ", "\u263A" };
        foreach (var i in new[] { 2, 0, 1 })
        {
            var dataSm = new DataSm
            {
                Source = SmppAddress.International("254711000002"), Destination = SmppAddress.International(number), DataCoding = DataCoding.Ucs2,
            };
            dataSm.OptionalParameters.MessagePayload = SmsText.Encode(SmsAlphabet.Ucs2, sarParts[i]);
            dataSm.OptionalParameters.SarMsgRefNum = 0x1234;
            dataSm.OptionalParameters.SarTotalSegments = 3;
            dataSm.OptionalParameters.SarSegmentSeqnum = (byte)(i + 1);
            Assert.Equal(CommandStatus.Ok, await DeliverAsync(dataSm));
        }

        var joined = await webhook.WaitForAsync(p => p["from"]?.GetValue<string>() == "254711000001", Patience, "for the UDH message");
        Assert.Equal("join " + new string('a', 150) + " and the end of it", joined["text"]!.GetValue<string>());
        Assert.Equal("JOIN", joined["keyword"]!.GetValue<string>());
        var sar = await webhook.WaitForAsync(p => p["from"]?.GetValue<string>() == "254711000002", Patience, "for the sar_* message");
        Assert.Equal("JOIN Karibu \u263A", sar["text"]!.GetValue<string>());

        var messages = await Inbound(account);
        Assert.Equal(2, messages.Count);
        Assert.Equal(2, webhook.Posts.Count);
    }

    [Fact]
    public async Task Stop_opts_the_sender_out_and_sends_to_them_answer_1017_uncharged_on_rest_and_smpp()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 10m);
        var number = NewShortCode();
        await Route(account.Account, number);
        await using var webhook = new StatusCallbackReceiver();
        await Post(account.Account, "/v2/sms/inbound-webhook", $$"""{"url":"{{webhook.Url}}"}""");

        Assert.Equal(CommandStatus.Ok, await DeliverAsync(Mo("254702000111", number, " stop ")));
        var told = await webhook.WaitForAsync(p => p["from"]?.GetValue<string>() == "254702000111", Patience, "for the STOP");
        Assert.True(told["opt_out"]!.GetValue<bool>());
        await Eventually(async () => (await gateway.Http.GetJsonAsync("/v2/sms/optouts", account.Account.ApiKey))["optouts"]!.AsArray()
            .FirstOrDefault(o => o!["mobile"]!.GetValue<string>() == "254702000111" && o["source"]!.GetValue<string>() == "inbound"), "the opt-out listed");

        var sent = await gateway.Http.SendSmsAsync(account.Account.ApiKey, new { mobile = "0702000111,0702000112", sender_name = account.SenderId, message = "Offer" });
        Assert.Equal(("1017", "Recipient opted out"), (sent[0]!.Code(), sent[0]!["status_desc"]!.GetValue<string>()));
        Assert.Equal(("1000", "9.00"), (sent[1]!.Code(), sent[1]!["credit_balance"]!.GetValue<string>()));
        Assert.Equal(9m, await gateway.BalanceAsync(account.Account));

        await using var smpp = await gateway.ConnectAsync();
        Assert.Equal(CommandStatus.Ok, (await smpp.BindAsync(account)).CommandStatus);
        var refused = await smpp.SubmitAsync(SmppTestClient.Submit(account.SenderId, "254702000111", SmsText.Encode(SmsAlphabet.Gsm7, "Offer")));
        Assert.Equal(CommandStatus.SubmitFailed, refused.CommandStatus);
        Assert.Equal(9m, await gateway.BalanceAsync(account.Account));

        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/v2/sms/optouts/0702000111");
        delete.Headers.Add("h_api_key", account.Account.ApiKey);
        using var deleted = await gateway.Http.SendAsync(delete);
        Assert.True(JsonNode.Parse(await deleted.Content.ReadAsStringAsync())!["removed"]!.GetValue<bool>());
        Assert.Equal("1000", (await gateway.Http.SendSmsAsync(account.Account.ApiKey, new { mobile = "0702000111", sender_name = account.SenderId, message = "Offer" }))[0]!.Code());
    }

    [Fact]
    public async Task Opt_outs_added_through_the_api_are_normalised_like_sends_and_enforced_at_once()
    {
        var account = await gateway.OpenAccountAsync(10m, 1m);
        var added = await Post(account, "/v2/sms/optouts", """{"mobile":"0702 739-805"}""");
        Assert.Equal(("1000", "254702739805"), (added.Code(), added["mobile"]!.GetValue<string>()));
        Assert.Equal("1003", (await Post(account, "/v2/sms/optouts", """{"mobile":"12345"}""")).AsArray()[0]!.Code());
        Assert.Equal("1009", (await Post(account, "/v2/sms/optouts", """{"number":"0702739805"}""")).AsArray()[0]!.Code());
        Assert.Equal("1006", (await Post(account with { ApiKey = new string('0', 64) }, "/v2/sms/optouts", """{"mobile":"0702739805"}""")).AsArray()[0]!.Code());

        var listed = Assert.Single((await gateway.Http.GetJsonAsync("/v2/sms/optouts", account.ApiKey))["optouts"]!.AsArray());
        Assert.Equal(("254702739805", "api"), (listed!["mobile"]!.GetValue<string>(), listed["source"]!.GetValue<string>()));
        Assert.Equal("1017", (await gateway.Http.SendSmsAsync(account.ApiKey, new { mobile = "+254702739805", sender_name = account.SenderId, message = "x" }))[0]!.Code());
        Assert.Equal(10m, await gateway.BalanceAsync(account));
    }

    [Fact]
    public async Task Inbound_numbers_are_claimed_once_per_keyword_and_unrouted_inbound_is_kept_and_counted()
    {
        var first = await gateway.OpenAccountAsync(1m, 1m);
        var second = await gateway.OpenAccountAsync(1m, 1m);
        var number = NewShortCode();
        await Route(first, number);
        await Route(second, number, "vote");
        using (var again = await Admin(HttpMethod.Post, $"/v2/admin/accounts/{first.AccountId}/inbound-numbers", new { number }))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using (var taken = await Admin(HttpMethod.Post, $"/v2/admin/accounts/{first.AccountId}/inbound-numbers", new { number, keyword = "VOTE" }))
            Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        using (var bad = await Admin(HttpMethod.Post, $"/v2/admin/accounts/{first.AccountId}/inbound-numbers", new { number, keyword = "two words" }))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using (var unknown = await Admin(HttpMethod.Post, "/v2/admin/accounts/12345/inbound-numbers", new { number = "11111" }))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        Assert.Equal(CommandStatus.Ok, await DeliverAsync(Mo("254702000200", number, "Vote 3")));
        Assert.Equal("VOTE", (await Eventually(async () => (await Inbound(second)).FirstOrDefault(), "the vote"))["keyword"]!.GetValue<string>());

        using (var removed = await Admin(HttpMethod.Delete, $"/v2/admin/accounts/{second.AccountId}/inbound-numbers/{number}?keyword=vote"))
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        using (var gone = await Admin(HttpMethod.Delete, $"/v2/admin/accounts/{second.AccountId}/inbound-numbers/{number}?keyword=vote"))
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using (var removedBare = await Admin(HttpMethod.Delete, $"/v2/admin/accounts/{first.AccountId}/inbound-numbers/{number}"))
            Assert.Equal(HttpStatusCode.NoContent, removedBare.StatusCode);

        Assert.Equal(CommandStatus.Ok, await DeliverAsync(Mo("254702000201", number, "nobody")));
        await Eventually(async () => (await gateway.Http.GetStringAsync("/metrics")).Contains("taifa_inbound_unrouted_total", StringComparison.Ordinal) ? new JsonObject() : null,
            "taifa_inbound_unrouted_total on /metrics");
        Assert.Empty(await Inbound(first));
    }

    [Fact]
    public async Task The_webhook_takes_only_public_http_urls_and_the_list_pages_newest_first()
    {
        var account = await gateway.OpenAccountAsync(1m, 1m);
        Assert.Equal("1009", (await Post(account, "/v2/sms/inbound-webhook", """{"url":"ftp://example.com/in"}""")).AsArray()[0]!.Code());
        Assert.Equal("1009", (await Post(account, "/v2/sms/inbound-webhook", """{"link":"https://example.com/in"}""")).AsArray()[0]!.Code());
        Assert.Equal("1000", (await Post(account, "/v2/sms/inbound-webhook", """{"url":""}""")).Code());

        var number = NewShortCode();
        await Route(account, number);
        for (var i = 0; i < 3; i++) Assert.Equal(CommandStatus.Ok, await DeliverAsync(Mo("254702000300", number, $"m{i}")));
        var page = await gateway.Http.GetJsonAsync("/v2/sms/inbound?limit=2", account.ApiKey);
        Assert.Equal(["m2", "m1"], page["messages"]!.AsArray().Select(m => m!["text"]!.GetValue<string>()));
        var rest = await Inbound(account, "?limit=2&cursor=" + page["next_cursor"]!.GetValue<string>());
        Assert.Equal(["m0"], rest.Select(m => m!["text"]!.GetValue<string>()));
        Assert.Equal("1009", (await gateway.Http.GetJsonAsync("/v2/sms/inbound?limit=0", account.ApiKey)).AsArray()[0]!.Code());
    }
}
