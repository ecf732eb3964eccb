using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Streams;
using Orleans.Streams.Core;
using Taifa.Abstractions;
using Taifa.Abstractions.Dispatch;
using Taifa.Abstractions.Messages;
using Taifa.Grains.Ledger;
using Taifa.Grains.Persistence;
using Taifa.Grains.Telemetry;

namespace Taifa.Grains.Dispatch;

[GenerateSerializer, Alias("taifa.dispatcher-state.v1")]
public sealed class DispatcherState
{
    /// <summary>
    /// Message ids a dispatcher kept before the message table was the queue, not yet settled. Nothing is added any
    /// more (a queued row is the durable record of a message to dispatch); a state from before the change empties as
    /// they settle.
    /// </summary>
    [Id(0)] public List<long> Backlog { get; set; } = [];
}

/// <summary>
/// One shard of one operator: takes accepted messages off its stream (at once: their queued rows in the message table
/// are the durable queue, read again on activation and every 30 s, so an operator outage of any length never holds
/// up stream delivery and nothing is written per batch), and hands them to the operator over the shard's bind,
/// up to the bind's window at a time. Every message is settled exactly once in its own grain: submitted,
/// or rejected/failed and refunded; a repeated stream event finds the message already settled and is skipped.
/// While its route fails over (<see cref="RouteHealth"/>) it hands the messages of networks with another route to the
/// first healthy one of them (<see cref="IOperatorDispatcherGrain.Carry"/>), which submits them under its own name.
/// </summary>
[ImplicitStreamSubscription(DispatchStreams.Namespace)]
[Reentrant]
public sealed partial class OperatorDispatcherGrain : Grain, IOperatorDispatcherGrain, IStreamSubscriptionObserver, IAsyncObserver<DispatchBatch>, IDisposable
{
    private static readonly TimeSpan NotBoundPoll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ThrottledPause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ClaimedElsewherePause = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SaveRetryMaxDelay = TimeSpan.FromSeconds(5);

    // How often the shard's queued rows are read again, and how old a row must be to count as missed by the stream.
    private static readonly TimeSpan QueueSweepPeriod = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StreamGrace = TimeSpan.FromSeconds(10);
    private const int QueuePage = 1000;

    // Failover: how often the bind's health is looked at, how many messages go to another route in one call, and how
    // long a network's messages wait on this route when no other route took them.
    private static readonly TimeSpan HealthPeriod = TimeSpan.FromMilliseconds(500);
    private const int HandOverBatch = 500;
    private static readonly TimeSpan NoRoutePause = TimeSpan.FromSeconds(1);
    private const int UnknownNetwork = -1;
    private readonly Guid _instance = Guid.NewGuid();

    private readonly IPersistentState<DispatcherState> _state;
    private readonly IOperatorLinks _links;
    private readonly IMessageLedger _ledger;
    private readonly OperatorRoutes _routes;
    private readonly ReceiptRouter _receipts;
    private readonly DispatchOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<OperatorDispatcherGrain> _logger;
    private readonly GroupCommit _commit;
    private readonly HashSet<long> _unsettled = [];

    // Taken from the ledger's queued rows rather than the stream: a record found settled brings its row up to date.
    private readonly HashSet<long> _fromLedger = [];
    private readonly Queue<long> _toStart = new();
    private readonly Dictionary<long, int> _dispatchFailures = [];
    private readonly ConcatenationReferences _references = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _work = new(0);

    // The network of each unsettled message, where known (from the stream, the ledger, or its record).
    private readonly Dictionary<long, int> _networks = [];
    private readonly List<long> _toHandOver = [];
    private readonly Dictionary<int, DateTimeOffset> _noRouteUntil = [];

    // Per network this route is preferred for: the route that last took its messages while this one fails over.
    private readonly Dictionary<int, string> _carriedBy = [];
    private long _handedOver;
    private string _operator = "";
    private OperatorOptions _route = new();
    private IOperatorLink? _link;
    private RouteHealth _health = null!;

