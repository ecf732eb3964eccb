using Taifa.Grains.Messages;

namespace Taifa.Grains.Inbound;

/// <summary>Who an inbound message is for, and whether it opts its sender out.</summary>
/// <param name="AccountId">The account the message is delivered to; null: unrouted.</param>
/// <param name="OptOutAccounts">The accounts whose opt-out list the sender joins (none unless <paramref name="OptOut"/>).</param>
public sealed record InboundRoute(long? AccountId, string? Keyword, bool OptOut, IReadOnlyList<long> OptOutAccounts)
{
    /// <summary>The delivery steps the message needs, per account.</summary>
    public IEnumerable<(InboundWorkKind Kind, long AccountId)> Work()
    {
        if (AccountId is { } account)
        {
            yield return (InboundWorkKind.Webhook, account);
            yield return (InboundWorkKind.Smpp, account);
        }

        foreach (var optOut in OptOutAccounts) yield return (InboundWorkKind.OptOut, optOut);
    }
}

/// <summary>
/// Routing of inbound messages by destination number and keyword, the opt-out words, and keyword rules. A number held
/// without a keyword takes every message to it that no keyword of the same number claims; a keyword is the first word
/// of the text, in any case.
/// </summary>
public static class InboundRouting
{
    public const int MaxKeywordLength = 20;

    private static readonly HashSet<string> OptOutWords = new(["STOP", "STOPALL", "UNSUBSCRIBE", "ONDOKA", "TOKA"], StringComparer.OrdinalIgnoreCase);

    /// <summary>The whole text, trimmed, in any case, is one of the opt-out words.</summary>
    public static bool IsOptOut(string text) => OptOutWords.Contains(text.Trim());

    /// <summary>A keyword as stored: trimmed, upper case; null for none (null, empty or blank).</summary>
    public static string? NormalizeKeyword(string? keyword) =>
        string.IsNullOrWhiteSpace(keyword) ? null : keyword.Trim().ToUpperInvariant();

    /// <summary>1 to <see cref="MaxKeywordLength"/> letters or digits (after normalising).</summary>
    public static bool IsValidKeyword(string keyword) =>
        keyword.Length is > 0 and <= MaxKeywordLength && keyword.All(char.IsLetterOrDigit);

    /// <summary>A short code or long number: 3 to 15 digits.</summary>
    public static bool IsValidNumber(string number) => number.Length is >= 3 and <= 15 && number.All(char.IsAsciiDigit);

    /// <summary>
    /// Picks the account among those holding the destination number. An opt-out text ("STOP") needs no keyword: it
    /// goes to the number's keyword-less holder, or, when only keywords of the number are held, opts the sender out of
    /// every account holding one (the message itself is then delivered only when that is a single account).
    /// </summary>
    public static InboundRoute Route(string text, IReadOnlyList<InboundNumber> holders)
    {
        var bare = holders.FirstOrDefault(h => h.Keyword is null);
        if (IsOptOut(text))
        {
            IReadOnlyList<long> targets = bare is not null ? [bare.AccountId] : [.. holders.Select(h => h.AccountId).Distinct()];
            return new InboundRoute(targets.Count == 1 ? targets[0] : null, null, true, targets);
        }

        var first = FirstWord(text);
        var byKeyword = first is null ? null : holders.FirstOrDefault(h => h.Keyword is not null && string.Equals(h.Keyword, first, StringComparison.OrdinalIgnoreCase));
        var chosen = byKeyword ?? bare;
        return new InboundRoute(chosen?.AccountId, byKeyword?.Keyword, false, []);
    }

    /// <summary>The text of a concatenated message from its parts, in part order.</summary>
    public static string Join(IEnumerable<(int Part, string Text)> parts) => string.Concat(parts.OrderBy(p => p.Part).Select(p => p.Text));

    private static string? FirstWord(string text)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.IsEmpty) return null;
        var end = trimmed.IndexOfAny([' ', '\t', '\r', '\n']);
        return (end < 0 ? trimmed : trimmed[..end]).ToString();
    }
}

/// <summary>When a failed inbound delivery step is tried again: the schedule of a message's follow-ups (dlr_url).</summary>
public static class InboundRetry
{
    /// <param name="failures">Failed attempts so far, at least 1.</param>
    public static TimeSpan DelayAfter(int failures) => FollowUpSchedule.DelayAfter(failures);
}
