using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using Serilog.Events;
using Taifa.Silo.Tests.Security;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;

namespace Taifa.Silo.Tests.Smpp;

/// <summary>What an SMPP session tells the log: the account it served when it closes, and the leniency it showed a peer.</summary>
[Collection(SmppCollection.Name)]
public sealed class SessionLogLineTests(LogCapturingGateway gateway) : IClassFixture<LogCapturingGateway>
{
    [Fact]
    public async Task A_submit_sm_with_a_nul_after_its_short_message_is_answered_ok_and_noted_at_debug()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using var client = await gateway.ConnectAsync(IPAddress.Parse("127.0.7.1"));
        Assert.Equal(CommandStatus.Ok, (await client.BindAsync(account)).CommandStatus);
        var submit = SmppTestClient.Submit(account.SenderId, "254702739804", "Hello"u8.ToArray());
        submit.SequenceNumber = client.NextSequence();

        // As a widely used PHP client sends it: one NUL after short_message that sm_length does not count.
        byte[] frame = [.. SmppPduWriter.ToArray(submit), 0];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)frame.Length);
        await client.SendRawAsync(frame);
        var response = await client.ReadAsync<SubmitSmResp>();

        Assert.Equal(CommandStatus.Ok, response.CommandStatus);
        Assert.Equal(submit.SequenceNumber, response.SequenceNumber);
        Assert.NotEmpty(response.MessageId);
        Assert.Equal(499m, await gateway.BalanceAsync(account.Account));
        var note = await gateway.Capture.WaitForAsync(
            e => e.MessageTemplate.Text.Contains("too few to be a TLV", StringComparison.Ordinal) && From(e, "127.0.7.1"),
            "noting the ignored octet");
        Assert.Equal(LogEventLevel.Debug, note.Level);
        Assert.Equal("1", note.Properties["TrailingOctets"].ToString());
        Assert.Equal(submit.SequenceNumber.ToString(CultureInfo.InvariantCulture), note.Properties["SequenceNumber"].ToString());
    }

    [Fact]
    public async Task The_closed_line_of_a_bound_session_names_its_account()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using (var client = await gateway.ConnectAsync(IPAddress.Parse("127.0.7.2")))
        {
            Assert.Equal(CommandStatus.Ok, (await client.BindAsync(account)).CommandStatus);
            await client.SendAsync(new Unbind());
            await client.ReadAsync<UnbindResp>();
            await client.ReadUntilClosedAsync();
        }

        var closed = await gateway.Capture.WaitForAsync(e => IsClosedLine(e) && From(e, "127.0.7.2"), "closing the session from 127.0.7.2");

        Assert.Equal(account.Account.AccountId.ToString(CultureInfo.InvariantCulture), closed.Properties["AccountId"].ToString());
        Assert.Contains($"account {account.Account.AccountId}", closed.RenderMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_closed_line_of_a_session_that_never_bound_says_so()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using (var client = await gateway.ConnectAsync(IPAddress.Parse("127.0.7.3")))
        {
            Assert.Equal(CommandStatus.BindFailed, (await client.BindAsync(account.SystemId, "wrong")).CommandStatus);
        }

        var closed = await gateway.Capture.WaitForAsync(e => IsClosedLine(e) && From(e, "127.0.7.3"), "closing the session from 127.0.7.3");

        var text = closed.RenderMessage(CultureInfo.InvariantCulture);
        Assert.Contains("never bound", text, StringComparison.Ordinal);
        Assert.Contains(account.SystemId, text, StringComparison.Ordinal);
        Assert.DoesNotContain("null", text, StringComparison.Ordinal);
        Assert.False(closed.Properties.ContainsKey("AccountId"));
    }

    private static bool IsClosedLine(LogEvent e) => e.MessageTemplate.Text.StartsWith("SMPP session {SessionId} from {Remote} closed", StringComparison.Ordinal);

    /// <summary>Whether the event is about the connection from <paramref name="address"/> (the listener may see it IPv4-mapped).</summary>
    private static bool From(LogEvent e, string address) =>
        e.Properties.TryGetValue("Remote", out var remote) && remote is ScalarValue { Value: string text }
        && IPEndPoint.TryParse(text, out var endPoint) && endPoint.Address.MapToIPv4().Equals(IPAddress.Parse(address));
}
