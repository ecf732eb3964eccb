using Microsoft.Extensions.Configuration;
using Npgsql;
using Orleans.TestingHost;
using Taifa.Silo.Storage;
using Taifa.Silo.Tests.Database;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Storage;

/// <summary>A grain whose state lives in the batched storage keeps it across a whole-cluster restart.</summary>
public sealed class ClusterRestartTests
{
    private const string ConnectionStringKey = "TaifaDatabase";

    [Fact]
    public async Task Grain_state_in_the_batched_storage_survives_a_cluster_restart()
    {
        await using var database = await TestDatabase.CreateAsync();
        var serviceId = Guid.NewGuid().ToString("N");
        var key = Guid.NewGuid();

        var cluster = await StartClusterAsync(database, serviceId);
        try
        {
            var probe = cluster.Client.GetGrain<IProbeGrain>(key);
            await probe.RememberAsync("first");
            await probe.RememberAsync("second");
            Assert.Equal("second", await probe.RecallAsync());
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }

        await using (var connection = await database.OpenConnectionAsync())
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM taifa_grain_state WHERE service_id = $1 AND state_name = 'probe' AND version = 2", connection))
        {
            count.Parameters.Add(new NpgsqlParameter { Value = serviceId });
            Assert.Equal(1L, (long)(await count.ExecuteScalarAsync())!);
        }

        var restarted = await StartClusterAsync(database, serviceId);
        try
        {
            var probe = restarted.Client.GetGrain<IProbeGrain>(key);
            Assert.Equal("second", await probe.RecallAsync());
            await probe.RememberAsync("third");
        }
        finally
        {
            await restarted.StopAllSilosAsync();
            await restarted.DisposeAsync();
        }
    }

    private static async Task<TestCluster> StartClusterAsync(TestDatabase database, string serviceId)
    {
        var builder = new TestClusterBuilder(initialSilosCount: 1);
        builder.Options.ServiceId = serviceId;
        builder.Options.ConfigureFileLogging = false;
        builder.Properties[ConnectionStringKey] = database.ConnectionString;
        builder.AddSiloBuilderConfigurator<BatchedStorageSilo>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class BatchedStorageSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.AddBatchedPostgresGrainStorage(ProbeNames.Storage, options =>
                options.ConnectionString = siloBuilder.Configuration[ConnectionStringKey]!);
    }
}
