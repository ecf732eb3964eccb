using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;

namespace Taifa.Silo.Tests.Smpp;

/// <summary>Hostile or broken clients: the silo stays healthy and other sessions do not notice.</summary>
[Collection(SmppCollection.Name)]
public sealed class GarbageInputTests(SmppGateway gateway) : IClassFixture<SmppGateway>
{
    [Fact]
    public async Task Random_bytes_truncated_pdus_and_silent_clients_leave_other_sessions_working()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 100m);
        await using var healthy = await gateway.ConnectAsync();
        await healthy.BindAsync(account);

        var random = new Random(20260301);
        var hostile = new List<SmppTestClient>();
        for (var i = 0; i < 20; i++)
        {
            var client = await gateway.ConnectAsync();
            hostile.Add(client);
            var bytes = new byte[random.Next(1, 2000)];
            random.NextBytes(bytes);
            await client.SendRawAsync(bytes);
        }

        // Half a bind, then silence; and a client that connects and sends nothing.
        var bind = SmppPduWriter.ToArray(new BindTransmitter { SystemId = account.SystemId, Password = account.Password, SequenceNumber = 1 });
        var truncated = await gateway.ConnectAsync();
        await truncated.SendRawAsync(bind[..(bind.Length / 2)]);
        var silent = await gateway.ConnectAsync();

        var response = await healthy.SubmitAsync(SmppTestClient.Submit(account.SenderId, "254702739804", "Still fine"u8.ToArray()));
        Assert.Equal(CommandStatus.Ok, response.CommandStatus);
        var health = await gateway.Http.GetAsync("/v2/sms/health");
        Assert.True(health.IsSuccessStatusCode);

        foreach (var client in hostile.Concat([truncated, silent])) await client.DisposeAsync();
    }

    [Fact]
    public async Task A_client_that_never_reads_is_closed_and_others_are_unaffected()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using var healthy = await gateway.ConnectAsync();
        await healthy.BindAsync(account);
        await using var deaf = await gateway.ConnectAsync();

        // enquire_link costs nothing to answer; sent without ever reading, the answers pile up server side.
        var frame = SmppPduWriter.ToArray(new EnquireLink { SequenceNumber = 1 });
        var burst = new byte[frame.Length * 1000];
        for (var i = 0; i < 1000; i++) frame.CopyTo(burst, i * frame.Length);
        // Once the server stops reading, a send blocks; it fails when the server gives up on the client and resets.
        var closed = false;
        for (var round = 0; round < 10_000 && !closed; round++)
        {
            try
            {
                await deaf.SendRawAsync(burst).WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (System.Net.Sockets.SocketException)
            {
                closed = true;
            }
        }

        Assert.True(closed, "the server kept accepting enquire_links from a client that never read the answers");
        var sequence = await healthy.SendAsync(new EnquireLink());
        Assert.Equal(sequence, (await healthy.ReadAsync<EnquireLinkResp>()).SequenceNumber);
    }
}
