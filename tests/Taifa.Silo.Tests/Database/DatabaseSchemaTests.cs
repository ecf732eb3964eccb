using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Taifa.Silo.Database;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Database;

public sealed class DatabaseSchemaTests
{
    [Fact]
    public void Scripts_are_embedded_in_version_order_with_the_orleans_main_script_first()
    {
        var scripts = DatabaseSchema.Scripts;

        Assert.Equal(
            ["orleans_main", "orleans_clustering", "orleans_persistence", "orleans_reminders", "orleans_streaming"],
            scripts.Take(5).Select(s => s.Name));
        Assert.Equal([1, 2, 3, 4, 5], scripts.Take(5).Select(s => s.Version));
        Assert.Equal(scripts.OrderBy(s => s.Version).Select(s => s.Version), scripts.Select(s => s.Version));
        Assert.All(scripts, s => Assert.False(string.IsNullOrWhiteSpace(s.Sql)));
    }

    [Fact]
    public async Task Applying_twice_runs_each_script_once_and_the_second_run_changes_nothing()
    {
        await using var database = await TestDatabase.CreateAsync(applySchema: false);

        await DatabaseSchema.ApplyAsync(database.ConnectionString, NullLogger.Instance);
        var first = await ReadSchemaVersionsAsync(database);
        await DatabaseSchema.ApplyAsync(database.ConnectionString, NullLogger.Instance);
        var second = await ReadSchemaVersionsAsync(database);

        Assert.Equal(DatabaseSchema.Scripts.Select(s => (s.Version, s.Name)), first.Select(v => (v.Version, v.Name)));
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Two_silos_applying_at_the_same_time_apply_each_script_exactly_once()
    {
        await using var database = await TestDatabase.CreateAsync(applySchema: false);

        await Task.WhenAll(
            Task.Run(() => DatabaseSchema.ApplyAsync(database.ConnectionString, NullLogger.Instance)),
            Task.Run(() => DatabaseSchema.ApplyAsync(database.ConnectionString, NullLogger.Instance)));

        var versions = await ReadSchemaVersionsAsync(database);
        Assert.Equal(DatabaseSchema.Scripts.Select(s => s.Version), versions.Select(v => v.Version));
    }

    [Fact]
    public async Task A_script_is_skipped_when_its_version_is_already_recorded()
    {
        await using var database = await TestDatabase.CreateAsync(applySchema: false);
        await using (var connection = await database.OpenConnectionAsync())
        {
            // Pretend 0001 ran already: if it ran again, 0002 would still work, but OrleansQuery would not exist.
            await using var command = new NpgsqlCommand(
                """
                CREATE TABLE taifa_schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL);
                INSERT INTO taifa_schema_version VALUES (1, 'orleans_main', now());
                """,
                connection);
            await command.ExecuteNonQueryAsync();
        }

        var exception = await Assert.ThrowsAsync<PostgresException>(
            () => DatabaseSchema.ApplyAsync(database.ConnectionString, NullLogger.Instance));

        Assert.Equal(PostgresErrorCodes.UndefinedTable, exception.SqlState);
        Assert.Equal([1], (await ReadSchemaVersionsAsync(database)).Select(v => v.Version));
    }

    [Fact]
    public async Task The_schema_defines_every_query_key_the_orleans_10_4_2_providers_look_up()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var connection = await database.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT QueryKey FROM OrleansQuery", connection);
        var keys = new HashSet<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                keys.Add(reader.GetString(0));
            }
        }

        Assert.Empty(OrleansQueryKeys.All.Except(keys));
        Assert.Empty(keys.Except(OrleansQueryKeys.All));
    }

    [Fact]
    public async Task IsReachable_is_true_for_a_live_database_and_false_for_a_closed_port()
    {
        await using var database = await TestDatabase.CreateAsync(applySchema: false);
        var closedPort = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Port = 1 }.ConnectionString;

        Assert.True(await DatabaseSchema.IsReachableAsync(database.ConnectionString, CancellationToken.None));
        Assert.False(await DatabaseSchema.IsReachableAsync(closedPort, CancellationToken.None));
    }

    private static async Task<List<(int Version, string Name, DateTime AppliedAt)>> ReadSchemaVersionsAsync(TestDatabase database)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT version, name, applied_at FROM taifa_schema_version ORDER BY version", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var versions = new List<(int, string, DateTime)>();
        while (await reader.ReadAsync())
        {
            versions.Add((reader.GetInt32(0), reader.GetString(1), reader.GetDateTime(2)));
        }

        return versions;
    }
}
