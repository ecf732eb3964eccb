using System.Buffers.Binary;
using Taifa.Abstractions.Smpp;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;

namespace Taifa.Silo.Tests.Smpp;

/// <summary>The bind-state rules of the SMPP listener over real sockets.</summary>
[Collection(SmppCollection.Name)]
public sealed class SmppSessionTests(SmppGateway gateway) : IClassFixture<SmppGateway>
{
    [Theory]
    [InlineData(CommandId.BindTransmitter, InterfaceVersion.V34)]
    [InlineData(CommandId.BindReceiver, InterfaceVersion.V34)]
    [InlineData(CommandId.BindTransceiver, InterfaceVersion.V33)]
    public async Task Bind_with_registered_credentials_succeeds(CommandId bind, byte version)
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using var client = await gateway.ConnectAsync();

        var response = await client.BindAsync(account.SystemId, account.Password, bind, version);

        Assert.Equal(CommandStatus.Ok, response.CommandStatus);
        Assert.Equal("TAIFA", response.SystemId);
        Assert.Equal(InterfaceVersion.V34, response.OptionalParameters.ScInterfaceVersion);
    }

    [Fact]
    public async Task Wrong_password_and_unknown_system_id_answer_bindfail()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using var client = await gateway.ConnectAsync();

        Assert.Equal(CommandStatus.BindFailed, (await client.BindAsync(account.SystemId, "wrong")).CommandStatus);
        Assert.Equal(CommandStatus.BindFailed, (await client.BindAsync("nobody" + Guid.NewGuid().ToString("N")[..8], "x")).CommandStatus);

        // A failed bind leaves the session open for another try.
        Assert.Equal(CommandStatus.Ok, (await client.BindAsync(account)).CommandStatus);
    }

    [Fact]
    public async Task Suspended_account_answers_bindfail()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await gateway.SuspendAsync(account.Account);
        await using var client = await gateway.ConnectAsync();

        Assert.Equal(CommandStatus.BindFailed, (await client.BindAsync(account)).CommandStatus);
    }

    [Fact]
    public async Task Bind_on_a_bound_session_answers_invalid_bind_status()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account);

        Assert.Equal(CommandStatus.IncorrectBindStatus, (await client.BindAsync(account, CommandId.BindTransceiver)).CommandStatus);
    }

    [Fact]
    public async Task Submit_before_bind_answers_submit_sm_resp_with_invalid_bind_status()
    {
        await using var client = await gateway.ConnectAsync();

        var response = await client.SubmitAsync(SmppTestClient.Submit("MYSENDER", "254702739804", "Hi"u8.ToArray()));

        Assert.Equal(CommandId.SubmitSmResp, response.CommandId);
        Assert.Equal(CommandStatus.IncorrectBindStatus, response.CommandStatus);
    }

    [Fact]
    public async Task Submit_on_a_receiver_answers_invalid_bind_status()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account, CommandId.BindReceiver);

        var response = await client.SubmitAsync(SmppTestClient.Submit(account.SenderId, "254702739804", "Hi"u8.ToArray()));

        Assert.Equal(CommandStatus.IncorrectBindStatus, response.CommandStatus);
    }

    [Fact]
    public async Task Unknown_command_answers_generic_nack_and_the_session_stays_usable()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account);

        await client.SendRawAsync(Header(16, 0x0000_0777, 0, 42));
        var nack = await client.ReadAsync<GenericNack>();
        Assert.Equal(CommandStatus.InvalidCommandId, nack.CommandStatus);
        Assert.Equal(42u, nack.SequenceNumber);

        var response = await client.SubmitAsync(SmppTestClient.Submit(account.SenderId, "254702739804", "Still here"u8.ToArray()));
        Assert.Equal(CommandStatus.Ok, response.CommandStatus);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(15u)]
    [InlineData(0x8000_0000u)]
    public async Task Invalid_command_length_answers_generic_nack_and_closes(uint commandLength)
    {
        await using var client = await gateway.ConnectAsync();

        await client.SendRawAsync(Header(commandLength, (uint)CommandId.EnquireLink, 0, 7));
        var received = await client.ReadUntilClosedAsync();

        var nack = Assert.IsType<GenericNack>(Assert.Single(received));
        Assert.Equal(CommandStatus.InvalidCommandLength, nack.CommandStatus);
    }

    [Fact]
    public async Task Enquire_link_is_answered_before_bind_and_when_bound()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using var client = await gateway.ConnectAsync();

        var sequence = await client.SendAsync(new EnquireLink());
        Assert.Equal(sequence, (await client.ReadAsync<EnquireLinkResp>()).SequenceNumber);

        await client.BindAsync(account, CommandId.BindReceiver);
        sequence = await client.SendAsync(new EnquireLink());
        Assert.Equal(sequence, (await client.ReadAsync<EnquireLinkResp>()).SequenceNumber);
    }

    [Fact]
    public async Task Unbind_answers_unbind_resp_and_closes()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account);

        var sequence = await client.SendAsync(new Unbind());
        var received = await client.ReadUntilClosedAsync();

        var resp = Assert.IsType<UnbindResp>(Assert.Single(received));
        Assert.Equal(sequence, resp.SequenceNumber);
        Assert.Equal(CommandStatus.Ok, resp.CommandStatus);
        await WaitForBindsAsync(account, 0);
    }

    [Fact]
    public async Task Binds_per_account_are_limited_and_a_vanished_client_frees_its_slot_at_once()
    {
        var account = await gateway.OpenSmppAccountAsync();
        var clients = new List<SmppTestClient>();
        for (var i = 0; i < 3; i++)
        {
            var client = await gateway.ConnectAsync();
            clients.Add(client);
            Assert.Equal(CommandStatus.Ok, (await client.BindAsync(account, CommandId.BindTransceiver)).CommandStatus);
        }

        await using (var fourth = await gateway.ConnectAsync())
        {
            Assert.Equal(CommandStatus.BindFailed, (await fourth.BindAsync(account)).CommandStatus);
        }

        // Dropped without unbind: the slot comes free as soon as the server sees the socket close.
        await clients[0].DisposeAsync();
        await WaitForBindsAsync(account, 2);
        await using var fifth = await gateway.ConnectAsync();
        Assert.Equal(CommandStatus.Ok, (await fifth.BindAsync(account)).CommandStatus);

        foreach (var client in clients.Skip(1)) await client.DisposeAsync();
    }

    [Fact]
    public async Task Changing_smpp_credentials_unbinds_live_sessions()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using var transmitter = await gateway.ConnectAsync();
        await using var receiver = await gateway.ConnectAsync();
        await transmitter.BindAsync(account);
        await receiver.BindAsync(account, CommandId.BindReceiver);

        await gateway.SetCredentialsAsync(account.Account, account.SystemId, "newpass1");

        foreach (var client in new[] { transmitter, receiver })
        {
            var unbind = await client.ReadAsync<Unbind>();
            await client.SendAsync(unbind.CreateResponse());
            Assert.Empty(await client.ReadUntilClosedAsync());
        }

        await using var again = await gateway.ConnectAsync();
        Assert.Equal(CommandStatus.BindFailed, (await again.BindAsync(account)).CommandStatus);
        Assert.Equal(CommandStatus.Ok, (await again.BindAsync(account.SystemId, "newpass1")).CommandStatus);
    }

    [Fact]
    public async Task Suspending_the_account_unbinds_live_sessions_even_if_they_do_not_answer()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account);

        await gateway.SuspendAsync(account.Account);

        var received = await client.ReadUntilClosedAsync();
        Assert.IsType<Unbind>(Assert.Single(received));
        await WaitForBindsAsync(account, 0);
    }

    [Fact]
    public async Task A_receipt_reaches_a_transceiver_as_deliver_sm()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account, CommandId.BindTransceiver);
        var outbox = gateway.Grains.GetGrain<ISmppReceiptOutboxGrain>(account.Account.AccountId);
        var at = DateTimeOffset.UtcNow;
        at = new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, at.Minute, 0, TimeSpan.Zero).AddMinutes(-1);

        await outbox.Park(new SmppReceipt(123456789, "254702739804", account.SenderId,
            Taifa.Abstractions.Messages.MessageStatus.Delivered, at, at.AddMinutes(1), null, "Hello from Taifa Mobile"));
        var deliver = await client.ReadAsync<DeliverSm>();
        await client.SendAsync(deliver.CreateResponse());

        Assert.True(deliver.IsDeliveryReceipt);
        Assert.Equal("123456789", deliver.OptionalParameters.ReceiptedMessageId);
        Assert.Equal(MessageState.Delivered, deliver.OptionalParameters.MessageState);
        Assert.Equal("254702739804", deliver.Source.Address);
        var dates = FormattableString.Invariant($"submit date:{at:yyMMddHHmm} done date:{at.AddMinutes(1):yyMMddHHmm}");
        Assert.Equal($"id:123456789 sub:001 dlvrd:001 {dates} stat:DELIVRD err:000 text:Hello from Taifa Mob",
            System.Text.Encoding.ASCII.GetString(deliver.ShortMessage.Span));
    }

    [Fact]
    public async Task A_receipt_for_an_account_without_receiving_sessions_waits_until_a_receiver_binds()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using var transmitter = await gateway.ConnectAsync();
        await transmitter.BindAsync(account);
        var outbox = gateway.Grains.GetGrain<ISmppReceiptOutboxGrain>(account.Account.AccountId);
        await outbox.Park(new SmppReceipt(1, "254702739804", account.SenderId,
            Taifa.Abstractions.Messages.MessageStatus.Delivered, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null, "x"));

        await using var receiver = await gateway.ConnectAsync();
        await receiver.BindAsync(account, CommandId.BindReceiver);
        var deliver = await receiver.ReadAsync<DeliverSm>();
        await receiver.SendAsync(deliver.CreateResponse());
        Assert.Equal("1", deliver.OptionalParameters.ReceiptedMessageId);
    }

    private async Task WaitForBindsAsync(SmppAccount account, int expected)
    {
        var registry = gateway.Grains.GetGrain<ISmppBindRegistryGrain>(account.Account.AccountId);
        var deadline = DateTime.UtcNow + SmppTestClient.Patience;
        int count;
        while ((count = (await registry.Bindings()).Count) != expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the registry still holds {count} binds, expected {expected}");
            await Task.Delay(20);
        }
    }

    internal static byte[] Header(uint commandLength, uint commandId, uint status, uint sequence)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, commandLength);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), commandId);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), status);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(12), sequence);
        return bytes;
    }
}
