using Npgsql;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Database;

/// <summary>
/// The stream queue's delivery rules, driven through the stored queries with the parameters the
/// Orleans 10.4.2-alpha.1 ADO.NET stream provider binds.
/// </summary>
public sealed class StreamingQueriesTests : IAsyncLifetime
{
    private const string Service = "svc";
    private const string Provider = "adonet";
    private const string Queue = "queue-0";
    private const int MaxAttempts = 2;

    private TestDatabase _database = null!;
    private NpgsqlConnection _connection = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _connection = await _database.OpenConnectionAsync();
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_dequeued_message_is_hidden_until_confirmed_and_confirming_with_a_stale_receipt_does_nothing()
    {
        var id = await QueueAsync([1, 2, 3]);

        var first = Assert.Single(await GetAsync());
        Assert.Equal(id, first["MessageId"]);
        Assert.Equal(1, first["Dequeued"]);
        Assert.Equal(new byte[] { 1, 2, 3 }, first["Payload"]);
        Assert.Empty(await GetAsync());

        Assert.Empty(await ConfirmAsync($"{id}:7"));
        var ack = Assert.Single(await ConfirmAsync($"{id}:1"));
        Assert.Equal(id, ack["MessageId"]);
        Assert.Equal(0L, await CountAsync("OrleansStreamMessage"));
    }

    [Fact]
    public async Task A_released_message_is_visible_again_at_once_with_its_attempt_counted()
    {
        var id = await QueueAsync([9]);
        Assert.Single(await GetAsync());

        Assert.Single(await ConfirmAsync($"{id}:-1"));

        var again = Assert.Single(await GetAsync());
        Assert.Equal(2, again["Dequeued"]);
        Assert.Empty(await ConfirmAsync($"{id}:-1"));
    }

    [Fact]
    public async Task A_failed_message_is_retried_until_it_runs_out_of_attempts_then_dead_lettered()
    {
        var id = await QueueAsync([4]);

        Assert.Single(await GetAsync());
        await FailAsync(id);
        Assert.Equal(2, Assert.Single(await GetAsync())["Dequeued"]);
        await FailAsync(id);

        Assert.Empty(await GetAsync());
        Assert.Equal(0L, await CountAsync("OrleansStreamMessage"));
        Assert.Equal(1L, await CountAsync("OrleansStreamDeadLetter"));
    }

    [Fact]
    public async Task Expired_messages_are_moved_to_dead_letters_by_the_eviction_inside_dequeue()
    {
        await QueueAsync([5], expiryTimeout: 0);

        Assert.Empty(await GetAsync());

        Assert.Equal(0L, await CountAsync("OrleansStreamMessage"));
        Assert.Equal(1L, await CountAsync("OrleansStreamDeadLetter"));
    }

    [Fact]
    public async Task The_eviction_queries_run_with_the_provider_parameter_names()
    {
        await QueueAsync([6], expiryTimeout: 0);

        await RunAsync("EvictStreamMessagesKey", ("MaxCount", 10), ("MaxAttempts", MaxAttempts), ("RemovalTimeout", 0));
        Assert.Equal(1L, await CountAsync("OrleansStreamDeadLetter"));

        await RunAsync("EvictStreamDeadLettersKey", ("MaxCount", 10));
        Assert.Equal(0L, await CountAsync("OrleansStreamDeadLetter"));
    }

    private async Task<long> QueueAsync(byte[] payload, int expiryTimeout = 600)
    {
        var ack = Assert.Single(await RunAsync("QueueStreamMessageKey", ("Payload", payload), ("ExpiryTimeout", expiryTimeout)));
        return (long)ack["MessageId"]!;
    }

    private Task<List<Dictionary<string, object?>>> GetAsync() =>
        RunAsync(
            "GetStreamMessagesKey",
            ("MaxCount", 10), ("MaxAttempts", MaxAttempts), ("VisibilityTimeout", 600), ("RemovalTimeout", 600),
            ("EvictionInterval", 0), ("EvictionBatchSize", 100));

    private Task<List<Dictionary<string, object?>>> ConfirmAsync(string items) =>
        RunAsync("ConfirmStreamMessagesKey", ("Items", items));

    private async Task FailAsync(long messageId) =>
        await RunAsync("FailStreamMessageKey", ("MessageId", messageId), ("MaxAttempts", MaxAttempts), ("RemovalTimeout", 600));

    private Task<List<Dictionary<string, object?>>> RunAsync(string queryKey, params (string Name, object? Value)[] parameters) =>
        OrleansQueryRunner.RunAsync(
            _connection, queryKey, [("ServiceId", Service), ("ProviderId", Provider), ("QueueId", Queue), .. parameters]);

    private async Task<long> CountAsync(string table)
    {
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", _connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
