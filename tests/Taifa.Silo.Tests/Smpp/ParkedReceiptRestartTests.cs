using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Taifa.Abstractions.Messages;
using Taifa.Abstractions.Smpp;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Smpp.Pdus;

namespace Taifa.Silo.Tests.Smpp;

/// <summary>Production mode on PostgreSQL: an SMPP receipt parked while no receiver was bound outlives a restart.</summary>
public sealed class ParkedReceiptRestartTests : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(applySchema: false);

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task A_parked_receipt_reaches_the_receiver_that_binds_after_a_restart()
    {
        TestAccount account;
        var (username, password) = ("u" + Guid.NewGuid().ToString("N")[..12], "secret1");
        await using (var first = new GatewayFactory(_database.ConnectionString))
        {
            account = await first.OpenAccountAsync();
            using var client = first.CreateClient();
            await client.PostRawAsync("/v2/sms/smpp-credentials", account.ApiKey, $$"""{"smpp_username":"{{username}}","smpp_password":"{{password}}"}""");
            await first.Services.GetRequiredService<IGrainFactory>().GetGrain<ISmppReceiptOutboxGrain>(account.AccountId).Park(
                new SmppReceipt(4242, "254702739804", account.SenderId, MessageStatus.Delivered, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null, "parked"));
        }

        var smppPort = GatewayFactory.FreeTcpPort();
        await using var second = new GatewayFactory(_database.ConnectionString, new Dictionary<string, string>
        {
            ["Taifa:Smpp:Port"] = smppPort.ToString(CultureInfo.InvariantCulture),
            ["urls"] = $"http://127.0.0.1:{GatewayFactory.FreeTcpPort()}",
        });
        second.UseKestrel();
        second.StartServer();

        await using var receiver = await SmppTestClient.ConnectAsync(smppPort);
        Assert.Equal(CommandStatus.Ok, (await receiver.BindAsync(username, password, CommandId.BindReceiver)).CommandStatus);
        var deliver = await receiver.ReadAsync<DeliverSm>();
        await receiver.SendAsync(deliver.CreateResponse());
        Assert.Equal("4242", deliver.OptionalParameters.ReceiptedMessageId);
    }
}
