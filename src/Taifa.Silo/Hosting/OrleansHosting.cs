using System.Globalization;
using System.Net;
using Orleans.Configuration;
using Orleans.Dashboard;
using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Dispatch;
using Taifa.Silo.Options;
using Taifa.Silo.Storage;

namespace Taifa.Silo.Hosting;

/// <summary>Configures the co-hosted Orleans silo for the embedded default or for PostgreSQL (production) mode.</summary>
public static class OrleansHosting
{
    public const string ConnectionStringName = "Taifa";
    private const string Invariant = "Npgsql";
    private const int DispatchQueues = 4;
    private static readonly string[] GrainStorages = [StorageNames.Accounts, StorageNames.Messages, StorageNames.Index, StorageNames.PubSub];

    /// <summary>The high-volume storages (several writes per accepted message) that the batched provider serves.</summary>
    private static readonly string[] BatchedStorages = [StorageNames.Messages, StorageNames.Index];

    /// <summary>Default pool size per silo when the connection string names none: Npgsql's 100 would let two silos exhaust PostgreSQL's default max_connections.</summary>
    public const int DefaultMaxPoolSize = 40;

    /// <summary>Npgsql connects within 15 s by default, as here, but lets a command run 30 s: three of those would outlast a send's grain call.</summary>
    public const int DefaultConnectTimeoutSeconds = 15;
    public const int DefaultCommandTimeoutSeconds = 15;

    // A send may wait for the account write in flight, then its own, then reading storage back after a failure.
    private const int StorageCallsPerSend = 3;

    public static string? ProductionConnectionString(this IConfiguration configuration)
    {
        if (configuration.GetConnectionString(ConnectionStringName) is not { Length: > 0 } connectionString) return null;
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var namesPoolSize = connectionString.Contains("pool size", StringComparison.OrdinalIgnoreCase) ||
                            connectionString.Contains("maxpoolsize", StringComparison.OrdinalIgnoreCase);
        if (!namesPoolSize) builder.MaxPoolSize = DefaultMaxPoolSize;
        // Npgsql's builder claims every keyword it knows; the keys as written say what the operator chose.
        var named = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
            .Cast<string>().Select(k => k.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant()).ToHashSet();
        if (!named.Contains("TIMEOUT")) builder.Timeout = DefaultConnectTimeoutSeconds;
        if (!named.Contains("COMMANDTIMEOUT")) builder.CommandTimeout = DefaultCommandTimeoutSeconds;

        // A grain call that gave up before its storage call would answer "unknown" for a write that then commits.
        var storageCalls = TimeSpan.FromSeconds(StorageCallsPerSend * (builder.Timeout + builder.CommandTimeout));
        if (storageCalls >= TimeSpan.Parse(IAccountGrain.SendTimeout, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName}: Timeout ({builder.Timeout} s) + Command Timeout ({builder.CommandTimeout} s) is too long: " +
                $"{StorageCallsPerSend} storage calls must fit inside a send's grain call ({IAccountGrain.SendTimeout}).");
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// How fast a dead silo is declared dead, which bounds how long its grains (an account, a lock-out, a bind registry)
    /// cannot be reached: until then every call to them fails. Orleans' defaults take 11–16 s; these 3–4 s on an idle host
    /// (docs/reliability.md has the measurements and the trade-off, docs/configuration.md the keys).
    /// </summary>
    public static void FailureDetection(ClusterMembershipOptions options)
    {
        // A probe every ~1 s once round trips are known (the period adapts between half and four times this, and
        // stretches under load). A SIGKILLed silo's refused port is noticed sooner still (RefusedSilos).
        options.ProbeTimeout = TimeSpan.FromSeconds(2);
        options.NumMissedProbesLimit = 3;

        // Direct probes only. An indirect probe goes through another silo, and when that one is dead too (two of three
        // killed) it is inconclusive and the survivor never reaches the limit; votes stay independent either way: with
        // NumVotesForDeathDeclaration 2, two silos must each miss their own probes before a third is declared dead.
        options.EnableIndirectProbes = false;

        // A silo that has not written its heartbeat for 2 s no longer counts towards the votes needed, so the last
        // survivor of three can declare the other two dead alone; the cost is one row update per silo per second.
        options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(1);
        options.NumMissedTableIAmAliveLimit = 2;
    }

    public static void AddTaifaSilo(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var connectionString = StorageMode.Of(builder).ConnectionString;
        var orleans = configuration.GetSection("Orleans");
        var siloPort = orleans.GetValue("Endpoints:SiloPort", EndpointOptions.DEFAULT_SILO_PORT);
        var gatewayPort = orleans.GetValue("Endpoints:GatewayPort", EndpointOptions.DEFAULT_GATEWAY_PORT);
        var advertisedAddress = orleans["Endpoints:AdvertisedIPAddress"];
        var batchedMessages = configuration.GetValue("Taifa:Storage:BatchedMessages", true);

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = orleans["ClusterId"] ?? "taifa";
                options.ServiceId = orleans["ServiceId"] ?? "taifa-gateway";
            });