    // Networks whose messages this route may hand to another route, and those it is the preferred route of.
    private HashSet<int> _withOtherRoutes = [];
    private int[] _preferredFor = [];
    private Task _pump = Task.CompletedTask;
    private Task _sweep = Task.CompletedTask;
    private Task _watch = Task.CompletedTask;

    public OperatorDispatcherGrain(
        [PersistentState("dispatcher", StorageNames.Index)] IPersistentState<DispatcherState> state,
        IOperatorLinks links,
        IMessageLedger ledger,
        OperatorRoutes routes,
        ReceiptRouter receipts,
        IOptions<DispatchOptions> options,
        TimeProvider time,
        ILogger<OperatorDispatcherGrain> logger)
    {
        _state = state;
        _links = links;
        _ledger = ledger;
        _routes = routes;
        _receipts = receipts;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _commit = new GroupCommit(WriteBacklog, failureIsFinal: false);
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_operator, var shard) = DispatchStreams.ParseKey(this.GetPrimaryKeyString());
        if (!_routes.Operators.Contains(_operator, StringComparer.OrdinalIgnoreCase))
        {
            LogUnknownOperator(_operator, _state.State.Backlog.Count);
            return Task.CompletedTask;
        }

        _route = _routes[_operator];
        _health = new RouteHealth(_routes.Failover, _time);
        var routed = _routes.Networks.Select(n => (Network: n, Routes: _routes.RoutesFor(n))).Where(n => n.Routes.Any(IsSelf)).ToList();
        _withOtherRoutes = [.. routed.Where(n => n.Routes.Count > 1).Select(n => n.Network)];
        _preferredFor = [.. routed.Where(n => IsSelf(n.Routes[0])).Select(n => n.Network)];
        foreach (var messageId in _state.State.Backlog) Enqueue(messageId);
        _link = _links.Open(_operator, shard,
            receipt => _receipts.RouteAsync(_operator, receipt with { ErrorCode = OperatorErrorCodes.Normalize(receipt.ErrorCode) }));
        _pump = Pump();
        _sweep = SweepQueue();
        _watch = WatchRoute();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        _work.Release();
        await _pump.ContinueWith(_ => { }, TaskScheduler.Current);
        await _sweep.ContinueWith(_ => { }, TaskScheduler.Current);
        await _watch.ContinueWith(_ => { }, TaskScheduler.Current);
        TaifaMetrics.RouteGone(this.GetPrimaryKeyString());
        if (_link is not null) await _link.DisposeAsync();
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _work.Dispose();
    }

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => handleFactory.Create<DispatchBatch>().ResumeAsync(this);

    public Task EnsureRunning() => Task.CompletedTask;

    public Task OnNextAsync(DispatchBatch item, StreamSequenceToken? token = null)
    {
        foreach (var message in item.Messages) Enqueue(message.MessageId, message.NetworkId);
        _work.Release();
        return Task.CompletedTask;
    }

    public Task<bool> Carry(int networkId, IReadOnlyList<long> messageIds)
    {
        if (_link is null) return Task.FromResult(false);
        ObserveRoute();
        if (!_health.Healthy) return Task.FromResult(false);
        foreach (var messageId in messageIds) Enqueue(messageId, networkId);
        _work.Release();
        return Task.FromResult(true);
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    private bool Enqueue(long messageId, int? networkId = null)
    {
        if (networkId is { } network) _networks[messageId] = network;
        if (!_unsettled.Add(messageId)) return false;
        _toStart.Enqueue(messageId);
        return true;
    }

    /// <summary>Back to the queue: the pump hands it to another route, or starts it here again.</summary>
    private void Requeue(long messageId)
    {
        _toStart.Enqueue(messageId);
        _work.Release();
    }

    /// <summary>Settled here, or carried by another route now: no longer this shard's to dispatch.</summary>
    private void Forget(long messageId)
    {
        _unsettled.Remove(messageId);
        _fromLedger.Remove(messageId);
        _dispatchFailures.Remove(messageId);
        _networks.Remove(messageId);
    }

    private bool IsSelf(string operatorName) => operatorName.Equals(_operator, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// True when a message should go to another route: this one fails over and the message's network has another,
    /// and no route has just refused that network. A message whose network is not known yet (<see cref="UnknownNetwork"/>)
    /// is looked up by <see cref="HandOver"/>.
    /// </summary>
    private bool HandOverWanted(long messageId)
    {
        if (_withOtherRoutes.Count == 0 || !_health.FailingOver) return false;
        var network = _networks.GetValueOrDefault(messageId, UnknownNetwork);
        return (network == UnknownNetwork || _withOtherRoutes.Contains(network)) && _time.GetUtcNow() >= _noRouteUntil.GetValueOrDefault(network);
    }

    /// <summary>
    /// The backlog from before the message table was the queue, rewritten whole from what is live, so a failed write is simply retried by the next one. The
    /// failed write may still have landed, though, which would make every later write a version conflict: read the
    /// stored version back first (keeping the live list), so an outage of the database never stops dispatch for good.
    /// </summary>
    private async Task WriteBacklog()
    {
        var live = _state.State.Backlog.Where(_unsettled.Contains).ToList();
        _state.State.Backlog = live;
        try
        {
            await _state.WriteStateAsync();
        }
        catch (Exception exception)
        {
            LogBacklogWriteFailed(exception, _operator);
            try
            {
                await _state.ReadStateAsync();
            }
            catch
            {
                // Still unreachable: the next write tries again, and reads back again if it fails.
            }

            _state.State.Backlog = live;
            throw;
        }
    }

    /// <summary>
    /// The message table is the durable queue: on activation (a start, or a takeover after a silo died) and then every
    /// <see cref="QueueSweepPeriod"/>, the shard's queued rows join the in-memory queue, so a stream event that was lost or is
    /// late delays its messages by a period at most. A row younger than <see cref="StreamGrace"/> waits for its event.
    /// </summary>
    private async Task SweepQueue()
    {
        var first = true;
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                var shard = this.GetPrimaryKeyString();
                var missedBefore = _time.GetUtcNow() - (first ? TimeSpan.Zero : StreamGrace);
                var found = 0;
                for (long after = 0; ;)
                {
                    var page = await _ledger.ReadQueued(shard, after, QueuePage, _stopping.Token);
                    foreach (var row in page.Where(r => r.AcceptedAt <= missedBefore))
                    {
                        if (!Enqueue(row.MessageId, row.NetworkId)) continue;
                        _fromLedger.Add(row.MessageId);
                        found++;
                    }

                    if (page.Count < QueuePage) break;
                    after = page[^1].MessageId;
                }

                if (found > 0)
                {
                    LogQueuedRowsTaken(found, shard);
                    _work.Release();
                }

                first = false;
                await Task.Delay(QueueSweepPeriod, _time, _stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogQueueSweepFailed(_operator, exception.GetType().Name, exception.Message.Split('\n', 2)[0].TrimEnd());
                await Task.Delay(QueueSweepPeriod, _time, _stopping.Token).ContinueWith(_ => { }, TaskScheduler.Current);
            }
        }
    }

    /// <summary>Starts up to a window of dispatches at a time, oldest first, for as long as the activation lives.</summary>
    private async Task Pump()
    {
        var window = new SemaphoreSlim(Math.Max(1, _route.Window));
        var running = new List<Task>();
        while (!_stopping.IsCancellationRequested)
        {
            if (!_toStart.TryDequeue(out var messageId))
            {
                if (_toHandOver.Count > 0) await HandOver();
                else await _work.WaitAsync(TimeSpan.FromSeconds(1));
                continue;
            }

            if (!_unsettled.Contains(messageId)) continue;
            if (HandOverWanted(messageId))
            {
                _toHandOver.Add(messageId);
                if (_toHandOver.Count >= HandOverBatch) await HandOver();
                continue;
            }

            if (!await window.WaitAsync(Timeout.Infinite, _stopping.Token).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Current))
            {
                break;
            }

            running.Add(DispatchOne(messageId).ContinueWith(_ => window.Release(), TaskScheduler.Current));
            running.RemoveAll(t => t.IsCompleted);
        }

        await Task.WhenAll(running);
    }

    private async Task DispatchOne(long messageId)
    {
        try
        {
            // Claimed only once it can be submitted at once: until then its customer may still cancel it.
            while (_link is not { IsBound: true } || HandOverWanted(messageId))
            {
                if (HandOverWanted(messageId))
                {
                    Requeue(messageId);
                    return;
                }

                await Task.Delay(NotBoundPoll, _time, _stopping.Token);
            }

            var message = GrainFactory.GetGrain<IMessageGrain>(messageId);
            var claim = await message.ClaimDispatch(_instance);
            if (claim is { Record: null, Settled: false })
            {
                // Another activation of this dispatcher holds it (a failover overlap): look again later, never drop it.
                await Task.Delay(ClaimedElsewherePause, _time, _stopping.Token);
                _toStart.Enqueue(messageId);
                _work.Release();
                return;
            }

            if (claim.Record is { } record)
            {
                if (!await Settle(message, record))
                {
                    // Released so the route that takes it claims it at once (failing that, the claim lapses within its lease).
                    await message.ReleaseClaim(_instance).ContinueWith(_ => { }, TaskScheduler.Current);
                    Requeue(messageId);
                    return;
                }
            }
            else if (_fromLedger.Contains(messageId))
            {
                await message.RecordInLedger();
            }

            Forget(messageId);
            if (_state.State.Backlog.Count > 0) _ = _commit.Commit().ContinueWith(_ => { }, TaskScheduler.Current);
        }
        catch (Exception exception) when (!_stopping.IsCancellationRequested)
        {
            // The message grain could not be reached (the operator's answers are settled in Settle): back off, so a
            // message that keeps failing costs less and less of the window.
            var failures = _dispatchFailures[messageId] = _dispatchFailures.GetValueOrDefault(messageId) + 1;
            LogDispatchFailed(exception, messageId, _operator);
            await Task.Delay(Backoff(failures), _time, CancellationToken.None);
            _toStart.Enqueue(messageId);
            _work.Release();
        }
        catch (OperationCanceledException)
        {
            // Deactivating: its queued row brings the message back to the next activation (SweepQueue).
        }
    }

    /// <summary>Submits the message until it is settled (true), or until it should go to another route with none of
    /// its parts taken here (false).</summary>
    private async Task<bool> Settle(IMessageGrain message, MessageRecord record)
    {
        _networks[record.MessageId] = record.NetworkId;
        var accepted = new List<string>();
        var attempts = 0;
        var firstAttempt = true;
        // One reference for every attempt, so parts sent on a retry join those accepted before.
        var reference = record is { Segment: null, Parts: > 1 } ? _references.Next(record.MobileNumber) : (byte)0;
        while (true)
        {
            _stopping.Token.ThrowIfCancellationRequested();
            if (record.ExpiresAt is { } expiresAt && _time.GetUtcNow() >= expiresAt)
            {
                // Not taken in time: the parts the operator never took are refunded, as for a failure.
                LogExpired(record.MessageId, _operator, expiresAt, accepted.Count, record.Parts);
                await UntilSaved(record.MessageId, () => message.Abandon(MessageStatus.Expired, null, accepted, _operator));
                return true;
            }

            if (accepted.Count == 0 && HandOverWanted(record.MessageId)) return false;
            if (_link is not { IsBound: true })
            {
                await Task.Delay(NotBoundPoll, _time, _stopping.Token);
                continue;
            }

            if (!firstAttempt)
            {
                // Renew the claim before another attempt; if another activation took it over, it settles the message.
                if ((await message.ClaimDispatch(_instance)).Record is null) return true;
            }

            firstAttempt = false;
            var result = await SubmitAsync(_link, record, accepted.Count, reference);
            TaifaMetrics.OperatorSubmit(_operator, result.Outcome.ToString().ToLowerInvariant());
            if (result.Outcome is not (SubmissionOutcome.Throttled or SubmissionOutcome.NotBound))
            {
                _health.Submitted(result.Outcome == SubmissionOutcome.TemporaryFailure);
            }

            var errorCode = OperatorErrorCodes.Normalize(result.ErrorCode);
            // The operator ids reach the ledger's map with the message's submitted (or final) state, before its record
            // has it; a receipt that comes sooner is refused and redelivered.
            accepted.AddRange(result.AcceptedPartIds);

            switch (result.Outcome)
            {
                case SubmissionOutcome.Accepted:
                    await UntilSaved(record.MessageId, () => message.Submitted(_operator, accepted));
                    TaifaMetrics.Dispatched(_operator, _time.GetUtcNow() - record.AcceptedAt);
                    return true;
                case SubmissionOutcome.PermanentRejection:
                    LogGivenUp(record.MessageId, _operator, MessageStatus.Rejected, errorCode, result.Detail);
                    await UntilSaved(record.MessageId, () => message.Abandon(MessageStatus.Rejected, errorCode, accepted, _operator));
                    return true;
                case SubmissionOutcome.TemporaryFailure when accepted.Count == 0 && HandOverWanted(record.MessageId):
                    // The route fails over: the next one tries it, rather than this one failing it.
                    return false;
                case SubmissionOutcome.TemporaryFailure when ++attempts >= _options.MaxAttempts:
                    LogGivenUp(record.MessageId, _operator, MessageStatus.Failed, errorCode, result.Detail);
                    await UntilSaved(record.MessageId, () => message.Abandon(MessageStatus.Failed, errorCode, accepted, _operator));
                    return true;
                case SubmissionOutcome.TemporaryFailure:
                    LogTemporaryFailure(record.MessageId, _operator, attempts, errorCode, result.Detail);
                    await Task.Delay(Backoff(attempts), _time, _stopping.Token);
                    break;
                case SubmissionOutcome.Throttled:
                    await Task.Delay(ThrottledPause, _time, _stopping.Token);
                    break;
                default:
                    await Task.Delay(NotBoundPoll, _time, _stopping.Token);
                    break;
            }
        }
    }

    /// <summary>
    /// Hands the gathered messages to the other routes of their networks, in order of preference, each to the shard
    /// of that route that would carry it; a route that is not healthy refuses and the next is asked. What no route
    /// takes waits here (<see cref="NoRoutePause"/> before it is offered again). A handed message leaves this shard; its
    /// queued row (of this shard) stays its durable record, so while it is queued the sweep finds it again and offers it
    /// again (the taker ignores what it holds; a taker that died meanwhile gets it back), and once this route is healthy
    /// it may take it back, the claim keeping it to one submit.
    /// </summary>
    private async Task HandOver()
    {
        var batch = _toHandOver.Distinct().Where(_unsettled.Contains).ToList();
        _toHandOver.Clear();
        var left = new List<long>(batch);
        try
        {
            await ResolveNetworks(batch);
            foreach (var network in batch.Where(_networks.ContainsKey).GroupBy(id => _networks[id]))
            {
                List<long> waiting = [.. network];
                foreach (var route in _routes.RoutesFor(network.Key).Where(r => !IsSelf(r)))
                {
                    foreach (var shard in waiting.GroupBy(id => _routes.ShardKey(route, id)).ToList())
                    {
                        if (!await CarriedBy(shard.Key, network.Key, [.. shard])) continue;
                        foreach (var messageId in shard) Forget(messageId);
                        _carriedBy[network.Key] = route;
                        TaifaMetrics.HandedOver(_operator, route, shard.Count());
                        _handedOver += shard.Count();
                        LogHandedOver(shard.Count(), network.Key, this.GetPrimaryKeyString(), shard.Key, _health.Reason);
                    }

                    waiting.RemoveAll(id => !_unsettled.Contains(id));
                    if (waiting.Count == 0) break;
                }

                if (waiting.Count > 0) _noRouteUntil[network.Key] = _time.GetUtcNow() + NoRoutePause;
            }

            left.RemoveAll(id => !_unsettled.Contains(id));
            if (left.Count < batch.Count && _state.State.Backlog.Count > 0) _ = _commit.Commit().ContinueWith(_ => { }, TaskScheduler.Current);
        }
        catch (Exception exception) when (!_stopping.IsCancellationRequested)
        {
            LogHandOverFailed(_operator, exception.GetType().Name, exception.Message.Split('\n', 2)[0].TrimEnd());
            foreach (var network in left.Select(id => _networks.GetValueOrDefault(id, UnknownNetwork)).Distinct()) _noRouteUntil[network] = _time.GetUtcNow() + NoRoutePause;
        }

        foreach (var messageId in left) _toStart.Enqueue(messageId);
    }

    /// <summary>Finds the network of messages known by id alone (a backlog read back on activation); a message no
    /// longer queued is settled already and leaves the shard, as <see cref="DispatchOne"/> would find it.</summary>
    private async Task ResolveNetworks(List<long> batch)
    {
        foreach (var chunk in batch.Where(id => !_networks.ContainsKey(id)).Chunk(50).ToList())
        {
            var records = await Task.WhenAll(chunk.Select(id => GrainFactory.GetGrain<IMessageGrain>(id).Get()));
            for (var i = 0; i < chunk.Length; i++)
            {
                if (records[i] is { Status: MessageStatus.Queued } record)
                {
                    _networks[chunk[i]] = record.NetworkId;
                    continue;
                }

                if (_fromLedger.Contains(chunk[i])) await GrainFactory.GetGrain<IMessageGrain>(chunk[i]).RecordInLedger();
                Forget(chunk[i]);
            }
        }
    }

    private async Task<bool> CarriedBy(string shard, int networkId, IReadOnlyList<long> messageIds)
    {
        try
        {
            return await GrainFactory.GetGrain<IOperatorDispatcherGrain>(shard).Carry(networkId, messageIds);
        }
        catch (Exception exception) when (!_stopping.IsCancellationRequested)
        {
            LogCarryFailed(shard, exception.GetType().Name, exception.Message.Split('\n', 2)[0].TrimEnd());
            return false;
        }
    }

    /// <summary>Looks at the bind every <see cref="HealthPeriod"/>, so an outage is timed from its start even with nothing to send.</summary>
    private async Task WatchRoute()
    {
        while (!_stopping.IsCancellationRequested)
        {
            ObserveRoute();
            try
            {
                await Task.Delay(HealthPeriod, _time, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The bind's state into the route's health; logs a change of route and publishes the gauges.</summary>
    private void ObserveRoute()
    {
        if (_health.Observe(_link is { IsBound: true }))
        {
            if (_health.FailingOver)
            {
                LogFailingOver(this.GetPrimaryKeyString(), _health.Reason, _withOtherRoutes.Count > 0
                    ? "the messages of networks with another route go to the next healthy one"
                    : "no network has another route, so its messages wait here");
            }
            else
            {
                LogRecovered(this.GetPrimaryKeyString(), _handedOver);
                _carriedBy.Clear();
                _handedOver = 0;
            }

            _work.Release();
        }

        TaifaMetrics.Route(this.GetPrimaryKeyString(), _operator, _health.Healthy,
            [.. _preferredFor.SelectMany(network => _routes.RoutesFor(network).Select(route =>
                (network, route, Active: IsSelf(route) ? !_health.FailingOver || !_carriedBy.ContainsKey(network) : _health.FailingOver && _carriedBy.GetValueOrDefault(network) == route)))]);
    }

    /// <summary>
    /// The link's answer; a link that throws instead of answering counts as a temporary failure, one of the
    /// message's <see cref="DispatchOptions.MaxAttempts"/>, so no message can hold its window slot forever.
    /// </summary>
    private async Task<OperatorSubmission> SubmitAsync(IOperatorLink link, MessageRecord record, int firstPart, byte reference)
    {
        try
        {
            return await link.SubmitAsync(record, firstPart, reference, _stopping.Token);
        }
        catch (Exception exception) when (!_stopping.IsCancellationRequested)
        {
            LogSubmitThrew(exception, record.MessageId, _operator);
            return new OperatorSubmission(SubmissionOutcome.TemporaryFailure, [], OperatorErrorCodes.Unknown, exception.Message);
        }
    }

    private TimeSpan Backoff(int attempts) =>
        TimeSpan.FromTicks(Math.Min(_options.RetryMaxDelay.Ticks, _options.RetryBaseDelay.Ticks << Math.Min(Math.Max(attempts, 1) - 1, 20)));

    /// <summary>
    /// Records what the operator answered, retrying until it is saved: starting the dispatch over instead would submit
    /// a message the operator has already taken a second time. Only a deactivation gives up (the next one resubmits).
    /// </summary>
    private async Task UntilSaved(long messageId, Func<Task> step)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await step();
                return;
            }
            catch (Exception exception) when (!_stopping.IsCancellationRequested)
            {
                LogSaveFailed(exception, messageId, _operator);
                var pause = TimeSpan.FromTicks(Math.Min(SaveRetryMaxDelay.Ticks, _options.RetryBaseDelay.Ticks << Math.Min(attempt, 20)));
                await Task.Delay(pause, _time, _stopping.Token);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dispatcher {Shard}: {Count} queued messages found in the ledger that no stream event had brought")]
    private partial void LogQueuedRowsTaken(int count, string shard);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatcher for {Operator}: reading its queued messages failed ({Error}: {Reason}); will retry")]
    private partial void LogQueueSweepFailed(string @operator, string error, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId}: saving {Operator}'s answer failed; retrying (the message is not submitted again)")]
    private partial void LogSaveFailed(Exception exception, long messageId, string @operator);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dispatcher for unknown operator {Operator} holds {Count} messages; add the operator back to configuration")]
    private partial void LogUnknownOperator(string @operator, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatcher for {Operator}: saving its backlog failed; the next change writes it again")]
    private partial void LogBacklogWriteFailed(Exception exception, string @operator);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Submitting message {MessageId} to {Operator} threw; counted as a temporary failure")]
    private partial void LogSubmitThrew(Exception exception, long messageId, string @operator);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Message {MessageId}: {Operator} failed attempt {Attempt} with {ErrorCode} ({Detail}); retrying")]
    private partial void LogTemporaryFailure(long messageId, string @operator, int attempt, string? errorCode, string? detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} expired at {ExpiresAt:u} before {Operator} took it ({Accepted} of {Parts} parts taken)")]
    private partial void LogExpired(long messageId, string @operator, DateTimeOffset expiresAt, int accepted, int parts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId}: {Operator} answered {ErrorCode} ({Detail}); the message is {Status}")]
    private partial void LogGivenUp(long messageId, string @operator, MessageStatus status, string? errorCode, string? detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatcher {Shard} fails over ({Reason}): {WhatHappens}")]
    private partial void LogFailingOver(string shard, string reason, string whatHappens);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dispatcher {Shard} is healthy again and takes its traffic back ({Count} messages were handed to other routes meanwhile)")]
    private partial void LogRecovered(string shard, long count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Count} messages of network {NetworkId} handed from {Shard} to {Carrier} ({Reason})")]
    private partial void LogHandedOver(int count, int networkId, string shard, string carrier, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatcher for {Operator}: handing messages to another route failed ({Error}: {Reason}); they wait here and are offered again")]
    private partial void LogHandOverFailed(string @operator, string error, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatcher {Shard} could not be asked to carry messages ({Error}: {Reason}); the next route is asked")]
    private partial void LogCarryFailed(string shard, string error, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatching message {MessageId} to {Operator} failed; will retry")]
    private partial void LogDispatchFailed(Exception exception, long messageId, string @operator);
}
