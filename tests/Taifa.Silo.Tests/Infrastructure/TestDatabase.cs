using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Taifa.Silo.Database;

namespace Taifa.Silo.Tests.Infrastructure;

/// <summary>
/// A fresh, uniquely named PostgreSQL database for one test (or one fixture), with our schema applied,
/// dropped again on dispose. The server comes from <c>TAIFA_TEST_PG</c> (an admin connection string for a
/// role with CREATEDB and membership of pg_signal_backend, which DROP DATABASE WITH (FORCE) needs to end an autovacuum
/// worker on the database), defaulting to the local cluster that <c>infra/local/postgres-up.sh</c> starts.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private const string DefaultAdminConnectionString =
        "Host=127.0.0.1;Port=5432;Username=taifa;Password=taifa;Database=taifa_test";

    private readonly string _adminConnectionString;

    private TestDatabase(string adminConnectionString, string name, string connectionString)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = connectionString;
    }

    /// <summary>The database's name on the server.</summary>
    public string Name { get; }

    /// <summary>Connection string for the new database, with the admin role's credentials.</summary>
    public string ConnectionString { get; }

    /// <summary>Creates the database and, unless <paramref name="applySchema"/> is false, applies our schema.</summary>
    public static async Task<TestDatabase> CreateAsync(bool applySchema = true)
    {
        var adminConnectionString = Environment.GetEnvironmentVariable("TAIFA_TEST_PG") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : DefaultAdminConnectionString;

        // Lower case, no quoting surprises, well under PostgreSQL's 63-byte identifier limit.
        var name = $"taifa_t_{Guid.NewGuid():N}";
        await ExecuteAdminAsync(adminConnectionString, $"CREATE DATABASE {name}").ConfigureAwait(false);

        var connectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }.ConnectionString;
        var database = new TestDatabase(adminConnectionString, name, connectionString);
        if (applySchema)
        {
            try
            {
                await DatabaseSchema.ApplyAsync(connectionString, NullLogger.Instance).ConfigureAwait(false);
            }
            catch
            {
                await database.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        return database;
    }

    /// <summary>Opens a connection to the test database.</summary>
    public async Task<NpgsqlConnection> OpenConnectionAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        return connection;
    }

    /// <summary>
    /// Simulates an outage and its end: with <paramref name="available"/> false no new connection to the database is
    /// accepted and every open one is terminated; true lifts the limit again.
    /// </summary>
    public Task SetAvailableAsync(bool available) =>
        ExecuteAdminAsync(
            _adminConnectionString,
            available
                ? $"ALTER DATABASE {Name} CONNECTION LIMIT -1"
                : $"ALTER DATABASE {Name} CONNECTION LIMIT 0; " +
                  $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{Name}' AND pid <> pg_backend_pid()");

    public async ValueTask DisposeAsync()
    {
        // Idle pooled connections would otherwise be killed under the pool's feet by FORCE.
        using (var connection = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }

        await ExecuteAdminAsync(_adminConnectionString, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)").ConfigureAwait(false);
    }

    private static async Task ExecuteAdminAsync(string adminConnectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }
}
