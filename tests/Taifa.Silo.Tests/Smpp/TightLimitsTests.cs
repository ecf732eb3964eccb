using Taifa.Smpp.Pdus;
using Taifa.Smpp.Text;

namespace Taifa.Silo.Tests.Smpp;

/// <summary>Idle and bind timeouts and the window, with limits small enough to hit in a test.</summary>
[Collection(SmppCollection.Name)]
public sealed class TightLimitsTests(TightSmppGateway gateway) : IClassFixture<TightSmppGateway>
{
    [Fact]
    public async Task An_idle_bound_session_is_sent_unbind_then_closed()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account);

        var unbind = await client.ReadAsync<Unbind>(TimeSpan.FromSeconds(5));
        await client.SendAsync(unbind.CreateResponse());
        Assert.Empty(await client.ReadUntilClosedAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task An_idle_unbound_connection_is_closed()
    {
        await using var client = await gateway.ConnectAsync();
        Assert.Empty(await client.ReadUntilClosedAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_connection_that_never_binds_is_closed_after_the_bind_timeout_even_if_it_keeps_talking()
    {
        await using var client = await gateway.ConnectAsync();
        var opened = DateTime.UtcNow;
        var answered = 0;
        while (DateTime.UtcNow - opened < TimeSpan.FromSeconds(10))
        {
            // Busy enough that the one-second idle timeout never fires: only the two-second bind timeout can end it.
            await Task.Delay(300);
            try
            {
                await client.SendAsync(new EnquireLink());
            }
            catch (System.Net.Sockets.SocketException)
            {
                break;
            }

            var pdu = await client.TryReadAsync(TimeSpan.FromSeconds(5));
            if (pdu is null) break;
            Assert.IsType<EnquireLinkResp>(pdu);
            answered++;
        }

        var lived = DateTime.UtcNow - opened;
        Assert.True(lived >= TimeSpan.FromSeconds(1.5) && lived < TimeSpan.FromSeconds(8), $"closed after {lived}");
        Assert.True(answered >= 3, $"only {answered} enquire_link answered before the close");
    }

    [Fact]
    public async Task Enquire_link_keeps_a_session_alive()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account);

        // Longer than both the idle timeout (1 s) and the bind timeout (2 s), which a bound session is past.
        for (var i = 0; i < 8; i++)
        {
            await Task.Delay(400);
            var sequence = await client.SendAsync(new EnquireLink());
            Assert.Equal(sequence, (await client.ReadAsync<EnquireLinkResp>()).SequenceNumber);
        }
    }

    [Fact]
    public async Task Submits_beyond_the_window_are_throttled_and_not_billed()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 100m, price: 1m);
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account);
        const int count = 30;

        // All in one write: the server reads them far faster than the account grain completes them.
        var frames = Enumerable.Range(0, count)
            .Select(i => Taifa.Smpp.Codec.SmppPduWriter.ToArray(new SubmitSm
            {
                SequenceNumber = (uint)(i + 1),
                Source = SmppAddress.Alphanumeric(account.SenderId),
                Destination = SmppAddress.International("254702739804"),
                ShortMessage = SmsText.Encode(SmsAlphabet.Gsm7, "burst"),
            }))
            .SelectMany(f => f)
            .ToArray();
        await client.SendRawAsync(frames);

        var statuses = new List<CommandStatus>();
        for (var i = 0; i < count; i++) statuses.Add((await client.ReadAsync<SubmitSmResp>()).CommandStatus);

        Assert.All(statuses, s => Assert.True(s is CommandStatus.Ok or CommandStatus.Throttled, $"unexpected {s}"));
        Assert.Contains(CommandStatus.Throttled, statuses);
        Assert.Contains(CommandStatus.Ok, statuses);
        Assert.Equal(100m - statuses.Count(s => s == CommandStatus.Ok), await gateway.BalanceAsync(account.Account));
    }

    [Fact]
    public async Task Every_segment_counts_against_the_window_and_every_submit_is_answered()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 100m, price: 1m);
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account);
        var template = SmppTestClient.Submit(account.SenderId, "254702739804", []);
        var segments = MessageSplitter.CreateSubmitSms(template, new string('s', 153 * 30), reference: 0x5A);
        Assert.Equal(30, segments.Count);

        // One write again: only the window can turn segments away (the rate allows 10,000 parts a second).
        for (var i = 0; i < segments.Count; i++) segments[i].SequenceNumber = (uint)(i + 1);
        await client.SendRawAsync(segments.SelectMany(s => Taifa.Smpp.Codec.SmppPduWriter.ToArray(s)).ToArray());

        var statuses = new Dictionary<uint, CommandStatus>();
        for (var i = 0; i < segments.Count; i++)
        {
            var response = await client.ReadAsync<SubmitSmResp>();
            Assert.True(statuses.TryAdd(response.SequenceNumber, response.CommandStatus), $"sequence {response.SequenceNumber} answered twice");
        }

        Assert.All(statuses.Values, s => Assert.True(s is CommandStatus.Ok or CommandStatus.Throttled, $"unexpected {s}"));
        Assert.Contains(CommandStatus.Throttled, statuses.Values);

        // Resent one at a time, the segments turned away join their message and complete it, each billed once.
        foreach (var throttled in statuses.Where(s => s.Value == CommandStatus.Throttled).Select(s => segments[(int)s.Key - 1]))
        {
            throttled.SequenceNumber = 0;
            Assert.Equal(CommandStatus.Ok, (await client.SubmitAsync(throttled)).CommandStatus);
        }

        Assert.Equal(70m, await gateway.BalanceAsync(account.Account));
    }
}
