using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Taifa.Abstractions;
using Taifa.Abstractions.Smpp;
using Taifa.Grains.Dispatch;
using Taifa.Grains.Persistence;

namespace Taifa.Grains.Smpp;

[GenerateSerializer, Alias("taifa.smpp-receipt-outbox-state.v1")]
public sealed class SmppReceiptOutboxState
{
    /// <summary>Receipts not yet acknowledged by a session, by message id.</summary>
    [Id(0)] public Dictionary<long, SmppReceipt> Receipts { get; set; } = [];
}

/// <summary>
/// Parks an account's SMPP receipts durably and hands them to its receiving sessions in batches, as much as each
/// session's window takes; the sessions report every deliver_sm_resp back. Nothing here waits for a customer: the
/// one timeout is the session's. Receipts wait while no receiver is bound (a transmitter-only client that asks for
/// them), for at most <see cref="DispatchOptions.SmppReceiptRetention"/> and <see cref="MaxParked"/> of them.
/// Reentrant with group commit: every change is made synchronously and joins the next write.
/// </summary>
[Reentrant]
public sealed partial class SmppReceiptOutboxGrain(
    [PersistentState("smpp-receipts", StorageNames.Messages)] IPersistentState<SmppReceiptOutboxState> state,
    IOptions<DispatchOptions> options,
    TimeProvider time,
    ILogger<SmppReceiptOutboxGrain> logger) : Grain, ISmppReceiptOutboxGrain, IRemindable
{
    /// <summary>The state is written whole: a bound on how large it grows for a client that never binds a receiver.</summary>
    internal const int MaxParked = 20_000;

    private const string RetryReminder = "deliver";
    private const int BatchSize = 64;
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(2);

    // Longer than a session waits for its deliver_sm_resp: only a report that was lost on the way ends up here.
    private static readonly TimeSpan ReportLost = TimeSpan.FromSeconds(30);

    // Reaching a session's host, which only fills the session's window: the delivery's own timeout is the session's.
    private static readonly TimeSpan HostCallTimeout = TimeSpan.FromSeconds(5);

    private readonly LinkedList<long> _waiting = new();
    private readonly Dictionary<long, DateTimeOffset> _inFlight = [];
    private GroupCommit? _commit;
    private IGrainTimer? _retry;
    private bool _pumping;
    private bool _pumpAgain;
    private bool _reminderRegistered;

    private long AccountId => this.GetPrimaryKeyLong();

    private GroupCommit Commit => _commit ??= new GroupCommit(state.WriteLiveAsync, failureIsFinal: false);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var messageId in state.State.Receipts.Keys.Order()) _waiting.AddLast(messageId);
        if (_waiting.Count > 0)
        {
            _reminderRegistered = true;
            StartRetries();
        }

        await base.OnActivateAsync(cancellationToken);
    }

    public async Task Park(SmppReceipt receipt)
    {
        if (Expired(receipt))
        {
            LogExpired(AccountId, receipt.MessageId);
            return;
        }

        if (state.State.Receipts.TryAdd(receipt.MessageId, receipt))
        {
            _waiting.AddLast(receipt.MessageId);
            DropOldestBeyondLimit();
        }

        await Commit.Commit();
        _ = Pump();
        if (!_reminderRegistered)
        {
            // Across restarts: a reminder brings the activation back to offer what waits again.
            _reminderRegistered = true;
            await this.RegisterOrUpdateReminder(RetryReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        }
    }

    public Task ReceiverBound() => Pump();

    public async Task Settled(long messageId, bool delivered)
    {
        var wasInFlight = _inFlight.Remove(messageId);
        if (delivered)
        {
            // Also a report this activation did not expect (it was sent by an earlier one): never send it again.
            if (state.State.Receipts.Remove(messageId))
            {
                if (!wasInFlight) _waiting.Remove(messageId);
                _ = Commit.Commit().ContinueWith(static _ => { }, TaskScheduler.Current);
            }

            await Pump();
        }
        else if (wasInFlight && state.State.Receipts.ContainsKey(messageId))
        {
            // Refused or unanswered: offered again by the next retry, after the others waiting.
            _waiting.AddLast(messageId);
            StartRetries();
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        _reminderRegistered = true;
        await Pump();
        if (state.State.Receipts.Count == 0) DeactivateOnIdle();
    }

    /// <summary>Offers what waits to the account's receiving sessions, each taking as much as its window has room for.</summary>
    private async Task Pump()
    {
        if (_pumping)
        {
            _pumpAgain = true;
            return;
        }

        _pumping = true;
        try
        {
            do
            {
                _pumpAgain = false;
                RequeueLostReports();
                DropExpired();
                if (_waiting.Count == 0) break;
                await OfferToReceivers();
            }
            while (_pumpAgain);
        }
        catch (Exception exception)
        {
            // The registry's silo died, say: the short timer offers again (a bind meanwhile only asked to pump again).
            LogPumpFailed(exception, AccountId);
            StartRetries();
        }
        finally
        {
            _pumping = false;
            StopWhenEmpty();
        }
    }

    private async Task OfferToReceivers()
    {
        // None bound: what waits is offered again when one binds (ReceiverBound), or by the reminder.
        var receivers = await GrainFactory.GetGrain<ISmppBindRegistryGrain>(AccountId).Receivers();
        foreach (var binding in receivers)
        {
            while (_waiting.Count > 0)
            {
                var batch = _waiting.Take(BatchSize).ToList();
                ReceiptHandoff handoff;
                try
                {
                    handoff = await binding.Host.DeliverReceipts(binding.SessionId, [.. batch.Select(id => state.State.Receipts[id])]).WaitAsync(HostCallTimeout);
                }
                catch (Exception exception) when (exception is TimeoutException or OrleansException)
                {
                    // Never evicted for being slow; only a silo known dead loses its sessions at once (else at lease expiry).
                    LogHostUnreachable(exception, AccountId, binding.Silo);
                    if (exception is SiloUnavailableException) await GrainFactory.GetGrain<ISmppBindRegistryGrain>(AccountId).Unbound(binding.SessionId);
                    break;
                }

                var now = time.GetUtcNow();
                foreach (var messageId in batch.Take(handoff.Taken))
                {
                    _waiting.Remove(messageId);
                    _inFlight[messageId] = now;
                }

                if (handoff.Taken > 0) StartRetries();

                // A full window (or a session that cannot receive): the next session, or the next retry.
                if (handoff.Taken < batch.Count) break;
            }
        }

        if (_waiting.Count > 0 && receivers.Count > 0) StartRetries();
    }

    private void RequeueLostReports()
    {
        var cutoff = time.GetUtcNow() - ReportLost;
        foreach (var (messageId, sentAt) in _inFlight.Where(e => e.Value < cutoff).ToList())
        {
            _inFlight.Remove(messageId);
            if (state.State.Receipts.ContainsKey(messageId)) _waiting.AddFirst(messageId);
        }
    }

    private bool Expired(SmppReceipt receipt) => time.GetUtcNow() - receipt.DoneAt > options.Value.SmppReceiptRetention;

    private void DropExpired()
    {
        var dropped = false;
        for (var node = _waiting.First; node is not null;)
        {
            var next = node.Next;
            if (Expired(state.State.Receipts[node.Value]))
            {
                LogExpired(AccountId, node.Value);
                state.State.Receipts.Remove(node.Value);
                _waiting.Remove(node);
                dropped = true;
            }

            node = next;
        }

        if (dropped) _ = Commit.Commit().ContinueWith(static _ => { }, TaskScheduler.Current);
    }

    private void DropOldestBeyondLimit()
    {
        while (state.State.Receipts.Count > MaxParked && _waiting.First is { } oldest)
        {
            LogDroppedOverLimit(AccountId, oldest.Value, MaxParked);
            state.State.Receipts.Remove(oldest.Value);
            _waiting.RemoveFirst();
        }
    }

    /// <summary>A short timer while sessions are bound but busy; the reminder (every minute) covers the rest.</summary>
    private void StartRetries()
    {
        _retry ??= this.RegisterGrainTimer(Pump, new GrainTimerCreationOptions(RetryEvery, RetryEvery));
    }

    /// <summary>Nothing left to offer or to hear back about: the timer stops.</summary>
    private void StopWhenEmpty()
    {
        if (_waiting.Count > 0 || _inFlight.Count > 0) return;
        _retry?.Dispose();
        _retry = null;
    }

    /// <summary>The reminder stays while the activation lives (an outbox empties and fills again all day); an empty one leaves with it.</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_reminderRegistered && state.State.Receipts.Count == 0)
        {
            try
            {
                if (await this.GetReminder(RetryReminder, cancellationToken) is { } reminder) await this.UnregisterReminder(reminder, cancellationToken);
            }
            catch (Exception exception)
            {
                // A reminder left behind only wakes an empty outbox, which then tries again to remove it.
                LogPumpFailed(exception, AccountId);
            }
        }

        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: no receiver session acknowledged the SMPP receipt of message {MessageId} within the retention; dropped")]
    private partial void LogExpired(long accountId, long messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: SMPP receipt of message {MessageId} dropped, {Limit} receipts are already waiting for a receiver session")]
    private partial void LogDroppedOverLimit(long accountId, long messageId, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: SMPP session host on {Silo} did not take receipts")]
    private partial void LogHostUnreachable(Exception exception, long accountId, string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: offering SMPP receipts failed; will retry")]
    private partial void LogPumpFailed(Exception exception, long accountId);
}