            // Failure detection: our defaults (a silo that stops answering declared dead in 3–4 s), then Orleans:Membership:* over them.
            silo.Configure<ClusterMembershipOptions>(FailureDetection);
            silo.Configure<ClusterMembershipOptions>(orleans.GetSection("Membership"));

            if (TaifaOptions.BoundAtBuild<OperationsDashboardOptions>(configuration, nameof(TaifaOptions.Dashboard)).Enabled) silo.AddDashboard();

            if (TaifaOptions.BoundAtBuild<KubernetesOptions>(configuration, nameof(TaifaOptions.Kubernetes)).Enabled)
            {
                // Pod name, namespace and IP from the downward API; dead pods' silos are declared dead at once.
                silo.UseKubernetesHosting();
            }

            if (connectionString is null)
            {
                silo.UseLocalhostClustering(siloPort, gatewayPort);
                foreach (var name in GrainStorages) silo.AddMemoryGrainStorage(name);
                silo.UseInMemoryReminderService();
                silo.AddMemoryStreams(DispatchStreams.Provider);
            }
            else
            {
                if (advertisedAddress is { Length: > 0 })
                {
                    silo.ConfigureEndpoints(IPAddress.Parse(advertisedAddress), siloPort, gatewayPort, listenOnAnyHostAddress: true);
                }
                else
                {
                    silo.ConfigureEndpoints(siloPort, gatewayPort, listenOnAnyHostAddress: true);
                }

                silo.UseAdoNetClustering(options =>
                {
                    options.Invariant = Invariant;
                    options.ConnectionString = connectionString;
                });
                foreach (var name in GrainStorages)
                {
                    // Money (accounts) and stream subscriptions stay on the stock ADO.NET provider; message
                    // records and lookups are batched: many grains' writes share one round trip and one commit.
                    if (batchedMessages && BatchedStorages.Contains(name))
                    {
                        silo.AddBatchedPostgresGrainStorage(name, options => options.ConnectionString = connectionString);
                        continue;
                    }

                    silo.AddAdoNetGrainStorage(name, options =>
                    {
                        options.Invariant = Invariant;
                        options.ConnectionString = connectionString;
                    });
                }

                silo.UseAdoNetReminderService(options =>
                {
                    options.Invariant = Invariant;
                    options.ConnectionString = connectionString;
                });

                // Persistent dispatch queues: a message accepted before a silo dies is still delivered after it.
                silo.AddAdoNetStreams(DispatchStreams.Provider, stream =>
                {
                    stream.ConfigureAdoNet(options => options.Configure(o =>
                    {
                        o.Invariant = Invariant;
                        o.ConnectionString = connectionString;
                        // The dispatchers take events into their own durable backlog at once, so expiry only
                        // bites if every dispatcher is down; set far beyond any outage rather than 10 minutes.
                        o.ExpiryTimeout = TimeSpan.FromDays(2);
                        o.DeadLetterEvictionTimeout = TimeSpan.FromDays(30);

                        // An event taken by a silo that then dies is offered again after the visibility timeout:
                        // 20 s rather than a minute bounds how long its messages wait after a SIGKILL (a delivery
                        // is one backlog write, far shorter). Redelivery is harmless (the dispatcher skips what it
                        // holds), so an event is retried until it expires rather than dead-lettered after 5
                        // failed deliveries, which a database restart alone can cause.
                        o.VisibilityTimeout = TimeSpan.FromSeconds(20);
                        o.MaxAttempts = 10_000;
                    }));
                    stream.ConfigurePartitioning(DispatchQueues);
                });
            }
        });
    }
}
