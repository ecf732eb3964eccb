using Taifa.Abstractions.Messages;

namespace Taifa.Grains.Ledger;

/// <summary>The rules every ledger implementation applies to a message row (the SQL spells the same ones).</summary>
public static class LedgerTransitions
{
    /// <summary>Only forward: queued → submitted → final, or queued → final. A repeat or a late answer changes nothing.</summary>
    public static bool Allowed(MessageStatus from, MessageStatus to) =>
        !from.IsFinal() && to != MessageStatus.Queued && (to.IsFinal() || from == MessageStatus.Queued);

    /// <summary>What a message that just became final still owes: a dlr_url callback, an SMPP receipt, its refund.</summary>
    public static FollowUp? FollowUpOnFinal(MessageRecord record, decimal refund)
    {
        var followUp = new FollowUp(
            record.MessageId,
            StatusCallback: record.DlrUrl is not null,
            SmppReceipt: record.RegisteredDelivery && record.Channel == MessageChannel.Smpp,
            Attempts: 0,
            NextAttemptAt: record.DoneAt ?? record.UpdatedAt) { RefundDue = refund };
        return followUp.Pending ? followUp : null;
    }
}
