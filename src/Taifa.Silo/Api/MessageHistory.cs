using System.Buffers.Binary;
using Taifa.Abstractions.Messages;
using Taifa.Grains.Ledger;

namespace Taifa.Silo.Api;

/// <summary>
/// An account's messages, newest first, a page at a time: which messages and in what order from the ledger's rows
/// (keyset-paged, <see cref="IMessageLedger.ReadHistory"/>), each as its message record shows it now, since dispatch
/// and receipts still update the records rather than the rows (issue 12 step 3). So a status filter is applied to the
/// records: such a page reads at most <see cref="MaxScannedPerPage"/> messages and may hold fewer than its limit (even
/// none) while a next cursor is still given.
/// </summary>
public sealed class MessageHistory(IMessageLedger ledger, IGrainFactory grains)
{
    public const int MaxScannedPerPage = 5000;

    public async Task<HistoryPage> ReadPage(long accountId, HistoryQuery query, int limit, CancellationToken cancellationToken)
    {
        var matches = new List<MessageRecord>(limit);
        var filter = query.Filter;
        var scanned = 0;
        while (true)
        {
            var batch = await ledger.ReadHistory(accountId, filter, limit + 1, cancellationToken);
            foreach (var message in await Current(accountId, batch))
            {
                if (query.Status is { } status && message.Status != status) continue;
                if (matches.Count == limit) return new HistoryPage(matches, matches[^1].MessageId);
                matches.Add(message);
            }

            scanned += batch.Count;
            if (batch.Count <= limit) return new HistoryPage(matches, null);
            filter = filter with { BeforeMessageId = batch[^1].MessageId };
            if (scanned >= MaxScannedPerPage) return new HistoryPage(matches, batch[^1].MessageId);
        }
    }

    /// <summary>Each message as its record shows it; one the account has not handed to its record yet is queued, as its row says.</summary>
    private async Task<MessageRecord[]> Current(long accountId, IReadOnlyList<MessageRecord> rows)
    {
        var records = await Task.WhenAll(rows.Select(row => grains.GetGrain<IMessageGrain>(row.MessageId).Get()));
        return [.. rows.Select((row, i) => records[i] is { } record && record.AccountId == accountId ? record : row)];
    }
}

public sealed record HistoryQuery(MessageHistoryFilter Filter, MessageStatus? Status);

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
