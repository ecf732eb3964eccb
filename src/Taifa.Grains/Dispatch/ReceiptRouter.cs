using Microsoft.Extensions.Logging;
using Taifa.Abstractions.Dispatch;
using Taifa.Abstractions.Messages;
using Taifa.Grains.Ledger;
using Taifa.Grains.Telemetry;

namespace Taifa.Grains.Dispatch;

/// <summary>
/// Finds the message an operator receipt is about by its operator id in the ledger (<c>taifa_operator_part</c>, written
/// with the message's submitted state), records the part's receipt there in the silo's next receipts statement, and
/// applies it to the message. A message submitted before the ledger kept operator ids is found through the map of
/// that time (<see cref="OperatorMessageIdGrain"/>, read only now).
/// </summary>
public sealed partial class ReceiptRouter(IGrainFactory grains, OperatorRoutes routes, LedgerWriter ledger, TimeProvider time, ILogger<ReceiptRouter> logger)
{
    private long _unmatched;

    public long Unmatched => Interlocked.Read(ref _unmatched);

    /// <summary>True when the receipt was applied; false when no message matches it (yet), so the operator redelivers.</summary>
    public async Task<bool> RouteAsync(string operatorName, OperatorReceipt receipt)
    {
        var route = routes[operatorName];
        var canonical = OperatorRoutes.Canonical(receipt.OperatorMessageId, route.ReceiptIdFormat);

        // A receipt that is not final (en route, accepted) settles nothing: it is matched, never recorded, so the final one still counts.
        var parts = receipt.Status.IsFinal()
            ? await ledger.RecordReceipt(new PartReceipt(operatorName, canonical, receipt.Status, receipt.ErrorCode, receipt.ReceivedAt))
            : await ledger.FindByOperatorIds(operatorName, [canonical], time.GetUtcNow() - LedgerWriter.ReceiptWindow);

        // A repeated receipt answers with the first one's status, and is applied again: the record may have missed it.
        List<(long MessageId, MessageStatus Status)> messages = [.. parts.Select(p => (p.MessageId, p.Status ?? receipt.Status)).Distinct()];
        if (messages.Count == 0 && await grains.OperatorMessageId(operatorName, canonical).Find() is { } mappedBefore)
        {
            messages.Add((mappedBefore, receipt.Status));
        }

        if (messages.Count == 0)
        {
            Interlocked.Increment(ref _unmatched);
            TaifaMetrics.Unmatched(operatorName);
            LogUnmatched(operatorName, receipt.OperatorMessageId, receipt.Status);
            return false;
        }

        // Answers once the receipt is saved: the customer's dlr_url and SMPP receipt never hold up the operator's deliver_sm.
        await Task.WhenAll(messages.Select(m => grains.GetGrain<IMessageGrain>(m.MessageId)
            .ApplyReceipt(receipt with { OperatorMessageId = canonical, Status = m.Status }, route.OneReceiptPerMessage)));
        TaifaMetrics.Receipt(receipt.Status);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Receipt from {Operator} for unknown operator id {OperatorMessageId} ({Status}); asking for redelivery")]
    private partial void LogUnmatched(string @operator, string operatorMessageId, MessageStatus status);
}
