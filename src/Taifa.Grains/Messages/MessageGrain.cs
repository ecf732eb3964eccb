using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Dispatch;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Money;
using Taifa.Grains.Dispatch;
using Taifa.Grains.Ledger;
using Taifa.Grains.Persistence;

namespace Taifa.Grains.Messages;

[GenerateSerializer, Alias("taifa.message-state.v1")]
public sealed class MessageGrainState
{
    [Id(0)] public MessageRecord? Record { get; set; }

    /// <summary>Final status per operator part id (canonical form), from receipts.</summary>
    [Id(1)] public Dictionary<string, MessageStatus> PartOutcomes { get; set; } = new(StringComparer.Ordinal);

    [Id(2)] public bool RefundPending { get; set; }
    [Id(3)] public bool StatusCallbackPending { get; set; }
    [Id(4)] public int StatusCallbackAttempts { get; set; }
    [Id(5)] public bool SmppReceiptPending { get; set; }

    /// <summary>What <see cref="RefundPending"/> gives back: the parts the operator never took or rejected. Null in
    /// states written before refunds were per part: the whole cost.</summary>
    [Id(6)] public decimal? RefundAmount { get; set; }

    /// <summary>Failed follow-up rounds in a row, for the back-off (<see cref="FollowUpSchedule"/>).</summary>
    [Id(7)] public int FollowUpFailures { get; set; }

    /// <summary>Not before this is the next follow-up round due (null: now).</summary>
    [Id(8)] public DateTimeOffset? NextFollowUpAt { get; set; }

    /// <summary>A receipt came from an operator that sends one per message: it settles the message (even one that
    /// arrived before the message was marked submitted).</summary>
    [Id(9)] public bool OneReceiptPerMessage { get; set; }
}

