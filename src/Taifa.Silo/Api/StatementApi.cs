using System.Globalization;
using System.Text.Json;
using Serilog;
using Taifa.Abstractions;
using Taifa.Domain.Money;
using Taifa.Grains.Ledger;
using Taifa.Silo.Intake;

namespace Taifa.Silo.Api;

/// <summary>
/// An account's statement: its wallet entries between two Nairobi times, from the ledger, as JSON or as CSV. The
/// opening balance is the balance after the last entry before the range, so opening + Σ amounts = closing.
/// </summary>
public static class StatementApi
{
    /// <summary>The JSON answer holds at most this many entries (1019 beyond it: narrow the range, or take the CSV).</summary>
    public const int MaxJsonEntries = 10_000;

    /// <summary>The longest range the JSON answer covers; the CSV has no limit.</summary>
    public static readonly TimeSpan MaxJsonRange = TimeSpan.FromDays(366);

    private const int CsvPage = 1_000;

    public static void MapStatement(this RouteGroupBuilder v2)
    {
        v2.MapGet("/statement", Json).WithSummary("Wallet statement between two Nairobi times (JSON)");
        v2.MapGet("/statement.csv", Csv).WithSummary("Wallet statement between two Nairobi times (CSV, streamed)");
    }

    private readonly record struct StatementRange(long AccountId, DateTimeOffset From, DateTimeOffset To);

    private static async Task<IResult> Json(HttpContext http, ApiKeyAccounts keys, IMessageLedger ledger, IDiagnosticContext log, CancellationToken cancellationToken)
    {
        var (range, refusal) = await Authorize(http, keys, log, maxRange: MaxJsonRange);
        if (range is not { } r) return refusal!;

        var opening = await ledger.ReadBalanceBefore(r.AccountId, r.From, cancellationToken);
        var entries = await ledger.ReadEntries(r.AccountId, r.From, r.To, 0, MaxJsonEntries + 1, cancellationToken);
        if (entries.Count > MaxJsonEntries) return Refuse(log, TaifaStatus.InvalidParameters);

        log.Set("Outcome", TaifaStatus.Success.Code());
        return SmsResponses.Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("status_code", TaifaStatus.Success.Code());
            writer.WriteString("opening_balance", Money.Format(opening));
            writer.WriteString("closing_balance", Money.Format(entries.Count > 0 ? entries[^1].BalanceAfter : opening));
            writer.WriteStartArray("entries");
            foreach (var entry in entries) WriteEntry(writer, entry);
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    private static async Task<IResult> Csv(HttpContext http, ApiKeyAccounts keys, IMessageLedger ledger, IDiagnosticContext log)
    {
        var (range, refusal) = await Authorize(http, keys, log, maxRange: null);
        if (range is not { } r) return refusal!;

        log.Set("Outcome", TaifaStatus.Success.Code());
        return CsvDownload(ledger, r.AccountId, r.From, r.To, http.RequestAborted);
    }

    /// <summary>statement.csv of the entries made at or after <paramref name="from"/> and before <paramref name="until"/> (for the API and the portal alike), streamed a page at a time.</summary>
    public static IResult CsvDownload(IMessageLedger ledger, long accountId, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken) =>
        TypedResults.Stream(async body =>
        {
            await using var writer = new StreamWriter(body, CsvFormat.Encoding, bufferSize: 16 * 1024);
            await writer.WriteAsync("entry_id,time,kind,amount,balance,message_id,reference\n");
            var after = 0L;
            while (true)
            {
                var page = await ledger.ReadEntries(accountId, from, until, after, CsvPage, cancellationToken);
                foreach (var entry in page) await writer.WriteAsync(CsvLine(entry));
                await writer.FlushAsync(cancellationToken);
                if (page.Count < CsvPage) break;
                after = page[^1].EntryId;
            }
        }, "text/csv; charset=utf-8", fileDownloadName: "statement.csv");

    /// <summary>The caller's account and range, or the answer refusing them: 1006/1016/1011 as every endpoint, then 1019.</summary>
    private static async Task<(StatementRange? Range, IResult? Refusal)> Authorize(HttpContext http, ApiKeyAccounts keys, IDiagnosticContext log, TimeSpan? maxRange)
    {
        var caller = await keys.Resolve(http);
        if (caller is null) return (null, Refuse(log, TaifaStatus.InvalidApiKey));
        log.Set("AccountId", caller.Value.AccountId);
        var check = (await keys.Authorize(caller.Value)).Status;
        if (check != TaifaStatus.Success) return (null, Refuse(log, check));

        // "to" names a whole second: entries made during it are in the range.
        if (!NairobiTime.TryParse(http.Request.Query["from"], out var from) || !NairobiTime.TryParse(http.Request.Query["to"], out var to) ||
            from > to || (maxRange is { } max && to - from > max))
        {
            return (null, Refuse(log, TaifaStatus.InvalidParameters));
        }

        return (new StatementRange(caller.Value.AccountId, from, to.AddSeconds(1)), null);
    }

    private static IResult Refuse(IDiagnosticContext log, TaifaStatus status)
    {
        log.Set("Outcome", status.Code());
        return SmsResponses.Error(status, ResponseType.Json);
    }

    private static void WriteEntry(Utf8JsonWriter writer, LedgerEntry entry)
    {
        writer.WriteStartObject();
        writer.WriteString("entry_id", entry.EntryId.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("time", NairobiTime.Format(entry.At));
        writer.WriteString("kind", entry.Kind.Name());
        writer.WriteString("amount", Money.Format(entry.Amount));
        writer.WriteString("balance", Money.Format(entry.BalanceAfter));
        if (entry.MessageId is { } messageId) writer.WriteString("message_id", messageId.ToString(CultureInfo.InvariantCulture));
        else writer.WriteNull("message_id");
        if (entry.Reference is { } reference) writer.WriteString("reference", reference);
        else writer.WriteNull("reference");
        writer.WriteEndObject();
    }

    private static string CsvLine(LedgerEntry entry) => CsvFormat.Fields(
        entry.EntryId.ToString(CultureInfo.InvariantCulture),
        NairobiTime.Format(entry.At),
        entry.Kind.Name(),
        Money.Format(entry.Amount),
        Money.Format(entry.BalanceAfter),
        entry.MessageId?.ToString(CultureInfo.InvariantCulture),
        entry.Reference) + "\n";
}
