using Npgsql;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Storage;

/// <summary>Production mode puts message records in the batched storage unless <c>Taifa:Storage:BatchedMessages</c> is false.</summary>
public sealed class StorageSelectionTests : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(applySchema: false);

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Theory]
    [InlineData(true, "taifa_grain_state WHERE state_name = 'message'", "OrleansStorage WHERE GrainTypeString = 'message'")]
    [InlineData(false, "OrleansStorage WHERE GrainTypeString = 'message'", "taifa_grain_state")]
    public async Task Message_records_go_to_the_storage_the_switch_selects(bool batched, string holdsRecords, string staysEmpty)
    {
        var settings = new Dictionary<string, string> { ["Taifa:Storage:BatchedMessages"] = batched ? "true" : "false" };
        await using var gateway = new GatewayFactory(_database.ConnectionString, settings);
        using var client = gateway.CreateClient();
        var account = await gateway.OpenAccountAsync();

        var sent = await client.SendSmsAsync(account.ApiKey, new { mobile = "0702739804,0733123456", sender_name = account.SenderId, message = "where do I go" });
        Assert.All(sent, e => Assert.Equal("1000", e!.Code()));

        // Records are handed to their message grains just after the account's commit.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await CountAsync(holdsRecords) < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for two message records in {holdsRecords}.");
            await Task.Delay(100);
        }

        Assert.Equal(0L, await CountAsync(staysEmpty));
    }

    private async Task<long> CountAsync(string fromWhere)
    {
        await using var connection = await _database.OpenConnectionAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {fromWhere}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
