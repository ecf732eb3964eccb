using Taifa.Smpp.Pdus;

namespace Taifa.Smpp.Receipts;

/// <summary>
/// The seven-letter stat words of the receipt text and the message_state each stands for (SMPP v3.4 Appendix B,
/// §5.2.28).
/// </summary>
public static class ReceiptStat
{
    /// <returns>The word a receipt writes for <paramref name="state"/>, such as DELIVRD.</returns>
    public static string ToWord(MessageState state) => state switch
    {
        MessageState.Scheduled => "SCHEDUL",
        MessageState.Enroute => "ENROUTE",
        MessageState.Delivered => "DELIVRD",
        MessageState.Expired => "EXPIRED",
        MessageState.Deleted => "DELETED",
        MessageState.Undeliverable => "UNDELIV",
        MessageState.Accepted => "ACCEPTD",
        MessageState.Rejected => "REJECTD",
        _ => "UNKNOWN",
    };

    /// <summary>
    /// Reads a stat word in any case. Besides the standard abbreviations it takes the spelled-out words some SMSCs
    /// send (DELIVERED, UNDELIVERABLE, ...).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> word, out MessageState state)
    {
        Span<char> upper = stackalloc char[Math.Min(word.Length, 16)];
        if (word.Length > upper.Length)
        {
            state = MessageState.Unknown;
            return false;
        }

        word.ToUpperInvariant(upper);
        MessageState? parsed = upper switch
        {
            "DELIVRD" or "DELIVERED" => MessageState.Delivered,
            "EXPIRED" => MessageState.Expired,
            "DELETED" => MessageState.Deleted,
            "UNDELIV" or "UNDELIVERABLE" or "UNDELIVERED" => MessageState.Undeliverable,
            "ACCEPTD" or "ACCEPTED" => MessageState.Accepted,
            "UNKNOWN" => MessageState.Unknown,
            "REJECTD" or "REJECTED" => MessageState.Rejected,
            "ENROUTE" => MessageState.Enroute,
            "SCHEDUL" or "SCHEDULED" => MessageState.Scheduled,
            _ => null,
        };
        state = parsed ?? MessageState.Unknown;
        return parsed is not null;
    }

    /// <summary>
    /// Whether the state ends the message's life. ENROUTE and SCHEDULED are intermediate by the spec. ACCEPTD is final
    /// by the spec (read by customer service) but in practice SMSCs send it as an intermediate "taken over by the
    /// SMSC" notice, so it counts as not final here. UNKNOWN is final: the SMSC has lost track of the message.
    /// </summary>
    public static bool IsFinal(MessageState state) => state is MessageState.Delivered or MessageState.Expired
        or MessageState.Deleted or MessageState.Undeliverable or MessageState.Rejected or MessageState.Unknown;
}
