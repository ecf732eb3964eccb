using Microsoft.Extensions.Configuration;
using Npgsql;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Database;

/// <summary>
/// Two silos whose clustering, grain storage, reminders and streams all run on our PostgreSQL schema.
/// </summary>
public sealed class AdoNetClusterTests
{
    private const string ConnectionStringKey = "TaifaDatabase";
    private const string Invariant = "Npgsql";
    private static readonly TimeSpan SignalTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Two_silos_store_state_fire_reminders_and_deliver_stream_events_and_state_survives_a_restart()
    {
        await using var database = await TestDatabase.CreateAsync();
        var serviceId = Guid.NewGuid().ToString("N");
        var clusterId = TestClusterBuilder.CreateClusterId();
        var key = Guid.NewGuid();

        var cluster = await StartClusterAsync(database, serviceId, clusterId);
        try
        {
            Assert.Equal(2, cluster.GetActiveSilos().Count());
            var probe = cluster.Client.GetGrain<IProbeGrain>(key);

            await probe.RememberAsync("first");
            await probe.RememberAsync("second");
            await probe.StartReminderAsync();
            await probe.PublishAsync("hello");

            Assert.Equal("second", await probe.RecallAsync());
            Assert.Equal(ProbeNames.Reminder, await ProbeSignals.WaitAsync(
                ProbeSignals.Reminder(key), SignalTimeout, "the reminder registered through the ADO.NET reminder table to fire"));
            Assert.Equal("hello", await ProbeSignals.WaitAsync(
                ProbeSignals.StreamEvent(key), SignalTimeout, "the ADO.NET stream event to reach the implicit subscriber"));

            // And all of it went through our tables, not an in-memory stand-in.
            Assert.Equal(2L, await CountAsync(database, $"FROM OrleansMembershipTable WHERE DeploymentId = '{clusterId}' AND Status = 3"));
            Assert.Equal(1L, await CountAsync(database, $"FROM OrleansStorage WHERE ServiceId = '{serviceId}' AND GrainTypeString = 'probe' AND Version = 2"));
            Assert.Equal(1L, await CountAsync(database, $"FROM OrleansStorage WHERE ServiceId = '{serviceId}' AND GrainTypeString = 'PubSubRendezvousGrain'"));
            Assert.Equal(1L, await CountAsync(database, $"FROM OrleansRemindersTable WHERE ServiceId = '{serviceId}'"));
            Assert.Equal(1L, await CountAsync(database, "FROM pg_sequences WHERE sequencename = 'orleansstreammessagesequence' AND last_value IS NOT NULL"));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }

        // Same service and cluster ids, new silos: everything below can only come from the database.
        var restarted = await StartClusterAsync(database, serviceId, clusterId);
        try
        {
            var probe = restarted.Client.GetGrain<IProbeGrain>(key);

            Assert.Equal("second", await probe.RecallAsync());
            Assert.True(await probe.HasReminderAsync(), "The reminder should still be registered after a restart.");
        }
        finally
        {
            await restarted.StopAllSilosAsync();
            await restarted.DisposeAsync();
        }
    }

    private static async Task<long> CountAsync(TestDatabase database, string fromWhere)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) {fromWhere}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<TestCluster> StartClusterAsync(TestDatabase database, string serviceId, string clusterId)
    {
        var builder = new TestClusterBuilder(initialSilosCount: 2);
        builder.Options.ServiceId = serviceId;
        builder.Options.ClusterId = clusterId;
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ConfigureFileLogging = false;
        builder.Properties[ConnectionStringKey] = database.ConnectionString;
        builder.AddSiloBuilderConfigurator<AdoNetSilo>();
        builder.AddClientBuilderConfigurator<AdoNetClient>();

        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class AdoNetSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var connectionString = siloBuilder.Configuration[ConnectionStringKey];
            siloBuilder
                .UseAdoNetClustering(options => { options.Invariant = Invariant; options.ConnectionString = connectionString; })
                .AddAdoNetGrainStorage(ProbeNames.Storage, options => { options.Invariant = Invariant; options.ConnectionString = connectionString; })
                .AddAdoNetGrainStorage("PubSubStore", options => { options.Invariant = Invariant; options.ConnectionString = connectionString; })
                .UseAdoNetReminderService(options => { options.Invariant = Invariant; options.ConnectionString = connectionString; })
                .AddAdoNetStreams(ProbeNames.StreamProvider, options => { options.Invariant = Invariant; options.ConnectionString = connectionString; });
        }
    }

    private sealed class AdoNetClient : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.UseAdoNetClustering(options =>
            {
                options.Invariant = Invariant;
                options.ConnectionString = configuration[ConnectionStringKey];
            });
    }
}
