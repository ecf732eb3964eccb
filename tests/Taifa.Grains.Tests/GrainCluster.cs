using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using Taifa.Abstractions;
using Taifa.Abstractions.Dispatch;
using Taifa.Grains.Dispatch;
using Taifa.Domain.Ids;
using Taifa.Grains.Messages;
using Taifa.Grains.Ledger;
using Taifa.Grains.Persistence;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Taifa.Abstractions.Messages;

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
            silo.Services.AddSingleton<IMessageLedger>(services =>
                new CountingLedger(InProcessMessageLedger.ForCluster(services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId)));
            silo.UseInMemoryReminderService();
            silo.Services.AddSingleton(TimeProvider.System);
            silo.Services.AddSingleton(new MessageIdGenerator(7, TimeProvider.System));
            silo.Services.AddSingleton<LedgerWriter>();
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
                // Network 7 has two routes (DispatchTests.Failover): "preferred" while it is healthy, else "backup".
                options.Operators["preferred"] = new OperatorOptions { Window = 10, SubmitIdFormat = OperatorIdFormat.Hex, ReceiptIdFormat = OperatorIdFormat.Hex };
                options.Operators["backup"] = new OperatorOptions { Binds = 2, Window = 10, SubmitIdFormat = OperatorIdFormat.Hex, ReceiptIdFormat = OperatorIdFormat.Hex };
                options.Routes["7"] = ["preferred", "backup"];
                options.Failover = new FailoverOptions
                {
                    BindDownAfter = TimeSpan.FromMilliseconds(300),
                    RecoverAfter = TimeSpan.FromMilliseconds(300),
                    ErrorWindow = TimeSpan.FromSeconds(3),
                    MinSubmits = 3,
                };
                options.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
                options.RetryMaxDelay = TimeSpan.FromMilliseconds(50);
                options.MaxAttempts = 3;
            });
            silo.Services.AddSingleton<OperatorRoutes>();
            silo.Services.AddSingleton<ReceiptRouter>();
            silo.Services.AddSingleton<IOperatorLinks>(ScriptedOperator.Instance);
            silo.Services.AddSingleton<ICustomerNotifier>(RecordingNotifier.Instance);
            silo.Services.AddSingleton<IIncomingGrainCallFilter>(FailingCalls.Instance);
        }
    }
}

/// <summary>
/// Counts durable writes so tests can see group commit at work, and lets a test put faults into one grain's reads and
/// writes (<see cref="Script"/>); storage itself is the real memory provider. Wraps the accounts and index storages.
/// </summary>
public sealed class CountingStorage(IGrainStorage inner) : IGrainStorage
{
    private static readonly ConcurrentDictionary<GrainId, StorageScript> Scripts = new();
    private static readonly ConcurrentDictionary<GrainId, long> WritesByGrain = new();

    /// <summary>Durable writes of one grain so far (counted per grain: the suite's classes run side by side).</summary>
    public static long WritesOf(GrainId grain) => WritesByGrain.GetValueOrDefault(grain);

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
        WritesByGrain.AddOrUpdate(grainId, 1, (_, writes) => writes + 1);
        return Scripts.TryGetValue(grainId, out var script)
            ? script.Write(() => inner.WriteStateAsync(stateName, grainId, grainState))
            : inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Scripts.TryGetValue(grainId, out var script)
            ? script.Write(() => inner.ClearStateAsync(stateName, grainId, grainState))
            : inner.ClearStateAsync(stateName, grainId, grainState);

    /// <summary>The script of an account grain, by account id (the ledger knows accounts by id).</summary>
    internal static StorageScript? ForAccount(long accountId) =>
        Scripts.FirstOrDefault(s => s.Key.Type.ToString()!.Contains("account", StringComparison.OrdinalIgnoreCase)
                                    && s.Key.TryGetIntegerKey(out var key, out _) && key == accountId).Value;

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

/// <summary>
/// The cluster's in-process ledger, with its commits counted and an account's ledger calls put through the script its
/// grain has in <see cref="CountingStorage.Script"/> (commits as writes; wallet and message reads as reads).
/// </summary>
public sealed class CountingLedger(IMessageLedger inner) : IMessageLedger
{
    private static readonly ConcurrentDictionary<long, long> CommitsByAccount = new();

    /// <summary>Ledger commits of one account so far (counted per account: the suite's classes run side by side).</summary>
    public static long CommitsOf(long accountId) => CommitsByAccount.GetValueOrDefault(accountId);

    public Task<Wallet?> ReadWallet(long accountId, CancellationToken cancellationToken = default) =>
        Read(accountId, () => inner.ReadWallet(accountId, cancellationToken));

    public async Task<CommitOutcome> Commit(WalletCommit commit, CancellationToken cancellationToken = default)
    {
        CommitsByAccount.AddOrUpdate(commit.AccountId, 1, (_, commits) => commits + 1);
        if (CountingStorage.ForAccount(commit.AccountId) is not { } script) return await inner.Commit(commit, cancellationToken);
        CommitOutcome? outcome = null;
        await script.Write(async () => outcome = await inner.Commit(commit, cancellationToken));
        return outcome ?? throw new InvalidOperationException("the script skipped the commit but reported success");
    }

    public Task<IReadOnlyList<LedgerEntry>> ReadEntries(long accountId, long afterEntryId, int limit, CancellationToken cancellationToken = default) =>
        inner.ReadEntries(accountId, afterEntryId, limit, cancellationToken);

    public Task<IReadOnlyList<LedgerEntry>> ReadEntries(long accountId, DateTimeOffset from, DateTimeOffset to, long afterEntryId, int limit, CancellationToken cancellationToken = default) =>
        inner.ReadEntries(accountId, from, to, afterEntryId, limit, cancellationToken);

