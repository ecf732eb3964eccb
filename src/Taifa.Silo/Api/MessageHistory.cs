using System.Buffers.Binary;
using Taifa.Abstractions.Messages;
using Taifa.Grains.Ledger;

namespace Taifa.Silo.Api;

/// <summary>
/// An account's messages, newest first, a page at a time, as the ledger's rows hold them (their status is current:
/// dispatch, receipts and cancellation write it): one keyset-paged read per page (<see cref="IMessageLedger.ReadHistory"/>),
/// every filter, the status one too, applied by the ledger through its indexes.
/// </summary>
public sealed class MessageHistory(IMessageLedger ledger)
{
    public async Task<HistoryPage> ReadPage(long accountId, MessageHistoryFilter filter, int limit, CancellationToken cancellationToken)
    {
        var rows = await ledger.ReadHistory(accountId, filter, limit + 1, cancellationToken);
        return rows.Count > limit ? new HistoryPage([.. rows.Take(limit)], rows[limit - 1].MessageId) : new HistoryPage(rows, null);
    }
}

/// <param name="NextBefore">Where the next page starts (below this message id); null: no older message matches.</param>
public sealed record HistoryPage(IReadOnlyList<MessageRecord> Messages, long? NextBefore);

/// <summary>
/// The opaque cursor of a history page: the message id the next page starts below, versioned, in URL-safe base64, so
/// that clients pass it back rather than build it.
/// </summary>
public static class HistoryCursor
{
    private const byte Version = 1;

    public static string Encode(long messageId)
    {
        Span<byte> bytes = stackalloc byte[9];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], messageId);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static bool TryDecode(string text, out long messageId)
    {
        messageId = 0;
        if (text.Length != 12) return false;
        Span<byte> bytes = stackalloc byte[9];
        if (!Convert.TryFromBase64String(text.Replace('-', '+').Replace('_', '/'), bytes, out var written) || written != 9 || bytes[0] != Version) return false;
        messageId = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        return messageId > 0;
    }
}
