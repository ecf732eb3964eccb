using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Text;
using Taifa.Grains.Dispatch;
using Taifa.Operators.Simulator;
using Taifa.Silo.Dispatch;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Smpp.Pdus;

namespace Taifa.Silo.Tests.Dispatch;

/// <summary>
/// REST send → dispatcher → SMPP client bind → the built-in SMSC simulators (real SMPP over loopback) → receipts
/// back → status, dlr_url and wallet. Tests in one class run one after another, so each may switch a simulator.
/// </summary>
public sealed class DispatchEndToEndTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly GatewayFactory _factory = new(settings: new Dictionary<string, string>
    {
        ["Taifa:Simulators:ReceiptDelay"] = "00:00:00.200",
        ["Taifa:Dispatch:RetryBaseDelay"] = "00:00:00.050",
        ["Taifa:Dispatch:RetryMaxDelay"] = "00:00:00.200",
        // The busy-operator test draws ESME_RSYSERR for 0.1 / 0.55 of the answers that count: with 4 attempts one of its
        // 20 messages failed in about one run in 45; with 8, about one in 40,000.
        ["Taifa:Dispatch:MaxAttempts"] = "8",
        // StatusCallbackReceiver, the customers' dlr_url, listens on loopback.
        ["Taifa:Api:AllowPrivateCallbackTargets"] = "true",
    });
    private HttpClient _client = null!;

    private SmscSimulator Safaricom => _factory.Services.GetRequiredService<BuiltInOperators>().Simulators["safaricom"];

    private SmscSimulator Airtel => _factory.Services.GetRequiredService<BuiltInOperators>().Simulators["airtel"];

    public Task InitializeAsync()
    {
        _client = _factory.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private async Task<JsonNode> WaitForStatus(TestAccount account, string messageId, string status)
    {
        var deadline = DateTime.UtcNow + Patience;
        JsonNode current;
        do
        {
            current = await _client.GetJsonAsync($"/v2/sms/status?message_id={messageId}", account.ApiKey);
            if (current["status"]?.GetValue<string>() == status) return current;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"message {messageId} never became {status}: {current.ToJsonString()}");
    }

    private async Task<long> WaitForQueueDepth(Func<long, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        long depth;
        do
        {
            depth = (await _client.GetJsonAsync("/v2/sms/health", apiKey: null))["queue_depth"]!.GetValue<long>();
            if (condition(depth)) return depth;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"queue_depth never became {what}; last {depth}");
    }

    private async Task<string> Balance(TestAccount account) =>
        (await _client.GetJsonAsync("/v2/sms/units", account.ApiKey))["credit_balance"]!.GetValue<string>();

    [Fact]
    public async Task A_sent_message_is_delivered_its_dlr_url_is_called_and_routing_follows_the_network()
    {
        await using var callbacks = new StatusCallbackReceiver();
        var account = await _factory.OpenAccountAsync();
        var sent = await _client.SendSmsAsync(account.ApiKey, new
        {
            mobile = "0702739804,0733123456",
            sender_name = account.SenderId,
            message = "Lifecycle " + Guid.NewGuid(),
            dlr_url = callbacks.Url,
        });
        var safaricomId = sent[0]!["message_id"]!.GetValue<string>();
        var airtelId = sent[1]!["message_id"]!.GetValue<string>();

        var delivered = await WaitForStatus(account, safaricomId, "delivered");
        Assert.NotNull(delivered["submitted_at"]!.GetValue<string>());
        Assert.NotNull(delivered["done_at"]!.GetValue<string>());
        Assert.Equal("safaricom", delivered["operator"]!.GetValue<string>());
        Assert.Equal("airtel", (await WaitForStatus(account, airtelId, "delivered"))["operator"]!.GetValue<string>());

        var callback = await callbacks.WaitForAsync(safaricomId, Patience);
        Assert.Equal("delivered", callback["status"]!.GetValue<string>());
        Assert.Equal("254702739804", callback["mobile_number"]!.GetValue<string>());
        await callbacks.WaitForAsync(airtelId, Patience);

        Assert.Contains(Safaricom.Submits, s => s.Destination.Address == "254702739804" && s.Source.Address == account.SenderId);
        Assert.DoesNotContain(Safaricom.Submits, s => s.Destination.Address == "254733123456");
        Assert.Contains(Airtel.Submits, s => s.Destination.Address == "254733123456");
        await WaitForQueueDepth(d => d == 0, "0");
    }

    [Fact]
    public async Task A_long_message_goes_out_as_concatenated_parts_and_is_delivered_when_every_part_is()
    {
        var account = await _factory.OpenAccountAsync();
        var text = "Part of a long message. " + new string('x', 300);
        var sent = await _client.SendSmsAsync(account.ApiKey, new { mobile = "0722000111", sender_name = account.SenderId, message = text });
        Assert.Equal("3.00", sent[0]!["message_cost"]!.GetValue<string>());
        var messageId = sent[0]!["message_id"]!.GetValue<string>();
        await WaitForStatus(account, messageId, "delivered");

        var parts = Safaricom.Submits.Where(s => s.Destination.Address == "254722000111").ToList();
        Assert.Equal(3, parts.Count);
        Assert.All(parts, p => Assert.Equal(EsmClass.UdhIndicator, p.EsmClass & EsmClass.UdhIndicator));
        Assert.Equal([1, 2, 3], parts.Select(p => (int)p.ShortMessage.Span[5]));
    }

    [Fact]
    public async Task Consecutive_long_messages_to_one_handset_carry_different_concatenation_references()
    {
        var account = await _factory.OpenAccountAsync();
        var references = new List<byte>();
        for (var i = 0; i < 3; i++)
        {
            var sent = await _client.SendSmsAsync(account.ApiKey, new { mobile = "0722000113", sender_name = account.SenderId, message = $"Long message {i}. " + new string('y', 200) });
            await WaitForStatus(account, sent[0]!["message_id"]!.GetValue<string>(), "delivered");
            var parts = Safaricom.Submits.Where(s => s.Destination.Address == "254722000113").Skip(2 * i).ToList();
            Assert.Equal(2, parts.Count);
            // UDH 05 00 03 <reference> <total> <sequence>: both parts of one message share a reference.
            Assert.Single(parts.Select(p => p.ShortMessage.Span[3]).Distinct());
            references.Add(parts[0].ShortMessage.Span[3]);
        }

        Assert.NotEqual(references[0], references[1]);
        Assert.NotEqual(references[1], references[2]);
    }

    [Fact]
    public async Task A_submit_answered_too_late_is_sent_again_and_the_first_ids_receipt_settles_it_once_counting_the_duplicate()
    {
        await using var callbacks = new StatusCallbackReceiver();
        var account = await _factory.OpenAccountAsync();
        var router = _factory.Services.GetRequiredService<ReceiptRouter>();
        var duplicates = router.Duplicates;
        var mobile = "254722" + Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var text = "Late answer " + Guid.NewGuid();

        // The SMSC takes the submit and sends its receipt, but answers the submit_sm after the bind's 10 s response
        // timeout: the gateway never learns the first id, and submits the message again once the first answer is late.
        Safaricom.Behaviour = SimulatorBehaviour.Normal with { ResponseDelay = TimeSpan.FromSeconds(11) };
        string messageId;
        try
        {
            var sent = await _client.SendSmsAsync(account.ApiKey, new { mobile, sender_name = account.SenderId, message = text, dlr_url = callbacks.Url });
            messageId = sent[0]!["message_id"]!.GetValue<string>();
            var deadline = DateTime.UtcNow + Patience;
            while (!Safaricom.Submits.Any(s => s.Destination.Address == mobile))
            {
                Assert.True(DateTime.UtcNow < deadline, "the SMSC never received the submit");
                await Task.Delay(50);
            }
        }
        finally
        {
            Safaricom.Behaviour = SimulatorBehaviour.Normal;
        }

        // The first id's receipt is refused while the message waits for its answer, and matched once it is submitted again.
        var delivered = await WaitForStatus(account, messageId, "delivered");
        Assert.Equal(2, Safaricom.Submits.Count(s => s.Destination.Address == mobile));
        var deadlineForCount = DateTime.UtcNow + Patience;
        while (router.Duplicates == duplicates)
        {
            Assert.True(DateTime.UtcNow < deadlineForCount, "the first id's receipt was never matched");
            await Task.Delay(100);
        }

        Assert.Equal(duplicates + 1, router.Duplicates);
        Assert.Equal("delivered", (await callbacks.WaitForAsync(messageId, Patience))["status"]!.GetValue<string>());
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Single(callbacks.Posts, p => p["message_id"]?.GetValue<string>() == messageId);
        Assert.Equal("safaricom", delivered["operator"]!.GetValue<string>());
    }

    [Fact]
    public async Task Messages_wait_while_the_operator_is_down_and_go_out_when_it_returns()
    {
        var account = await _factory.OpenAccountAsync();
        Safaricom.Behaviour = SimulatorBehaviour.Normal with { RefuseBinds = true };
        Safaricom.DropAllBinds();
        try
        {
            var sent = await _client.SendSmsAsync(account.ApiKey, new { mobile = "0711000222,0711000223", sender_name = account.SenderId, message = "outage" });
            var messageId = sent[0]!["message_id"]!.GetValue<string>();
            await WaitForQueueDepth(d => d >= 2, ">= 2");
            await Task.Delay(500);
            Assert.Equal("queued", (await _client.GetJsonAsync($"/v2/sms/status?message_id={messageId}", account.ApiKey))["status"]!.GetValue<string>());

            Safaricom.Behaviour = SimulatorBehaviour.Normal;
            await WaitForStatus(account, messageId, "delivered");
            await WaitForStatus(account, sent[1]!["message_id"]!.GetValue<string>(), "delivered");
            await WaitForQueueDepth(d => d == 0, "0");
            Assert.Equal("498.00", await Balance(account));
        }
        finally
        {
            Safaricom.Behaviour = SimulatorBehaviour.Normal;
        }
    }

    [Fact]
    public async Task Throttling_and_temporary_errors_slow_delivery_down_but_lose_and_refund_nothing()
    {
        var account = await _factory.OpenAccountAsync();
        var before = Safaricom.Counters;
        Safaricom.Behaviour = SimulatorBehaviour.Normal with { ThrottleShare = 0.5, SystemErrorShare = 0.1 };
        try
        {
            var mobiles = string.Join(',', Enumerable.Range(0, 20).Select(i => $"07120003{i:00}"));
            var sent = await _client.SendSmsAsync(account.ApiKey, new { mobile = mobiles, sender_name = account.SenderId, message = "busy operator" });
            Assert.All(sent, s => Assert.Equal("1000", s!.Code()));
            foreach (var message in sent)
            {
                var status = await WaitForStatus(account, message!["message_id"]!.GetValue<string>(), "delivered");
                Assert.Equal("delivered", status["status"]!.GetValue<string>());
            }

            Assert.True(Safaricom.Counters.SubmitsThrottled > before.SubmitsThrottled, "the simulator throttled nothing; the test proves nothing");
            Assert.Equal("480.00", await Balance(account));
        }
        finally
        {
            Safaricom.Behaviour = SimulatorBehaviour.Normal;
        }
    }

    [Fact]
    public async Task A_permanent_rejection_fails_the_message_and_refunds_it_exactly_once()
    {
        await using var callbacks = new StatusCallbackReceiver();
        var account = await _factory.OpenAccountAsync(credit: 10m, price: 2.5m);
        Airtel.Behaviour = SimulatorBehaviour.RejectAll(CommandStatus.InvalidDestinationAddress);
        try
        {
            var sent = await _client.SendSmsAsync(account.ApiKey, new { mobile = "0733000999", sender_name = account.SenderId, message = "rejected", dlr_url = callbacks.Url });
            Assert.Equal("7.50", sent[0]!["credit_balance"]!.GetValue<string>());
            var messageId = sent[0]!["message_id"]!.GetValue<string>();
            var rejected = await WaitForStatus(account, messageId, "rejected");
            Assert.Equal("00B", rejected["operator_error_code"]!.GetValue<string>());
            Assert.Equal("rejected", (await callbacks.WaitForAsync(messageId, Patience))["status"]!.GetValue<string>());

            var deadline = DateTime.UtcNow + Patience;
            while (await Balance(account) != "10.00" && DateTime.UtcNow < deadline) await Task.Delay(100);
            await Task.Delay(1000);
            Assert.Equal("10.00", await Balance(account));
        }
        finally
        {
            Airtel.Behaviour = SimulatorBehaviour.Normal;
        }
    }

    [Fact]
    public async Task Messages_that_cannot_be_encoded_are_rejected_and_refunded_without_delaying_anyone_else()
    {
        var poisoner = await _factory.OpenAccountAsync(credit: 100m);
        var bystander = await _factory.OpenAccountAsync();
        var grains = _factory.Services.GetRequiredService<IGrainFactory>();

        // Straight to the account, past any intake check: one segment whose text alone is 300 octets, more than one
        // short_message holds. However such a message gets this far, dispatch must settle it, not retry it.
        var poison = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            var result = await grains.GetGrain<IAccountGrain>(poisoner.AccountId).Send(new SendCommand
            {
                ApiKeyDigest = ApiKeys.Digest(poisoner.ApiKey),
                SenderId = poisoner.SenderId,
                Text = new string('p', 300),
                Encoding = SmsEncoding.Gsm7,
                Parts = 1,
                Segment = new SegmentInfo(Reference: i, Total: 2, SequenceNumber: 1),
                Channel = MessageChannel.Smpp,
                Recipients = [new SendRecipient($"2547110005{i:00}", 1)],
            });
            poison.Add(Assert.Single(result.Outcomes).MessageId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var mobiles = string.Join(',', Enumerable.Range(0, 5).Select(i => $"07110006{i:00}"));
        var sent = await _client.SendSmsAsync(bystander.ApiKey, new { mobile = mobiles, sender_name = bystander.SenderId, message = "not stuck" });
        foreach (var message in sent) await WaitForStatus(bystander, message!["message_id"]!.GetValue<string>(), "delivered");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"five ordinary messages behind 40 unencodable ones took {clock.Elapsed} to be delivered");

        foreach (var messageId in poison)
        {
            var rejected = await WaitForStatus(poisoner, messageId, "rejected");
            Assert.Equal("001", rejected["operator_error_code"]!.GetValue<string>());
        }

        var deadline = DateTime.UtcNow + Patience;
        while (await Balance(poisoner) != "100.00" && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal("100.00", await Balance(poisoner));
        Assert.DoesNotContain(Safaricom.Submits, s => s.Destination.Address.StartsWith("2547110005", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_dlr_url_that_fails_at_first_is_retried()
    {
        await using var callbacks = new StatusCallbackReceiver();
        callbacks.FailNext(2);
        var account = await _factory.OpenAccountAsync();
        var sent = await _client.SendSmsAsync(account.ApiKey, new { mobile = "0799000111", sender_name = account.SenderId, message = "retry my callback", dlr_url = callbacks.Url });
        var messageId = sent[0]!["message_id"]!.GetValue<string>();
        JsonNode callback;
        try
        {
            callback = await callbacks.WaitForAsync(messageId, TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException timeout)
        {
            // Seen once on CI (2026-12-03) and never locally: say where the message was, to tell dispatch from the callback.
            var status = await _client.GetJsonAsync($"/v2/sms/status?message_id={messageId}", account.ApiKey);
            throw new TimeoutException($"{timeout.Message}; {callbacks.Refused} answered 503; the message: {status.ToJsonString()}", timeout);
        }

        Assert.Equal("delivered", callback["status"]!.GetValue<string>());
    }
}