/// <summary>
/// The lifecycle of one message: queued → submitted → delivered / undelivered / expired, or rejected / failed
/// without reaching the operator. Refunds are per part: the parts the operator never took (refused, or never sent) and
/// the parts it rejected by receipt, once. Final states are told to the customer by dlr_url and SMPP receipt.
/// The final state is saved and the caller (a receipt, a dispatcher slot) answered first; the follow-ups then run in a
/// turn of their own, and whatever failed is retried with back-off by timer and, across restarts, by a reminder.
/// Thousands of messages a second pass through a silo: an activation leaves memory as soon as its message is final
/// and followed up, and an idle one after two minutes (Orleans wants more than its one-minute collection quantum) (a status look-up simply reads it back).
/// </summary>
[CollectionAgeLimit(Minutes = 2)]
public sealed partial class MessageGrain(
    [PersistentState("message", StorageNames.Messages)] IPersistentState<MessageGrainState> state,
    ICustomerNotifier notifier,
    LedgerWriter ledger,
    IMessageLedger rows,
    OperatorRoutes routes,
    IOptions<DispatchOptions> options,
    TimeProvider time,
    ILogger<MessageGrain> logger) : Grain, IMessageGrain, IRemindable
{
    private const string FollowUpReminder = "follow-up";

    // The holder renews it before every attempt; a claim of an activation that died lapses within this.
    private static readonly TimeSpan ClaimLease = TimeSpan.FromSeconds(20);

    // Orleans' shortest reminder period.
    private static readonly TimeSpan MinReminderPeriod = TimeSpan.FromMinutes(1);
    private Guid _claimedBy;
    private DateTimeOffset _claimedAt;

    // A dispatcher claims a message only to submit it at once (with its operator bound), so once claimed it may have
    // reached the operator and can no longer be cancelled.
    private bool _handOverBegun;
    private IGrainTimer? _followUpTimer;
    private TimeSpan? _reminderPeriod;
    private bool _followingUp;

    // Only a message that once failed a follow-up step has a reminder: most never touch the reminder table.
    private bool _reminderMayExist;

    private MessageRecord? Current => state.State.Record;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _reminderMayExist = HasPendingWork;
        if (HasPendingWork) ScheduleFollowUp(DueIn());
        return Task.CompletedTask;
    }

    public async Task Record(MessageRecord record)
    {
        // The first record stays, except that a scheduled one is queued when its time comes (a cancel may have made it first).
        if (Current is not null && !(Current.Status == MessageStatus.Scheduled && record.Status == MessageStatus.Queued)) return;
        state.State.Record = record;
        await state.WriteOrRevertAsync(DeactivateOnIdle);
    }

    public Task<MessageRecord?> Get() => Task.FromResult(Current);

    public Task<DispatchClaim> ClaimDispatch(Guid dispatcher)
    {
        if (Current is not { Status: MessageStatus.Queued } record) return Task.FromResult(new DispatchClaim(null, Settled: true));
        var now = time.GetUtcNow();
        if (_claimedBy != dispatcher && _claimedBy != Guid.Empty && now - _claimedAt < ClaimLease)
        {
            return Task.FromResult(new DispatchClaim(null, Settled: false));
        }

        (_claimedBy, _claimedAt, _handOverBegun) = (dispatcher, now, true);
        return Task.FromResult(new DispatchClaim(record, Settled: false));
    }

    public Task ReleaseClaim(Guid dispatcher)
    {
        if (_claimedBy == dispatcher) _claimedBy = Guid.Empty;
        return Task.CompletedTask;
    }

    public async Task<CancelOutcome> Cancel()
    {
        if (Current is not { } record) return CancelOutcome.Unknown;
        if (record.Status == MessageStatus.Cancelled) return CancelOutcome.Cancelled;
        if (record.Status is not (MessageStatus.Queued or MessageStatus.Scheduled) || _handOverBegun) return CancelOutcome.TooLate;

        Finish(MessageStatus.Cancelled, null, time.GetUtcNow());
        SetRefund(record.Cost);
        await Save(record);
        LogCancelled(record.MessageId, record.Cost);
        StartFollowUp();
        return CancelOutcome.Cancelled;
    }

    public async Task<bool> Expire()
    {
        var now = time.GetUtcNow();
        if (Current is not { Status: MessageStatus.Queued, ExpiresAt: { } expiresAt } record || expiresAt > now || _handOverBegun) return false;
        Finish(MessageStatus.Expired, null, now);
        SetRefund(record.Cost);
        await Save(record);
        LogExpiredWaiting(record.MessageId, expiresAt);
        StartFollowUp();
        return true;
    }

    public async Task Submitted(string operatorName, IReadOnlyList<string> operatorMessageIds)
    {
        if (Current is not { Status: MessageStatus.Queued } record) return;
        var now = time.GetUtcNow();
        state.State.Record = record with
        {
            Status = MessageStatus.Submitted,
            OperatorName = operatorName,
            OperatorPartIds = operatorMessageIds,
            OperatorMessageId = operatorMessageIds.Count > 0 ? operatorMessageIds[0] : null,
            SubmittedAt = now,
            UpdatedAt = now,
        };
        if (AllReceiptsIn()) FinishFromReceipts(now);
        await Save(record);
        StartFollowUp();
    }

    public async Task Abandon(MessageStatus status, string? errorCode, IReadOnlyList<string>? acceptedPartIds = null, string? operatorName = null)
    {
        if (Current is not { } record || record.Status.IsFinal()) return;
        var reached = record.Status == MessageStatus.Queued ? acceptedPartIds?.Count ?? 0 : record.Parts;
        if (record.Status == MessageStatus.Queued && reached > 0)
        {
            // The operator that took the first parts: their receipts find them by its name and their ids.
            var carrier = operatorName ?? (routes.StreamKeyFor(record.NetworkId, record.MessageId) is { } key ? DispatchStreams.ParseKey(key).Operator : null);
            state.State.Record = record with { OperatorPartIds = acceptedPartIds!, OperatorMessageId = acceptedPartIds![0], OperatorName = carrier };
        }

        Finish(status, errorCode, time.GetUtcNow());
        SetRefund(CostShare(record.Cost, record.Parts - reached, record.Parts));
        await Save(record);
        LogAbandoned(record.MessageId, status, errorCode, record.Parts - reached, record.Parts);
        StartFollowUp();
    }

    public async Task ApplyReceipt(OperatorReceipt receipt, bool coversWholeMessage = false)
    {
        if (Current is not { } record || record.Status.IsFinal() || !receipt.Status.IsFinal()) return;
        var before = record;

        // A receipt for a message this record still holds queued: its silo died after the row recorded the submit and
        // before this record saved it. The row knows what the operator took; without it the message would never be final.
        if (record.Status == MessageStatus.Queued && await SubmittedByRow(record) is { } submitted) state.State.Record = record = submitted;
        state.State.PartOutcomes[receipt.OperatorMessageId] = receipt.Status;
        state.State.OneReceiptPerMessage |= coversWholeMessage;
        if (receipt.ErrorCode is { Length: > 0 } && receipt.Status != MessageStatus.Delivered)
        {
            state.State.Record = record with { OperatorErrorCode = receipt.ErrorCode };
        }

        if (record.Status == MessageStatus.Submitted && AllReceiptsIn()) FinishFromReceipts(receipt.ReceivedAt);
        await Save(before);
        StartFollowUp();
    }

    private async Task<MessageRecord?> SubmittedByRow(MessageRecord record)
    {
        if (await ReadRow(record) is not { Status: MessageStatus.Submitted or MessageStatus.Delivered or MessageStatus.Undelivered or MessageStatus.Expired or MessageStatus.Rejected } row
            || row.OperatorPartIds.Count == 0)
        {
            return null;
        }

        var now = time.GetUtcNow();
        return TakenAsRowSays(record, row) with { Status = MessageStatus.Submitted, SubmittedAt = row.SubmittedAt ?? now, UpdatedAt = now };
    }

    /// <summary>This message's ledger row: ahead of the record when its silo died between writing the two.</summary>
    private async Task<MessageRecord?> ReadRow(MessageRecord record) => (await rows.FindMessages([record.MessageId])).SingleOrDefault();

    /// <summary>The record with what the operator took as the row recorded it (its name, part ids, submit time).</summary>
    private static MessageRecord TakenAsRowSays(MessageRecord record, MessageRecord row) => record with
    {
        OperatorName = row.OperatorName ?? record.OperatorName,
        OperatorPartIds = row.OperatorPartIds.Count > 0 ? row.OperatorPartIds.ToArray() : record.OperatorPartIds,
        OperatorMessageId = row.OperatorPartIds.Count > 0 ? row.OperatorPartIds[0] : record.OperatorMessageId,
        SubmittedAt = row.SubmittedAt ?? record.SubmittedAt,
    };

    /// <summary>
    /// Saves a change, the ledger's row first when the status moved: the row is what the queue depth, the history, the
    /// receipts' operator-id map and the dispatchers' reading of the queue go by, so it is never behind this record.
    /// (A record saved behind its row is a message dispatched again, as before; its row stays as first recorded.)
    /// A failure of either puts the record back to what storage holds; the caller retries.
    /// </summary>
    private Task Save(MessageRecord before) =>
        state.WriteOrRevertAsync(DeactivateOnIdle, Current!.Status == before.Status ? null : WriteRow);

    public Task RecordInLedger() => Current is { Status: not MessageStatus.Queued } ? WriteRow() : Task.CompletedTask;

    private async Task WriteRow()
    {
        var record = Current!;
        var format = record.OperatorName is { } name && routes.Operators.Contains(name, StringComparer.OrdinalIgnoreCase)
            ? routes[name].SubmitIdFormat
            : OperatorIdFormat.Text;
        await ledger.RecordOutcome(new MessageOutcome(record.MessageId, record.Status, record.UpdatedAt)
        {
            OperatorName = record.OperatorName,
            OperatorPartIds = [.. record.OperatorPartIds.Select(id => OperatorRoutes.Canonical(id, format))],
            ErrorCode = record.OperatorErrorCode,
            Refund = record.Status.IsFinal() ? state.State.RefundAmount ?? 0m : 0m,
        });
    }

    public async Task<DateTimeOffset?> ResumeFollowUp(decimal refundDue)
    {
        if (Current is { } record && !record.Status.IsFinal() && await ReadRow(record) is { } row && row.Status.IsFinal())
        {
            state.State.Record = TakenAsRowSays(record, row);
            Finish(row.Status, row.OperatorErrorCode, row.DoneAt ?? row.UpdatedAt);
            SetRefund(refundDue);
            await Save(record);
            LogCaughtUpWithRow(record.MessageId, row.Status, refundDue);
        }

        if (!HasPendingWork) return null;
        if (!_followingUp) ScheduleFollowUp(DueIn());
        return state.State.NextFollowUpAt ?? time.GetUtcNow();
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        _reminderMayExist = true;
        ScheduleFollowUp(TimeSpan.Zero);
        return Task.CompletedTask;
    }

    private bool HasPendingWork => state.State.RefundPending || state.State.StatusCallbackPending || state.State.SmppReceiptPending;

    /// <summary>
    /// One receipt per distinct operator id: an operator that gave one id for several parts, or that sends one receipt
    /// per message (<see cref="OperatorOptions.OneReceiptPerMessage"/>), sends no more than that.
    /// </summary>
    private int ExpectedReceipts()
    {
        if (state.State.OneReceiptPerMessage) return 1;
        var ids = Current!.OperatorPartIds;
        return ids.Count == 0 ? Math.Max(1, Current.Parts) : ids.Distinct(StringComparer.Ordinal).Count();
    }

    private bool AllReceiptsIn() => state.State.PartOutcomes.Count >= ExpectedReceipts();

    /// <summary>Final from the receipts; the share of the parts the operator rejected is refunded.</summary>
    private void FinishFromReceipts(DateTimeOffset at)
    {
        var outcomes = state.State.PartOutcomes.Values;
        var status = outcomes.FirstOrDefault(s => s != MessageStatus.Delivered) is var other && other != default ? other : MessageStatus.Delivered;
        Finish(status, Current!.OperatorErrorCode, at);
        var rejected = outcomes.Count(s => s == MessageStatus.Rejected);
        SetRefund(CostShare(Current.Cost, rejected, Math.Max(rejected, outcomes.Count)));
    }

    private static decimal CostShare(decimal cost, int share, int of) =>
        share <= 0 ? 0m : share >= of ? cost : Money.Round(cost * share / of);

    private void SetRefund(decimal amount)
    {
        state.State.RefundAmount = amount;
        state.State.RefundPending = amount > 0;
    }

    private void Finish(MessageStatus status, string? errorCode, DateTimeOffset at)
    {
        var record = Current!;
        state.State.Record = record with { Status = status, OperatorErrorCode = errorCode, DoneAt = at, UpdatedAt = at };
        state.State.StatusCallbackPending = record.DlrUrl is not null;
        state.State.SmppReceiptPending = record.RegisteredDelivery && record.Channel == MessageChannel.Smpp;
    }

    /// <summary>Runs the follow-ups of a message that just became final in a turn of its own, after the caller has its answer.</summary>
    private void StartFollowUp()
    {
        if (HasPendingWork) ScheduleFollowUp(TimeSpan.Zero);
        else if (Current is { } record && record.Status.IsFinal()) DeactivateOnIdle();
    }

    private TimeSpan DueIn() =>
        state.State.NextFollowUpAt is { } due && due > time.GetUtcNow() ? due - time.GetUtcNow() : TimeSpan.Zero;

    /// <summary>Refund and customer notifications for a final message; whatever fails is retried later.</summary>
    private async Task FollowUp()
    {
        if (_followingUp) return;
        if (HasPendingWork && DueIn() > TimeSpan.Zero)
        {
            ScheduleFollowUp(DueIn());
            return;
        }

        _followingUp = true;
        try
        {
            if (HasPendingWork) await FollowUpPendingWork();
        }
        finally
        {
            _followingUp = false;
        }

        if (!HasPendingWork && Current is { } record && record.Status.IsFinal()) DeactivateOnIdle();
    }

    private async Task FollowUpPendingWork()
    {
        var record = Current!;
        var now = time.GetUtcNow();
        if (state.State.RefundPending)
        {
            try
            {
                await GrainFactory.GetGrain<IAccountGrain>(record.AccountId).Refund(record.MessageId, state.State.RefundAmount ?? record.Cost);
                state.State.RefundPending = false;
            }
            catch (Exception exception)
            {
                LogFollowUpFailed(exception, record.MessageId, "refund");
            }
        }

        if (state.State.StatusCallbackPending)
        {
            state.State.StatusCallbackAttempts++;
            if (await Attempt(() => notifier.PostStatusAsync(record, CancellationToken.None), "dlr_url"))
            {
                state.State.StatusCallbackPending = false;
            }
            else if (now - (record.DoneAt ?? record.AcceptedAt) >= options.Value.DlrRetention)
            {
                LogCallbackAbandoned(record.MessageId, state.State.StatusCallbackAttempts);
                state.State.StatusCallbackPending = false;
            }
        }

        if (state.State.SmppReceiptPending && await Attempt(() => notifier.SendSmppReceiptAsync(record, CancellationToken.None), "smpp receipt"))
        {
            state.State.SmppReceiptPending = false;
        }

        if (HasPendingWork)
        {
            state.State.FollowUpFailures++;
            state.State.NextFollowUpAt = now + FollowUpSchedule.DelayAfter(state.State.FollowUpFailures);
        }
        else
        {
            (state.State.FollowUpFailures, state.State.NextFollowUpAt) = (0, null);
        }

        try
        {
            await state.WriteOrRevertAsync(DeactivateOnIdle);
        }
        catch (Exception exception)
        {
            // Back to what storage holds: the steps not recorded as done are simply done again (a refund is
            // applied once by the account; a customer may see a receipt twice, never none).
            LogFollowUpFailed(exception, record.MessageId, "saving follow-up progress");
        }

        try
        {
            // The row is how work left behind by a silo that died is found again (ResumeFollowUp); what is done leaves it.
            await ledger.RecordFollowUp(new FollowUp(
                record.MessageId, state.State.StatusCallbackPending, state.State.SmppReceiptPending, state.State.StatusCallbackAttempts,
                state.State.NextFollowUpAt ?? now)
            {
                RefundDue = state.State.RefundPending ? state.State.RefundAmount ?? record.Cost : 0m,
            });
        }
        catch (Exception exception)
        {
            LogFollowUpFailed(exception, record.MessageId, "recording follow-up progress in the ledger");
        }

        try
        {
            await ScheduleOrCancelRetries();
        }
        catch (Exception exception)
        {
            LogFollowUpFailed(exception, record.MessageId, "scheduling the follow-up reminder");
        }
    }

    /// <summary>
    /// A timer while the activation lives; a reminder whose period follows the back-off for when it does not (the
    /// activation is collected when idle, and a restart loses it): nothing waiting for a day keeps a grain in memory.
    /// </summary>
    private async Task ScheduleOrCancelRetries()
    {
        if (HasPendingWork)
        {
            var delay = DueIn();
            ScheduleFollowUp(delay);
            var period = delay < MinReminderPeriod ? MinReminderPeriod : delay;
            if (_reminderPeriod != period || !_reminderMayExist)
            {
                _reminderMayExist = true;
                await this.RegisterOrUpdateReminder(FollowUpReminder, period, period);
                _reminderPeriod = period;
            }
        }
        else
        {
            _followUpTimer?.Dispose();
            _followUpTimer = null;
            if (_reminderMayExist && await this.GetReminder(FollowUpReminder) is { } reminder) await this.UnregisterReminder(reminder);
            (_reminderMayExist, _reminderPeriod) = (false, null);
        }
    }

    private async Task<bool> Attempt(Func<Task<bool>> action, string what)
    {
        try
        {
            return await action();
        }
        catch (Exception exception)
        {
            LogFollowUpFailed(exception, Current!.MessageId, what);
            return false;
        }
    }

    /// <summary>
    /// Interleaved, so a status look-up is never stuck behind a customer's slow dlr_url. Safe: once a message is final
    /// only the follow-up changes its state (every other call finds it final and does nothing), one round at a time.
    /// </summary>
    private void ScheduleFollowUp(TimeSpan delay)
    {
        _followUpTimer?.Dispose();
        _followUpTimer = this.RegisterGrainTimer(FollowUp, new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan) { Interleave = true });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} expired at {ExpiresAt:u} while it waited for an operator; refunded")]
    private partial void LogExpiredWaiting(long messageId, DateTimeOffset expiresAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} {Status} ({ErrorCode}); refunding {RefundedParts} of its {Parts} parts, those that never reached the operator")]
    private partial void LogAbandoned(long messageId, MessageStatus status, string? errorCode, int refundedParts, int parts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId}: its record was behind its ledger row (its silo died between writing the two); now {Status} as the row is, refunding {Refund}")]
    private partial void LogCaughtUpWithRow(long messageId, MessageStatus status, decimal refund);

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} cancelled by its customer; refunding {Amount}")]
    private partial void LogCancelled(long messageId, decimal amount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId}: {Step} failed; will retry")]
    private partial void LogFollowUpFailed(Exception exception, long messageId, string step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId}: its dlr_url did not accept the final status in {Attempts} attempts within the retention; giving up")]
    private partial void LogCallbackAbandoned(long messageId, int attempts);
}
