using Microsoft.Extensions.Logging;
using Taifa.Abstractions.Dispatch;
using Taifa.Abstractions.Messages;
using Taifa.Grains.Telemetry;

namespace Taifa.Grains.Dispatch;

/// <summary>Finds the message an operator receipt is about, through the durable operator-id map, and applies it.</summary>
public sealed partial class ReceiptRouter(IGrainFactory grains, OperatorRoutes routes, ILogger<ReceiptRouter> logger)
{
    private long _unmatched;

    public long Unmatched => Interlocked.Read(ref _unmatched);

    /// <summary>True when the receipt was applied; false when no message matches it (yet), so the operator redelivers.</summary>
    public async Task<bool> RouteAsync(string operatorName, OperatorReceipt receipt)
    {
        var route = routes[operatorName];
        var canonical = OperatorRoutes.Canonical(receipt.OperatorMessageId, route.ReceiptIdFormat);
        var messageId = await grains.OperatorMessageId(operatorName, canonical).Find();
        if (messageId is null)
        {
            Interlocked.Increment(ref _unmatched);
            TaifaMetrics.Unmatched(operatorName);
            LogUnmatched(operatorName, receipt.OperatorMessageId, receipt.Status);
            return false;
        }

        // Answers once the receipt is saved: the customer's dlr_url and SMPP receipt never hold up the operator's deliver_sm.
        await grains.GetGrain<IMessageGrain>(messageId.Value).ApplyReceipt(receipt with { OperatorMessageId = canonical }, route.OneReceiptPerMessage);
        TaifaMetrics.Receipt(receipt.Status);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Receipt from {Operator} for unknown operator id {OperatorMessageId} ({Status}); asking for redelivery")]
    private partial void LogUnmatched(string @operator, string operatorMessageId, MessageStatus status);
}
