using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Taifa.Silo.Storage;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Storage;

[GenerateSerializer, Alias("Taifa.Silo.Tests.Storage.NoteState")]
public sealed class NoteState
{
    [Id(0)] public string Text { get; set; } = "";
    [Id(1)] public int Count { get; set; }
}

/// <summary>The batched grain storage against a real, fresh PostgreSQL database.</summary>
public sealed class BatchedPostgresGrainStorageTests : IAsyncLifetime
{
    private const string StateName = "note";
    private static readonly ServiceProvider Serialization = new ServiceCollection().AddSerializer().BuildServiceProvider();

    private TestDatabase _database = null!;
    private readonly string _serviceId = "svc-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<BatchedPostgresGrainStorage> _storages = [];

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync()
    {
        foreach (var storage in _storages) await storage.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Reading_a_state_never_written_gives_a_new_state_without_etag()
    {
        var storage = NewStorage();
        var state = new GrainState<NoteState>();

        await storage.ReadStateAsync(StateName, Grain("missing"), state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.NotNull(state.State);
        Assert.Equal("", state.State!.Text);
    }

    [Fact]
    public async Task A_written_state_reads_back_with_its_version_as_etag_also_from_another_provider_instance()
    {
        var storage = NewStorage();
        var grain = Grain("round-trip-" + new string('x', 300));
        var state = new GrainState<NoteState>(new NoteState { Text = "queued", Count = 1 });

        await storage.WriteStateAsync(StateName, grain, state);
        Assert.Equal("1", state.ETag);
        Assert.True(state.RecordExists);

        state.State = new NoteState { Text = "submitted", Count = 2 };
        await storage.WriteStateAsync(StateName, grain, state);
        Assert.Equal("2", state.ETag);

        var read = new GrainState<NoteState>();
        await NewStorage().ReadStateAsync(StateName, grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal("2", read.ETag);
        Assert.Equal("submitted", read.State!.Text);
        Assert.Equal(2, read.State!.Count);

        // Same grain, another state name: a separate row.
        var other = new GrainState<NoteState>();
        await storage.ReadStateAsync("other", grain, other);
        Assert.False(other.RecordExists);
    }

    [Fact]
    public async Task Stale_etags_fail_only_their_own_caller_while_the_rest_of_the_batch_commits()
    {
        var storage = NewStorage();
        var existing = Grain("existing");
        var written = new GrainState<NoteState>(new NoteState { Text = "v1" });
        await storage.WriteStateAsync(StateName, existing, written);
        var updated = Grain("updated");
        var toUpdate = new GrainState<NoteState>(new NoteState { Text = "v1" });
        await storage.WriteStateAsync(StateName, updated, toUpdate);
        var blocker = Grain("blocker");
        var blocking = new GrainState<NoteState>(new NoteState { Text = "v1" });
        await storage.WriteStateAsync(StateName, blocker, blocking);
        var batchesBefore = storage.Batches;

        // Hold the blocker's row so that the first batch waits in PostgreSQL while everything else queues behind it.
        await using var connection = await _database.OpenConnectionAsync();
        await using var hold = await connection.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM taifa_grain_state WHERE grain_key = 'blocker' FOR UPDATE", connection, hold))
        {
            await lockRow.ExecuteScalarAsync();
        }

        var first = storage.WriteStateAsync(StateName, blocker, blocking);
        await WaitUntil(() => storage.Batches == batchesBefore + 1, "the blocked first batch to be sent");

        var fresh = Enumerable.Range(0, 10).Select(i => (Grain: Grain($"fresh-{i}"), State: new GrainState<NoteState>(new NoteState { Text = $"fresh {i}" }))).ToList();
        var freshWrites = fresh.Select(f => storage.WriteStateAsync(StateName, f.Grain, f.State)).ToList();
        var duplicateInsert = storage.WriteStateAsync(StateName, existing, new GrainState<NoteState>(new NoteState { Text = "second activation" }));
        var staleUpdate = storage.WriteStateAsync(StateName, existing, new GrainState<NoteState>(new NoteState { Text = "stale" }) { ETag = "7" });
        toUpdate.State = new NoteState { Text = "v2" };
        var goodUpdate = storage.WriteStateAsync(StateName, updated, toUpdate);
        var clearAfterInsert = storage.ClearStateAsync(StateName, fresh[3].Grain, new GrainState<NoteState> { ETag = "1" });

        await hold.CommitAsync();
        await first;
        await Task.WhenAll(freshWrites);
        await goodUpdate;
        await Assert.ThrowsAsync<InconsistentStateException>(() => duplicateInsert);
        await Assert.ThrowsAsync<InconsistentStateException>(() => staleUpdate);

        // Everything went in one batch except the clear of fresh-3, which waited for the next one (one operation
        // per state and batch) and then found the version its insert had just written.
        await clearAfterInsert;
        Assert.Equal(batchesBefore + 3, storage.Batches);
        Assert.Equal("2", toUpdate.ETag);
        Assert.All(fresh, f => Assert.Equal("1", f.State.ETag));

        var check = NewStorage();
        var after = new GrainState<NoteState>();
        await check.ReadStateAsync(StateName, existing, after);
        Assert.Equal(("v1", "1"), (after.State!.Text, after.ETag));
        await check.ReadStateAsync(StateName, updated, after);
        Assert.Equal(("v2", "2"), (after.State!.Text, after.ETag));
        await check.ReadStateAsync(StateName, fresh[9].Grain, after);
        Assert.Equal(("fresh 9", "1"), (after.State!.Text, after.ETag));
    }

    [Fact]
    public async Task Clearing_keeps_the_version_counting_and_a_stale_clear_conflicts()
    {
        var storage = NewStorage();
        var grain = Grain("cleared");
        var state = new GrainState<NoteState>(new NoteState { Text = "to clear" });
        await storage.WriteStateAsync(StateName, grain, state);
        var stale = new GrainState<NoteState> { ETag = state.ETag };

        await storage.ClearStateAsync(StateName, grain, state);
        Assert.Equal(("2", false, ""), (state.ETag, state.RecordExists, state.State!.Text));

        var read = new GrainState<NoteState>();
        await storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal(("2", false, ""), (read.ETag, read.RecordExists, read.State!.Text));

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, grain, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, new GrainState<NoteState>(new NoteState())));

        read.State = new NoteState { Text = "again" };
        await storage.WriteStateAsync(StateName, grain, read);
        Assert.Equal(("3", true), (read.ETag, read.RecordExists));
    }

    [Fact]
    public async Task Two_thousand_concurrent_writes_all_persist_in_few_batches()
    {
        const int Writes = 2_000;
        var storage = NewStorage();

        await Task.WhenAll(Enumerable.Range(0, Writes).Select(i => Task.Run(async () =>
        {
            var state = new GrainState<NoteState>(new NoteState { Text = $"message {i}", Count = i });
            await storage.WriteStateAsync(StateName, Grain($"bulk-{i}"), state);
            Assert.Equal("1", state.ETag);
        })));

        Assert.Equal(Writes, storage.Operations);
        Assert.True(storage.Batches <= Writes / 10, $"{Writes} writes took {storage.Batches} batches; expected them to be coalesced");
        Assert.True(storage.Statements <= storage.Batches, $"{storage.Statements} statements for {storage.Batches} write-only batches");

        await using var connection = await _database.OpenConnectionAsync();
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM taifa_grain_state WHERE service_id = $1 AND grain_key LIKE 'bulk-%' AND version = 1 AND payload IS NOT NULL", connection);
        count.Parameters.Add(new NpgsqlParameter { Value = _serviceId });
        Assert.Equal((long)Writes, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_failed_batch_fails_all_its_callers_and_the_provider_recovers()
    {
        var storage = NewStorage();
        var grain = Grain("outage");
        var state = new GrainState<NoteState>(new NoteState { Text = "before" });
        await storage.WriteStateAsync(StateName, grain, state);

        await _database.SetAvailableAsync(false);
        try
        {
            state.State = new NoteState { Text = "during" };
            var writes = new[] { storage.WriteStateAsync(StateName, grain, state), storage.ReadStateAsync(StateName, Grain("outage-read"), new GrainState<NoteState>()) };
            foreach (var write in writes) await Assert.ThrowsAnyAsync<NpgsqlException>(() => write);
            Assert.Equal("1", state.ETag);
        }
        finally
        {
            await _database.SetAvailableAsync(true);
        }

        state.State = new NoteState { Text = "after" };
        await storage.WriteStateAsync(StateName, grain, state);
        Assert.Equal("2", state.ETag);
        var read = new GrainState<NoteState>();
        await NewStorage().ReadStateAsync(StateName, grain, read);
        Assert.Equal(("after", "2"), (read.State!.Text, read.ETag));
    }

    private BatchedPostgresGrainStorage NewStorage()
    {
        var options = new BatchedPostgresGrainStorageOptions
        {
            ConnectionString = _database.ConnectionString,
            GrainStorageSerializer = new OrleansGrainStorageSerializer(Serialization.GetRequiredService<Serializer>()),
        };
        var storage = new BatchedPostgresGrainStorage(
            "test", options, _serviceId, Serialization.GetRequiredService<IActivatorProvider>(), NullLogger<BatchedPostgresGrainStorage>.Instance);
        _storages.Add(storage);
        return storage;
    }

    private static GrainId Grain(string key) => GrainId.Create("note", key);

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(10);
        }
    }
}
