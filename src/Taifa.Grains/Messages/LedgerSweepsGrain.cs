using Microsoft.Extensions.Logging;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Messages;
using Taifa.Grains.Ledger;

namespace Taifa.Grains.Messages;

/// <summary>
/// The ledger's time-driven walks, one activation in the cluster. It walks the due scheduled messages in send-time order and gives each batch to its accounts, which queue and hand them
/// off like fresh sends (the hand-off is what makes a row queued in the ledger). A message stays scheduled in the
/// ledger until then, so the walk starts again from the first due one now and then and after any failure: an account
/// that lost what it was given (its activation died) gets it again, and one that holds it skips it.
/// Every few seconds it also expires the queued messages whose validity ended while they waited (an operator down):
/// each message grain refuses if a dispatcher has begun to submit it, and that dispatcher expires it instead.
/// And it resumes the follow-ups (refund, dlr_url, SMPP receipt) that final messages' rows show left behind for
/// <see cref="LeftBehindAfter"/>: a silo that died took the only timer that would have run them.
/// </summary>
public sealed partial class LedgerSweepsGrain(IMessageLedger ledger, TimeProvider time, ILogger<LedgerSweepsGrain> logger)
    : Grain, ILedgerSweepsGrain
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Rewalk = TimeSpan.FromSeconds(30);
    private const int BatchSize = 2_000;

    // Per tick, so one burst of due messages does not hold the grain (and the accounts' outboxes) for long at once.
    private const int MaxBatchesPerTick = 10;

    private static readonly TimeSpan ExpirySweep = TimeSpan.FromSeconds(5);
    private const int ExpiryBatch = 1_000;
    private const int GrainCallsAtOnce = 64;

    private static readonly TimeSpan FollowUpSweep = TimeSpan.FromSeconds(5);

    // Far longer than a follow-up round takes; a live activation writes its row's next attempt after every round.
    private static readonly TimeSpan LeftBehindAfter = TimeSpan.FromSeconds(10);
    private const int FollowUpBatch = 1_000;

    private ScheduledPosition? _position;
    private DateTimeOffset _rewalkAt;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(Release, new GrainTimerCreationOptions(TimeSpan.Zero, Tick) { KeepAlive = true });
        this.RegisterGrainTimer(Expire, new GrainTimerCreationOptions(ExpirySweep, ExpirySweep) { KeepAlive = true });
        this.RegisterGrainTimer(ResumeFollowUps, new GrainTimerCreationOptions(FollowUpSweep, FollowUpSweep) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public Task EnsureRunning() => Task.CompletedTask;

    private async Task Release(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now >= _rewalkAt) (_position, _rewalkAt) = (null, now + Rewalk);
        try
        {
            for (var batch = 0; batch < MaxBatchesPerTick && !cancellationToken.IsCancellationRequested; batch++)
            {
                var due = await ledger.ReadScheduledDue(now, _position, BatchSize, cancellationToken);
                if (due.Count == 0) return;
                await Task.WhenAll(due.GroupBy(m => m.AccountId).Select(account =>
                    GrainFactory.GetGrain<IAccountGrain>(account.Key).ReleaseScheduled([.. account])));
                _position = ScheduledPosition.Of(due[^1]);
                if (due.Count < BatchSize) return;
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The messages stay scheduled in the ledger: the next tick walks them again from the first.
            _position = null;
            LogReleaseFailed(exception.GetType().Name, exception.Message.Split('\n', 2)[0].TrimEnd());
        }
    }

    private async Task Expire(CancellationToken cancellationToken)
    {
        try
        {
            var expired = await ledger.ReadExpiredQueued(time.GetUtcNow(), ExpiryBatch, cancellationToken);
            foreach (var chunk in expired.Chunk(GrainCallsAtOnce))
            {
                await Task.WhenAll(chunk.Select(id => GrainFactory.GetGrain<IMessageGrain>(id).Expire()));
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            LogExpiryFailed(exception.GetType().Name, exception.Message.Split('\n', 2)[0].TrimEnd());
        }
    }

    private async Task ResumeFollowUps(CancellationToken cancellationToken)
    {
        try
        {
            var leftBehind = await ledger.ReadFollowUpsDue(time.GetUtcNow() - LeftBehindAfter, FollowUpBatch, cancellationToken);
            foreach (var chunk in leftBehind.Chunk(GrainCallsAtOnce))
            {
                var next = await Task.WhenAll(chunk.Select(f => GrainFactory.GetGrain<IMessageGrain>(f.MessageId).ResumeFollowUp(f.RefundDue)));
                await ledger.RecordFollowUps([.. chunk.Zip(next, static (f, due) => due is { } at
                    ? f with { NextAttemptAt = at }
                    : f with { StatusCallback = false, SmppReceipt = false, RefundDue = 0m })], cancellationToken);
            }

            if (leftBehind.Count > 0) LogFollowUpsResumed(leftBehind.Count);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            LogFollowUpsFailed(exception.GetType().Name, exception.Message.Split('\n', 2)[0].TrimEnd());
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resumed the follow-ups of {Count} final messages that a silo left behind")]
    private partial void LogFollowUpsResumed(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not resume follow-ups left behind ({Error}: {Reason}); will retry")]
    private partial void LogFollowUpsFailed(string error, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not expire queued messages past their validity ({Error}: {Reason}); will retry")]
    private partial void LogExpiryFailed(string error, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release due scheduled messages ({Error}: {Reason}); will retry")]
    private partial void LogReleaseFailed(string error, string reason);
}
