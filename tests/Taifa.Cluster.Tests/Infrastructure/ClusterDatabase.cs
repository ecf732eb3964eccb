using Npgsql;

namespace Taifa.Cluster.Tests.Infrastructure;

/// <summary>
/// A fresh, empty PostgreSQL database for one cluster: the silos apply the schema themselves at start-up, as in
/// production. The server comes from <c>TAIFA_TEST_PG</c>, defaulting to the cluster <c>infra/local/postgres-up.sh</c> starts.
/// </summary>
public sealed class ClusterDatabase : IAsyncDisposable
{
    private const string DefaultAdminConnectionString =
        "Host=127.0.0.1;Port=5432;Username=taifa;Password=taifa;Database=taifa_test";

    private readonly string _adminConnectionString;

    private ClusterDatabase(string adminConnectionString, string name)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<ClusterDatabase> CreateAsync()
    {
        var admin = Environment.GetEnvironmentVariable("TAIFA_TEST_PG") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : DefaultAdminConnectionString;
        var database = new ClusterDatabase(admin, $"taifa_c_{Guid.NewGuid():N}");
        await database.ExecuteAdminAsync($"CREATE DATABASE {database.Name}");
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        using (var connection = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }

        await ExecuteAdminAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }

    private async Task ExecuteAdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
