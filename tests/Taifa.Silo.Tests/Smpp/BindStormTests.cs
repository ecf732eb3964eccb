using System.Globalization;
using System.Text.RegularExpressions;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;

namespace Taifa.Silo.Tests.Smpp;

/// <summary>Hundreds of clients connecting, binding and vanishing at once: nothing leaks and the silo stays healthy.</summary>
[Collection(SmppCollection.Name)]
public sealed partial class BindStormTests(SmppGateway gateway) : IClassFixture<SmppGateway>
{
    private const int Clients = 200;
    private const int MaxBindsPerAccount = 3;
    private static readonly System.Net.IPAddress WrongPasswordSource = System.Net.IPAddress.Parse("127.0.0.77");

    [Fact]
    public async Task A_bind_storm_leaves_no_session_and_no_bind_slot_behind()
    {
        var accounts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => gateway.OpenSmppAccountAsync()));
        var guessed = await gateway.OpenSmppAccountAsync();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Clients).Select(i => StormClient(i, i % 10 == 7 ? guessed : accounts[i % accounts.Length])));

        Assert.All(outcomes, outcome => Assert.True(outcome.Ok, outcome.Problem));
        Assert.Contains(outcomes, o => o.Bound);
        Assert.Equal("ok", await gateway.Http.GetStringAsync("/healthz"));
        await WaitForSessionsAsync(0);

        // Every slot came back: each account binds its full allowance again, and not one more.
        foreach (var account in accounts)
        {
            var clients = new List<SmppTestClient>();
            for (var i = 0; i < MaxBindsPerAccount; i++)
            {
                var client = await gateway.ConnectAsync();
                clients.Add(client);
                Assert.Equal(CommandStatus.Ok, (await client.BindAsync(account)).CommandStatus);
            }

            await using var oneMore = await gateway.ConnectAsync();
            Assert.Equal(CommandStatus.BindFailed, (await oneMore.BindAsync(account)).CommandStatus);
            foreach (var client in clients) await client.DisposeAsync();
        }

        // The twenty wrong passwords locked the guessed system_id out (even for its right password) and their address.
        await using (var owner = await gateway.ConnectAsync())
        {
            Assert.Equal(CommandStatus.BindFailed, (await owner.BindAsync(guessed)).CommandStatus);
        }

        await using var healthy = await gateway.ConnectAsync();
        await healthy.BindAsync(accounts[0]);
        Assert.Equal(CommandStatus.Ok, (await healthy.SubmitAsync(SmppTestClient.Submit(accounts[0].SenderId, "254702739804", "after the storm"u8.ToArray()))).CommandStatus);
    }

    private sealed record StormOutcome(bool Ok, bool Bound, string Problem);

    /// <summary>
    /// One of ten behaviours, by index: drop at once, half a bind, random bytes, enquire_link then drop, bind and vanish
    /// (twice as often), bind and unbind, a wrong password, and a bind sent by a client that leaves before its answer
    /// (twice as often: its slot is taken after it has gone). Every bind checks a PBKDF2 hash, so answers are slow here.
    /// </summary>
    private async Task<StormOutcome> StormClient(int index, SmppAccount account)
    {
        var patience = TimeSpan.FromSeconds(60);
        try
        {
            // Twenty wrong passwords lock their address and system_id out, as they should: both are their own.
            await using var client = await gateway.ConnectAsync(index % 10 == 7 ? WrongPasswordSource : null);
            switch (index % 10)
            {
                case 0:
                    return new StormOutcome(true, false, "");
                case 1:
                {
                    var bind = SmppPduWriter.ToArray(new BindTransceiver { SystemId = account.SystemId, Password = account.Password, SequenceNumber = 1 });
                    await client.SendRawAsync(bind[..(bind.Length / 2)]);
                    return new StormOutcome(true, false, "");
                }

                case 2:
                    await client.SendRawAsync(Enumerable.Range(0, 64).Select(b => (byte)(b * 37 + index)).ToArray());
                    return new StormOutcome(true, false, "");
                case 3:
                    await client.SendAsync(new EnquireLink());
                    await client.ReadAsync<EnquireLinkResp>(patience);
                    return new StormOutcome(true, false, "");
                case 4:
                case 5:
                case 6:
                {
                    var status = await BindAsync(client, account.SystemId, account.Password, patience);
                    if (status is not (CommandStatus.Ok or CommandStatus.BindFailed)) return new StormOutcome(false, false, $"bind answered {status}");
                    if (status == CommandStatus.Ok && index % 10 == 6)
                    {
                        await client.SendAsync(new Unbind());
                        await client.ReadAsync<UnbindResp>(patience);
                    }

                    return new StormOutcome(true, status == CommandStatus.Ok, "");
                }

                case 7:
                {
                    var status = await BindAsync(client, account.SystemId, "wrong", patience);
                    return new StormOutcome(status == CommandStatus.BindFailed, false, $"a wrong password answered {status}");
                }

                default:
                    await client.SendAsync(new BindTransmitter { SystemId = account.SystemId, Password = account.Password });
                    return new StormOutcome(true, false, "");
            }
        }
        catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return new StormOutcome(false, false, $"client {index}: {exception.Message}");
        }
    }

    private static async Task<CommandStatus> BindAsync(SmppTestClient client, string systemId, string password, TimeSpan patience)
    {
        await client.SendAsync(new BindTransmitter { SystemId = systemId, Password = password });
        return (await client.ReadAsync<BindTransmitterResp>(patience)).CommandStatus;
    }

    private async Task WaitForSessionsAsync(long expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        long? open = null;
        while (DateTime.UtcNow < deadline)
        {
            var match = SessionsGauge().Match(await gateway.Http.GetStringAsync("/metrics"));
            open = match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
            if (open == expected) return;
            await Task.Delay(200);
        }

        Assert.Fail($"taifa_smpp_sessions stayed at {open?.ToString(CultureInfo.InvariantCulture) ?? "(absent)"}, expected {expected}");
    }

    [GeneratedRegex(@"^taifa_smpp_sessions(?:\{[^}]*\})? (\d+)", RegexOptions.Multiline)]
    private static partial Regex SessionsGauge();
}
