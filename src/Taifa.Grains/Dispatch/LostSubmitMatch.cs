using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Dispatch;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Numbers;
using Taifa.Domain.Text;
using Taifa.Grains.Ledger;

namespace Taifa.Grains.Dispatch;

/// <summary>
/// Which message a receipt is about when the ledger has no part with its operator id. Every id the operator answers a
/// submit with is recorded, unless that answer was lost: the silo died before recording it, or the submit_sm_resp came
/// too late and the message was submitted again. So such a receipt is matched by what it carries instead: its sender
/// and handset (the deliver_sm's destination_addr and source_addr) against the messages of the sender ID's account to
/// that number, from that sender ID, that the operator carried or was to carry; its
/// <c>submit date:</c> against the time each of them could have been submitted (from its acceptance to the submit
/// recorded, its final state or now), and its <c>text:</c> against the start of one of its parts.
/// </summary>
public static class LostSubmitMatch
{
    /// <summary>What a receipt's text field carries of its part by convention (SMPP v3.4 Appendix B).</summary>
    public const int TextLength = 20;

    /// <param name="Part">The part of the message the receipt is about (0-based).</param>
    public sealed record Match(RecipientMessage Message, int Part);

    /// <summary>The number as the ledger keeps it (254…), or as written when it is not a Kenyan mobile number.</summary>
    public static string Number(string handset) =>
        MobileNumber.TryNormalize(handset, out var normalized) ? normalized : handset.Trim().TrimStart('+');

    /// <summary>
    /// When the operator took the submit, as an interval of our time: the receipt's submit date (cut to the minute, on
    /// the SMSC's clock at <see cref="OperatorOptions.ReceiptClockOffset"/>, else <paramref name="localZone"/>), widened
    /// by <see cref="OperatorOptions.ReceiptClockTolerance"/> either side. Null when the receipt has no submit date.
    /// </summary>
    public static (DateTimeOffset From, DateTimeOffset Until)? SubmitWindow(DateTime? submitDate, OperatorOptions route, TimeZoneInfo localZone)
    {
        if (submitDate is not { } date) return null;
        var wall = DateTime.SpecifyKind(date, DateTimeKind.Unspecified);
        var at = new DateTimeOffset(wall, route.ReceiptClockOffset ?? localZone.GetUtcOffset(wall));
        return (at - route.ReceiptClockTolerance, at + TimeSpan.FromMinutes(1) + route.ReceiptClockTolerance);
    }

    /// <summary>
    /// The message and part the receipt fits, or null. Among several that fit (the same text to the same number within
    /// minutes) the one with fewer lost ids matched so far, then the earliest: either is a submit the operator took twice.
    /// </summary>
    public static Match? Find(
        IEnumerable<RecipientMessage> messages, string operatorName, string sender, string? text, (DateTimeOffset From, DateTimeOffset Until) window, DateTimeOffset now)
    {
        Match? best = null;
        foreach (var message in messages)
        {
            var record = message.Record;
            if (record.Status == MessageStatus.Scheduled || !CarriedBy(message, operatorName)
                || AccountIndex.NormalizeSenderId(record.SenderId) != AccountIndex.NormalizeSenderId(sender))
            {
                continue;
            }

            var latest = record.SubmittedAt ?? record.DoneAt ?? now;
            if (record.AcceptedAt > window.Until || latest < window.From) continue;
            if (PartOf(record, text) is not { } part) continue;
            if (best is null || message.LostPartIds.Count < best.Message.LostPartIds.Count
                || (message.LostPartIds.Count == best.Message.LostPartIds.Count && record.MessageId < best.Message.Record.MessageId))
            {
                best = new Match(message, part);
            }
        }

        return best;
    }

    /// <summary>The operator that took its parts, or, before any were recorded, the operator of its dispatch shard.</summary>
    private static bool CarriedBy(RecipientMessage message, string operatorName) =>
        string.Equals(
            message.Record.OperatorName ?? (message.Shard is { } shard ? DispatchStreams.ParseKey(shard).Operator : null),
            operatorName,
            StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The part whose start the receipt's text is. A message sent whole has one part; a long one is cut by the bind
    /// into parts of <see cref="SmsSegmenter.PerPart"/> characters (fewer where a GSM escape or a surrogate pair would
    /// be cut), so a part starts near a multiple of it. A receipt with no text fits a one-part message only.
    /// </summary>
    private static int? PartOf(MessageRecord record, string? text)
    {
        var prefix = text?.TrimEnd() ?? "";
        if (prefix.Length > TextLength) prefix = prefix[..TextLength];
        var parts = record.Segment is null ? Math.Max(1, record.Parts) : 1;
        if (prefix.Length == 0) return parts == 1 ? 0 : null;
        if (MatchesAt(record.Text, 0, prefix)) return 0;
        if (parts == 1) return null;

        var perPart = SmsSegmenter.PerPart(record.Encoding);
        for (var part = 1; part < parts; part++)
        {
            var nominal = Math.Min(part * perPart, record.Text.Length);
            for (var at = nominal; at >= Math.Max(1, nominal - perPart / 4); at--)
            {
                if (MatchesAt(record.Text, at, prefix)) return part;
            }
        }

        return null;
    }

    /// <summary>Case aside; an SMSC writes a character its receipt alphabet lacks as '?'.</summary>
    private static bool MatchesAt(string body, int at, string prefix)
    {
        if (at + prefix.Length > body.Length) return false;
        for (var i = 0; i < prefix.Length; i++)
        {
            var (sent, received) = (body[at + i], prefix[i]);
            if (received != '?' && char.ToUpperInvariant(sent) != char.ToUpperInvariant(received)) return false;
        }

        return true;
    }
}
