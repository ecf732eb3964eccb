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