    public Task<decimal> ReadBalanceBefore(long accountId, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        inner.ReadBalanceBefore(accountId, at, cancellationToken);

    public async Task<IReadOnlyList<MessageRecord>> FindMessages(IReadOnlyList<long> messageIds, CancellationToken cancellationToken = default)
    {
        var found = await inner.FindMessages(messageIds, cancellationToken);
        foreach (var account in found.Select(r => r.AccountId).Distinct())
        {
            if (CountingStorage.ForAccount(account) is { } script) await script.Read(() => Task.CompletedTask);
        }

        return found;
    }

    public Task<IReadOnlyList<MessageRecord>> ReadHistory(long accountId, MessageHistoryFilter filter, int limit, CancellationToken cancellationToken = default) =>
        inner.ReadHistory(accountId, filter, limit, cancellationToken);

    public Task<IReadOnlyList<DailyStatusCount>> CountByDay(long accountId, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        inner.CountByDay(accountId, from, until, cancellationToken);

    public Task<long> CountQueued(CancellationToken cancellationToken = default) => inner.CountQueued(cancellationToken);

    public Task<IReadOnlyList<MessageRecord>> ReadQueued(string shard, long afterMessageId, int limit, CancellationToken cancellationToken = default) =>
        inner.ReadQueued(shard, afterMessageId, limit, cancellationToken);

    public Task<IReadOnlyList<long>> RecordOutcomes(IReadOnlyList<MessageOutcome> outcomes, CancellationToken cancellationToken = default) =>
        inner.RecordOutcomes(outcomes, cancellationToken);

    public Task<IReadOnlyList<OperatorPart>> RecordReceipts(IReadOnlyList<PartReceipt> receipts, DateTimeOffset acceptedSince, CancellationToken cancellationToken = default) =>
        inner.RecordReceipts(receipts, acceptedSince, cancellationToken);

    public Task<IReadOnlyList<OperatorPart>> FindByOperatorIds(string operatorName, IReadOnlyList<string> operatorIds, DateTimeOffset acceptedSince, CancellationToken cancellationToken = default) =>
        inner.FindByOperatorIds(operatorName, operatorIds, acceptedSince, cancellationToken);

    public Task<IReadOnlyList<RecipientMessage>> FindByRecipient(long accountId, string mobileNumber, DateTimeOffset acceptedSince, DateTimeOffset acceptedBefore, int limit, CancellationToken cancellationToken = default) =>
        inner.FindByRecipient(accountId, mobileNumber, acceptedSince, acceptedBefore, limit, cancellationToken);

    public Task<bool> MapLostPart(long messageId, int part, string operatorName, string operatorId, CancellationToken cancellationToken = default) =>
        inner.MapLostPart(messageId, part, operatorName, operatorId, cancellationToken);

    public Task<IReadOnlyList<RefundDue>> ReadRefundsDue(long accountId, int limit, CancellationToken cancellationToken = default) =>
        inner.ReadRefundsDue(accountId, limit, cancellationToken);

    public Task<IReadOnlyList<FollowUp>> ReadFollowUpsDue(DateTimeOffset now, int limit, CancellationToken cancellationToken = default) =>
        inner.ReadFollowUpsDue(now, limit, cancellationToken);

    public Task RecordFollowUps(IReadOnlyList<FollowUp> followUps, CancellationToken cancellationToken = default) =>
        inner.RecordFollowUps(followUps, cancellationToken);

    public Task<IReadOnlyList<LedgerMessage>> ReadNotHandedOff(long accountId, int limit, CancellationToken cancellationToken = default) =>
        Read(accountId, () => inner.ReadNotHandedOff(accountId, limit, cancellationToken));

    public Task MarkHandedOff(IReadOnlyList<long> messageIds, CancellationToken cancellationToken = default) =>
        inner.MarkHandedOff(messageIds, cancellationToken);

    public Task<IReadOnlyList<MessageRecord>> ReadScheduledDue(DateTimeOffset now, ScheduledPosition? after, int limit, CancellationToken cancellationToken = default) =>
        inner.ReadScheduledDue(now, after, limit, cancellationToken);

    public Task CancelScheduled(IReadOnlyList<long> messageIds, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        inner.CancelScheduled(messageIds, at, cancellationToken);

    public Task<IReadOnlyList<long>> ReadExpiredQueued(DateTimeOffset now, int limit, CancellationToken cancellationToken = default) =>
        inner.ReadExpiredQueued(now, limit, cancellationToken);

    public Task Maintain(DateTimeOffset now, CancellationToken cancellationToken = default) => inner.Maintain(now, cancellationToken);

    private static async Task<T> Read<T>(long accountId, Func<Task<T>> read)
    {
        if (CountingStorage.ForAccount(accountId) is not { } script) return await read();
        T result = default!;
        await script.Read(async () => result = await read());
        return result;
    }
}

/// <summary>Fails the next calls of one method of one grain as a call to a silo that just died fails.</summary>
public sealed class FailingCalls : IIncomingGrainCallFilter
{
    public static readonly FailingCalls Instance = new();

    private readonly ConcurrentDictionary<(GrainId Grain, string Method), int> _toFail = new();

    public void FailNext(GrainId grain, string method, int count) => _toFail[(grain, method)] = count;

    public Task Invoke(IIncomingGrainCallContext context)
    {
        var key = (context.TargetId, context.MethodName);
        if (_toFail.TryGetValue(key, out var left) && left > 0 && _toFail.TryUpdate(key, left - 1, left))
        {
            throw new SiloUnavailableException($"test: the silo of {context.TargetId} died");
        }

        return context.Invoke();
    }
}
