using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Dispatch;
using Taifa.Abstractions.Messages;
using Taifa.Grains.Dispatch;
using Taifa.Grains.Persistence;

namespace Taifa.Grains.Messages;

[GenerateSerializer, Alias("taifa.message-state.v1")]
public sealed class MessageState
{
    [Id(0)] public MessageRecord? Record { get; set; }

    /// <summary>Final status per operator part id, from receipts.</summary>
    [Id(1)] public Dictionary<string, MessageStatus> PartOutcomes { get; set; } = new(StringComparer.Ordinal);

    [Id(2)] public bool RefundPending { get; set; }
    [Id(3)] public bool StatusCallbackPending { get; set; }
    [Id(4)] public int StatusCallbackAttempts { get; set; }
    [Id(5)] public bool SmppReceiptPending { get; set; }
}

/// <summary>
/// The lifecycle of one message: queued → submitted → delivered / undelivered / expired, or rejected / failed
/// without reaching the operator (then refunded once). Final states are told to the customer by dlr_url and
/// SMPP receipt; what could not be done yet is retried by timer and, across restarts, by a reminder.
/// Thousands of messages a second pass through a silo: an activation leaves memory as soon as its message is final
/// and followed up, and an idle one after two minutes (Orleans wants more than its one-minute collection quantum) (a status look-up simply reads it back).
/// </summary>
[CollectionAgeLimit(Minutes = 2)]
public sealed partial class MessageGrain(
    [PersistentState("message", StorageNames.Messages)] IPersistentState<MessageState> state,
    ICustomerNotifier notifier,
    DispatchBacklog backlog,
    IOptions<DispatchOptions> options,
    TimeProvider time,
    ILogger<MessageGrain> logger) : Grain, IMessageGrain, IRemindable
{
    private const string FollowUpReminder = "follow-up";

    // The holder renews it before every attempt; a claim of an activation that died lapses within this.
    private static readonly TimeSpan ClaimLease = TimeSpan.FromSeconds(20);
    private Guid _claimedBy;
    private DateTimeOffset _claimedAt;
    private IGrainTimer? _followUpTimer;
    private int _quickRetries;

    // Only a message that once failed a follow-up step has a reminder: most never touch the reminder table.
    private bool _reminderMayExist;

    private MessageRecord? Current => state.State.Record;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _reminderMayExist = HasPendingWork;
        if (HasPendingWork) ScheduleQuickRetry();
        return Task.CompletedTask;
    }

    public async Task Record(MessageRecord record)
    {
        if (Current is not null) return;
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

        (_claimedBy, _claimedAt) = (dispatcher, now);
        return Task.FromResult(new DispatchClaim(record, Settled: false));
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
        if (AllPartsFinal()) Finish(FinalStatusFromParts(), Current!.OperatorErrorCode, now);
        await state.WriteOrRevertAsync(DeactivateOnIdle);
        backlog.HandedToOperator(1);
        await FollowUp();
    }

    public async Task Abandon(MessageStatus status, string? errorCode)
    {
        if (Current is not { } record || record.Status.IsFinal()) return;
        Finish(status, errorCode, time.GetUtcNow());
        state.State.RefundPending = record.Cost > 0;
        await state.WriteOrRevertAsync(DeactivateOnIdle);
        if (record.Status == MessageStatus.Queued) backlog.HandedToOperator(1);
        LogAbandoned(record.MessageId, status, errorCode);
        await FollowUp();
    }

    public async Task ApplyReceipt(OperatorReceipt receipt)
    {
        if (Current is not { } record || record.Status.IsFinal() || !receipt.Status.IsFinal()) return;
        state.State.PartOutcomes[receipt.OperatorMessageId] = receipt.Status;
        if (receipt.ErrorCode is { Length: > 0 } && receipt.Status != MessageStatus.Delivered)
        {
            state.State.Record = record with { OperatorErrorCode = receipt.ErrorCode };
        }

        if (record.Status == MessageStatus.Submitted && AllPartsFinal())
        {
            Finish(FinalStatusFromParts(), Current!.OperatorErrorCode, receipt.ReceivedAt);
        }

        await state.WriteOrRevertAsync(DeactivateOnIdle);
        await FollowUp();
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        _reminderMayExist = true;
        return FollowUp();
    }

    private bool HasPendingWork => state.State.RefundPending || state.State.StatusCallbackPending || state.State.SmppReceiptPending;

    private bool AllPartsFinal() => state.State.PartOutcomes.Count >= Math.Max(1, Current!.OperatorPartIds.Count == 0 ? Current.Parts : Current.OperatorPartIds.Count);

    private MessageStatus FinalStatusFromParts() =>
        state.State.PartOutcomes.Values.FirstOrDefault(s => s != MessageStatus.Delivered) is var other && other != default
            ? other
            : MessageStatus.Delivered;

    private void Finish(MessageStatus status, string? errorCode, DateTimeOffset at)
    {
        var record = Current!;
        state.State.Record = record with { Status = status, OperatorErrorCode = errorCode, DoneAt = at, UpdatedAt = at };
        state.State.StatusCallbackPending = record.DlrUrl is not null;
        state.State.SmppReceiptPending = record.RegisteredDelivery && record.Channel == MessageChannel.Smpp;
    }

    /// <summary>Refund and customer notifications for a final message; whatever fails is retried later.</summary>
    private async Task FollowUp()
    {
        if (HasPendingWork) await FollowUpPendingWork();
        if (!HasPendingWork && Current is { } record && record.Status.IsFinal()) DeactivateOnIdle();
    }

    private async Task FollowUpPendingWork()
    {
        var record = Current!;
        var before = (state.State.RefundPending, state.State.StatusCallbackPending, state.State.SmppReceiptPending, state.State.StatusCallbackAttempts);

        if (state.State.RefundPending)
        {
            try
            {
                await GrainFactory.GetGrain<IAccountGrain>(record.AccountId).Refund(record.MessageId, record.Cost);
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
            if (await Attempt(() => notifier.PostStatusAsync(record, CancellationToken.None), "dlr_url") ||
                state.State.StatusCallbackAttempts >= options.Value.DlrMaxAttempts)
            {
                state.State.StatusCallbackPending = false;
            }
        }

        if (state.State.SmppReceiptPending)
        {
            var expired = time.GetUtcNow() - (record.DoneAt ?? record.AcceptedAt) > options.Value.SmppReceiptRetention;
            if (expired) LogReceiptExpired(record.MessageId);
            if (expired || await Attempt(() => notifier.SendSmppReceiptAsync(record, CancellationToken.None), "smpp receipt"))
            {
                state.State.SmppReceiptPending = false;
            }
        }

        var after = (state.State.RefundPending, state.State.StatusCallbackPending, state.State.SmppReceiptPending, state.State.StatusCallbackAttempts);
        if (after != before)
        {
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

    private async Task ScheduleOrCancelRetries()
    {
        if (HasPendingWork)
        {
            ScheduleQuickRetry();
            await this.RegisterOrUpdateReminder(FollowUpReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
            _reminderMayExist = true;
        }
        else
        {
            _followUpTimer?.Dispose();
            _followUpTimer = null;
            if (_reminderMayExist && await this.GetReminder(FollowUpReminder) is { } reminder) await this.UnregisterReminder(reminder);
            _reminderMayExist = false;
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

    /// <summary>Back-off retries while the activation lives (1 s, 2 s, 4 s … up to a minute); the reminder covers the rest.</summary>
    private void ScheduleQuickRetry()
    {
        _followUpTimer?.Dispose();
        var delay = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(_quickRetries++, 6))));
        _followUpTimer = this.RegisterGrainTimer(FollowUp, new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} {Status} without reaching the operator ({ErrorCode}); refunding")]
    private partial void LogAbandoned(long messageId, MessageStatus status, string? errorCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId}: {Step} failed; will retry")]
    private partial void LogFollowUpFailed(Exception exception, long messageId, string step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId}: no receiver session bound within the retention; SMPP receipt dropped")]
    private partial void LogReceiptExpired(long messageId);
}
