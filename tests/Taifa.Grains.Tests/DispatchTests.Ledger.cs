using Taifa.Abstractions;
using Taifa.Abstractions.Dispatch;
using Taifa.Abstractions.Messages;
using Taifa.Grains.Dispatch;
using Taifa.Grains.Ledger;

namespace Taifa.Grains.Tests;

/// <summary>The ledger's rows follow each message: the operator's answer, its receipts, its final state and refund.</summary>
public sealed partial class DispatchTests
{
    private InProcessMessageLedger Ledger => InProcessMessageLedger.ForCluster(cluster.Cluster.Options.ServiceId);

    private async Task<MessageRecord> WaitForRow(long messageId, MessageStatus status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        MessageRecord? row;
        do
        {
            row = (await Ledger.FindMessages([messageId])).SingleOrDefault();
            if (row?.Status == status) return row;
            await Task.Delay(25);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"the ledger's row of message {messageId} never became {status}; last {row?.Status}");
    }

    [Fact]
    public async Task The_ledger_row_goes_from_queued_to_submitted_with_the_operator_ids_then_to_delivered_by_receipts()
    {
        var (grain, digest) = await OpenAsync(10m);
        var outcome = await SendAsync(grain, digest, NewNumber(), parts: 2);
        var record = await WaitForStatus(outcome.MessageId, s => s == MessageStatus.Submitted, "submitted");

        var submitted = await WaitForRow(outcome.MessageId, MessageStatus.Submitted);
        Assert.Equal("scripted", submitted.OperatorName);
        Assert.Equal(record.OperatorPartIds.Select(id => OperatorRoutes.Canonical(id, OperatorIdFormat.Hex)), submitted.OperatorPartIds);

        foreach (var id in record.OperatorPartIds)
        {
            Assert.True(await ScriptedOperator.Instance.SendReceipt(new OperatorReceipt(id, MessageStatus.Delivered, null, DateTimeOffset.UtcNow)));
        }

        var delivered = await WaitForRow(outcome.MessageId, MessageStatus.Delivered);
        Assert.NotNull(delivered.DoneAt);
        Assert.Empty(await Ledger.ReadRefundsDue(grain.GetPrimaryKeyLong(), 10));
    }

    [Fact]
    public async Task A_rejected_message_is_rejected_in_the_ledger_and_its_refund_applied_once()
    {
        var (grain, digest) = await OpenAsync(10m);
        var mobile = NewNumber();
        ScriptedOperator.Instance.Script(mobile, SubmissionOutcome.PermanentRejection);
        var outcome = await SendAsync(grain, digest, mobile, parts: 2);

        var row = await WaitForRow(outcome.MessageId, MessageStatus.Rejected);
        Assert.Null(row.SubmittedAt);
        await WaitForBalance(grain, 10m);

        // The refund the row records is the one the account applied: none is still due, and none is applied again.
        Assert.Empty(await Ledger.ReadRefundsDue(grain.GetPrimaryKeyLong(), 10));
        var refunds = (await Ledger.ReadEntries(grain.GetPrimaryKeyLong(), 0, 100)).Where(e => e.Kind == LedgerEntryKind.Refund).ToList();
        Assert.Equal(2m, Assert.Single(refunds).Amount);
    }
}

public sealed partial class DispatchTests
{
    [Fact]
    public async Task A_dispatcher_that_starts_takes_its_shards_queued_rows_that_no_stream_event_brought_and_brings_stale_rows_up_to_date()
    {
        // Two messages in the ledger and their records, with no stream event: one waits for the operator, one was
        // delivered before the ledger kept statuses (its row still says queued).
        var accountId = Interlocked.Increment(ref _nextAccountId);
        var key = DispatchStreams.Key("scripted", 0);
        var (lost, stale) = (Queued(accountId, 1m), Queued(accountId, 1m) with { Status = MessageStatus.Delivered });
        await Ledger.Commit(new WalletCommit(accountId, Guid.NewGuid(), 0, DateTimeOffset.UtcNow,
            [new LedgerMessage(lost, key), new LedgerMessage(stale with { Status = MessageStatus.Queued }, key)], [], []) { OpeningBalance = 10m });
        await cluster.Grains.GetGrain<IMessageGrain>(lost.MessageId).Record(lost);
        await cluster.Grains.GetGrain<IMessageGrain>(stale.MessageId).Record(stale);

        // The shard's dispatcher starts again, as it does on a survivor after its silo died.
        var management = cluster.Grains.GetGrain<IManagementGrain>(0);
        var dispatcher = (GrainReference)cluster.Grains.GetGrain<IOperatorDispatcherGrain>(key);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await management.GetGrainActivationCount(dispatcher) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the dispatcher is still active, waiting for its deactivation");
            await management.ForceActivationCollection(TimeSpan.Zero);
            await Task.Delay(100);
        }

        await cluster.Grains.GetGrain<IOperatorDispatcherGrain>(key).EnsureRunning();

        Assert.Equal(MessageStatus.Submitted, (await WaitForStatus(lost.MessageId, s => s == MessageStatus.Submitted, "submitted")).Status);
        await WaitForRow(lost.MessageId, MessageStatus.Submitted);
        await WaitForRow(stale.MessageId, MessageStatus.Delivered);
        Assert.DoesNotContain(ScriptedOperator.Instance.Accepted, a => a.MessageId == stale.MessageId);
    }
}

public sealed partial class DispatchTests
{
    [Fact]
    public async Task A_status_look_up_reads_the_message_s_ledger_row()
    {
        var (grain, digest) = await OpenAsync(10m);
        var outcome = await SendAsync(grain, digest, NewNumber());
        await WaitForRow(outcome.MessageId, MessageStatus.Submitted);

        // The row moves on without the record (as a receipt recorded by another silo does): the look-up follows the row.
        await Ledger.RecordOutcomes([new MessageOutcome(outcome.MessageId, MessageStatus.Undelivered, DateTimeOffset.UtcNow) { ErrorCode = "001" }]);

        // (Until the account's hand-off round has finished, the look-up answers from its outbox.)
        var deadline = DateTime.UtcNow.AddSeconds(10);
        Abstractions.Accounts.MessageLookup lookup;
        while ((lookup = await grain.FindMessage(digest, null, outcome.MessageId)).Message?.Status != MessageStatus.Undelivered && DateTime.UtcNow < deadline)
        {
            await Task.Delay(25);
        }

        Assert.Equal(TaifaStatus.Success, lookup.Status);
        Assert.Equal((MessageStatus.Undelivered, "001"), (lookup.Message!.Status, lookup.Message.OperatorErrorCode));
        Assert.Equal(MessageStatus.Submitted, (await cluster.Grains.GetGrain<IMessageGrain>(outcome.MessageId).Get())!.Status);
    }
}
