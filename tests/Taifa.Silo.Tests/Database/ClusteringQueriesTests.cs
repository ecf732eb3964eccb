using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Database;

/// <summary>
/// Membership rules of the clustering queries, called with the parameters (and DbTypes) that
/// Orleans 10.4.2's ADO.NET clustering provider binds.
/// </summary>
public sealed class ClusteringQueriesTests
{
    private const string Cluster = "cluster";
    private const int Active = 3;
    private const int Dead = 6;

    [Fact]
    public async Task A_silo_row_is_written_only_with_the_current_table_version_which_each_write_bumps()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var connection = await database.OpenConnectionAsync();

        Assert.Equal(1, await ScalarAsync(connection, "InsertMembershipVersionKey", ("DeploymentId", Cluster)));
        Assert.Equal(0, await ScalarAsync(connection, "InsertMembershipVersionKey", ("DeploymentId", Cluster)));

        var now = DateTime.UtcNow;
        Assert.Equal(0, await InsertSiloAsync(connection, port: 11111, version: 5, now));
        Assert.Equal(1, await InsertSiloAsync(connection, port: 11111, version: 0, now));
        Assert.Equal(0, await InsertSiloAsync(connection, port: 11111, version: 1, now));

        Assert.Equal(0, await UpdateSiloAsync(connection, port: 11111, status: Dead, version: 0, now));
        Assert.Equal(1, await UpdateSiloAsync(connection, port: 11111, status: Dead, version: 1, now));

        var rows = await OrleansQueryRunner.RunAsync(connection, "MembershipReadAllKey", ("DeploymentId", Cluster));
        var row = Assert.Single(rows);
        Assert.Equal(2, row["Version"]);
        Assert.Equal(Dead, row["Status"]);
    }

    [Fact]
    public async Task Cleanup_of_one_defunct_silo_deletes_the_dead_row_it_read_and_keeps_a_row_that_changed_since()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var connection = await database.OpenConnectionAsync();
        await OrleansQueryRunner.RunAsync(connection, "InsertMembershipVersionKey", ("DeploymentId", Cluster));
        var then = DateTime.UtcNow.AddDays(-8);
        await InsertSiloAsync(connection, port: 1, version: 0, then);
        await InsertSiloAsync(connection, port: 2, version: 1, then);
        await UpdateSiloAsync(connection, port: 1, status: Dead, version: 2, then);
        await UpdateSiloAsync(connection, port: 2, status: Dead, version: 3, then);

        var read = await OrleansQueryRunner.RunAsync(connection, "MembershipReadAllKey", ("DeploymentId", Cluster));
        await UpdateSiloAsync(connection, port: 2, status: Dead, version: 4, DateTime.UtcNow);

        foreach (var row in read)
        {
            await OrleansQueryRunner.RunAsync(
                connection,
                "CleanupDefunctSiloEntryKey",
                ("DeploymentId", Cluster), ("Address", row["Address"]), ("Port", row["Port"]),
                ("Generation", row["Generation"]), ("SuspectTimes", row["SuspectTimes"]),
                ("StartTime", row["StartTime"]), ("IAmAliveTime", row["IAmAliveTime"]));
        }

        var left = await OrleansQueryRunner.RunAsync(connection, "MembershipReadAllKey", ("DeploymentId", Cluster));
        Assert.Equal(2, Assert.Single(left)["Port"]);
    }

    private static Task<int> InsertSiloAsync(Npgsql.NpgsqlConnection connection, int port, int version, DateTime at) =>
        ScalarAsync(
            connection,
            "InsertMembershipKey",
            ("DeploymentId", Cluster), ("Address", "127.0.0.1"), ("Port", port), ("Generation", 1),
            ("SiloName", $"silo-{port}"), ("HostName", "localhost"), ("Status", Active), ("ProxyPort", port + 1000),
            ("StartTime", at), ("IAmAliveTime", at), ("Version", version));

    private static Task<int> UpdateSiloAsync(Npgsql.NpgsqlConnection connection, int port, int status, int version, DateTime at) =>
        ScalarAsync(
            connection,
            "UpdateMembershipKey",
            ("DeploymentId", Cluster), ("Address", "127.0.0.1"), ("Port", port), ("Generation", 1),
            ("Status", status), ("SuspectTimes", null), ("IAmAliveTime", at), ("Version", version));

    private static async Task<int> ScalarAsync(
        Npgsql.NpgsqlConnection connection, string queryKey, params (string Name, object? Value)[] parameters)
    {
        var row = Assert.Single(await OrleansQueryRunner.RunAsync(connection, queryKey, parameters));
        return Convert.ToInt32(Assert.Single(row.Values), System.Globalization.CultureInfo.InvariantCulture);
    }
}
