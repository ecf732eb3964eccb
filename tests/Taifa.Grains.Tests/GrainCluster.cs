using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using Taifa.Abstractions;
using Taifa.Abstractions.Dispatch;
using Taifa.Grains.Dispatch;
using Taifa.Domain.Ids;
using Taifa.Grains.Messages;
using Taifa.Grains.Persistence;

namespace Taifa.Grains.Tests;

/// <summary>One in-process test cluster per test collection, with counted account-state writes.</summary>
public sealed class GrainCluster : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(initialSilosCount: 1);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddMemoryGrainStorage(StorageNames.Messages);
            silo.AddMemoryGrainStorage("index-inner");
            silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Index, (services, _) =>
                new CountingStorage(services.GetRequiredKeyedService<IGrainStorage>("index-inner")));
            silo.AddMemoryGrainStorage("accounts-inner");
            silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Accounts, (services, _) =>
                new CountingStorage(services.GetRequiredKeyedService<IGrainStorage>("accounts-inner")));
            silo.UseInMemoryReminderService();
            silo.Services.AddSingleton(TimeProvider.System);
            silo.Services.AddSingleton(new MessageIdGenerator(7, TimeProvider.System));
            silo.Services.AddSingleton<DispatchBacklog>();
            silo.Services.AddSingleton<Taifa.Grains.Inbound.IInboundStore, Taifa.Grains.Inbound.InMemoryInboundStore>();
            silo.Services.AddSingleton<WriteFailures>();
            silo.AddMemoryStreams(DispatchStreams.Provider);
            silo.AddMemoryGrainStorage(StorageNames.PubSub);
            silo.Services.AddOptions<DispatchOptions>().Configure(options =>
            {
                options.Operators["scripted"] = new OperatorOptions
                {
                    NetworkIds = [1, 2, 3], Binds = 2, Window = 10, SubmitIdFormat = OperatorIdFormat.Hex, ReceiptIdFormat = OperatorIdFormat.Hex,
                };
                options.Operators["scripted-one-receipt"] = new OperatorOptions
                {
                    NetworkIds = [4], Window = 10, OneReceiptPerMessage = true, SubmitIdFormat = OperatorIdFormat.Hex, ReceiptIdFormat = OperatorIdFormat.Hex,
                };
                options.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
                options.RetryMaxDelay = TimeSpan.FromMilliseconds(50);
                options.MaxAttempts = 3;
            });
            silo.Services.AddSingleton<OperatorRoutes>();
            silo.Services.AddSingleton<ReceiptRouter>();
            silo.Services.AddSingleton<IOperatorLinks>(ScriptedOperator.Instance);
            silo.Services.AddSingleton<ICustomerNotifier>(RecordingNotifier.Instance);
        }
    }
}

/// <summary>
/// Counts durable writes so tests can see group commit at work, and lets a test put faults into one grain's reads and
/// writes (<see cref="Script"/>); storage itself is the real memory provider. Wraps the accounts and index storages.
/// </summary>
public sealed class CountingStorage(IGrainStorage inner) : IGrainStorage
{
    private static long _writes;
    private static readonly ConcurrentDictionary<GrainId, StorageScript> Scripts = new();

    public static long Writes => Interlocked.Read(ref _writes);

    /// <summary>Until disposed, the grain's reads and writes (clears count as writes) go through the script.</summary>
    public static IDisposable Script(GrainId grain, StorageScript script)
    {
        Scripts[grain] = script;
        return new Unscript(grain);
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Scripts.TryGetValue(grainId, out var script)
            ? script.Read(() => inner.ReadStateAsync(stateName, grainId, grainState))
            : inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        Interlocked.Increment(ref _writes);
        return Scripts.TryGetValue(grainId, out var script)
            ? script.Write(() => inner.WriteStateAsync(stateName, grainId, grainState))
            : inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Scripts.TryGetValue(grainId, out var script)
            ? script.Write(() => inner.ClearStateAsync(stateName, grainId, grainState))
            : inner.ClearStateAsync(stateName, grainId, grainState);

    private sealed class Unscript(GrainId grain) : IDisposable
    {
        public void Dispose() => Scripts.TryRemove(grain, out _);
    }
}

/// <summary>What happens to one grain's storage calls: each gets the real call and decides whether and when to make it.</summary>
public sealed class StorageScript
{
    public Func<Func<Task>, Task> Read { get; init; } = real => real();

    public Func<Func<Task>, Task> Write { get; init; } = real => real();

    /// <summary>Every write fails and nothing is saved, as when the database is down.</summary>
    public static readonly StorageScript RefuseWrites = new() { Write = _ => throw new IOException("test: storage refused the write") };

    /// <summary>A write that reaches storage and then reports failure, as a connection lost after COMMIT does.</summary>
    public static async Task CommitThenFail(Func<Task> real)
    {
        await real();
        throw new IOException("test: connection lost after the write was sent");
    }
}

[CollectionDefinition(Name)]
public sealed class GrainClusterCollection : ICollectionFixture<GrainCluster>
{
    public const string Name = "grain cluster";
}
