using Microsoft.Extensions.Logging;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Dispatch;
using Taifa.Abstractions.Messages;
using Taifa.Grains.Ledger;
using Taifa.Grains.Telemetry;

namespace Taifa.Grains.Dispatch;

/// <summary>
/// Finds the message an operator receipt is about by its operator id in the ledger (<c>taifa_operator_part</c>, written
/// with the message's submitted state), records the part's receipt there in the silo's next receipts statement, and
/// applies it to the message. A message submitted before the ledger kept operator ids is found through the map of
/// that time (<see cref="OperatorMessageIdGrain"/>, read only now). An id the ledger never recorded (its submit's
/// answer was lost) is matched by what the receipt carries (<see cref="LostSubmitMatch"/>) and mapped for good.
/// </summary>
public sealed partial class ReceiptRouter(
    IGrainFactory grains, OperatorRoutes routes, LedgerWriter ledger, IMessageLedger rows, TimeProvider time, ILogger<ReceiptRouter> logger)
{
    // An account's messages to one number read to match a lost id, newest first: far more than it sends there in a receipt window.
    private const int RecipientLimit = 500;

    private long _unmatched;
    private long _duplicates;

    public long Unmatched => Interlocked.Read(ref _unmatched);

    /// <summary>Parts this silo found the operator took twice (a lost id matched to a message submitted again).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>True when the receipt was applied; false when no message matches it (yet), so the operator redelivers.</summary>
    public async Task<bool> RouteAsync(string operatorName, OperatorReceipt receipt)
    {
        var route = routes[operatorName];
        var canonical = OperatorRoutes.Canonical(receipt.OperatorMessageId, route.ReceiptIdFormat);
        var messages = await Matched(operatorName, canonical, receipt);
        if (messages.Count == 0 && await grains.OperatorMessageId(operatorName, canonical).Find() is { } mappedBefore)
        {
            messages.Add((mappedBefore, receipt.Status, canonical));
        }

        if (messages.Count == 0 && await MatchLostId(operatorName, route, canonical, receipt))
        {
            messages = await Matched(operatorName, canonical, receipt);
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
            .ApplyReceipt(receipt with { OperatorMessageId = m.PartId, Status = m.Status }, route.OneReceiptPerMessage)));
        TaifaMetrics.Receipt(receipt.Status);
        return true;
    }

    /// <summary>
    /// The messages with a part of this id, each with the receipt's status for it (a repeat answers the first one's, and
    /// is applied again: the record may have missed it) and the id it knows the part by: a lost id stands for the
    /// recorded id of the same part (the first receipt for either copy settles that part), or for itself when none was
    /// recorded (the message went final without it).
    /// A receipt that is not final (en route, accepted) settles nothing: it is matched, never recorded, so the final one still counts.
    /// </summary>
    private async Task<List<(long MessageId, MessageStatus Status, string PartId)>> Matched(string operatorName, string canonical, OperatorReceipt receipt)
    {
        var parts = receipt.Status.IsFinal()
            ? await ledger.RecordReceipt(new PartReceipt(operatorName, canonical, receipt.Status, receipt.ErrorCode, receipt.ReceivedAt))
            : await ledger.FindByOperatorIds(operatorName, [canonical], time.GetUtcNow() - LedgerWriter.ReceiptWindow);
        var lost = parts.Where(p => p.LostFor is not null).Select(p => p.MessageId).Distinct().ToList();
        var recorded = lost.Count == 0 ? [] : (await rows.FindMessages(lost)).ToDictionary(r => r.MessageId, r => r.OperatorPartIds);
        return [.. parts.Select(p => (p.MessageId, p.Status ?? receipt.Status,
            p.LostFor is { } index && recorded.GetValueOrDefault(p.MessageId) is { } ids && index < ids.Count ? ids[index] : canonical)).Distinct()];
    }

    /// <summary>
    /// Maps an id the ledger never recorded to the message the receipt fits, if one does and its submit is recorded or
    /// it is final: one still queued may be being submitted right now, and the receipt's redelivery finds it once it is.
    /// A message whose parts were recorded under other ids was taken twice by the operator: counted and logged.
    /// </summary>
    private async Task<bool> MatchLostId(string operatorName, OperatorOptions route, string canonical, OperatorReceipt receipt)
    {
        if (receipt.Handset is not { Length: > 0 } handset || receipt.Sender is not { Length: > 0 } sender
            || LostSubmitMatch.SubmitWindow(receipt.SubmitDate, route, time.LocalTimeZone) is not { } window)
        {
            return false;
        }

        var now = time.GetUtcNow();
        var since = now - LedgerWriter.ReceiptWindow;
        if (window.Until <= since) return false;

        // A sender ID belongs to one account at most: the receipt's destination says whose messages to read.
        if (await grains.SenderId(sender).Owner() is not { } accountId) return false;
        var candidates = await rows.FindByRecipient(accountId, LostSubmitMatch.Number(handset), since, window.Until, RecipientLimit);
        if (LostSubmitMatch.Find(candidates, operatorName, sender, receipt.Text, window, now) is not { } match) return false;

        var record = match.Message.Record;
        if (record.Status == MessageStatus.Queued)
        {
            LogLostIdStillQueued(operatorName, receipt.OperatorMessageId, record.MessageId);
            return false;
        }

        // False: mapped meanwhile (the same receipt on another bind), and counted there.
        if (!await rows.MapLostPart(record.MessageId, match.Part, operatorName, canonical)) return true;
        if (record.OperatorPartIds.Count > 0)
        {
            Interlocked.Increment(ref _duplicates);
            TaifaMetrics.OperatorDuplicate(operatorName);
            LogDuplicate(operatorName, receipt.OperatorMessageId, record.MessageId, match.Part + 1, record.Parts, record.Status);
        }
        else
        {
            LogLostIdMatched(operatorName, receipt.OperatorMessageId, record.MessageId, match.Part + 1, record.Parts, record.Status);
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Receipt from {Operator} for unknown operator id {OperatorMessageId} ({Status}); asking for redelivery")]
    private partial void LogUnmatched(string @operator, string operatorMessageId, MessageStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Receipt from {Operator} for lost operator id {OperatorMessageId} matched message {MessageId} (part {Part} of {Parts}, {Status}) by sender, handset, submit date and text: it was submitted again, a duplicate at the operator")]
    private partial void LogDuplicate(string @operator, string operatorMessageId, long messageId, int part, int parts, MessageStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Receipt from {Operator} for lost operator id {OperatorMessageId} matched message {MessageId} (part {Part} of {Parts}, {Status}) by sender, handset, submit date and text; it was not submitted again")]
    private partial void LogLostIdMatched(string @operator, string operatorMessageId, long messageId, int part, int parts, MessageStatus status);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Receipt from {Operator} for unknown operator id {OperatorMessageId} fits message {MessageId}, still queued (its submit may be under way); asking for redelivery")]
    private partial void LogLostIdStillQueued(string @operator, string operatorMessageId, long messageId);
}
