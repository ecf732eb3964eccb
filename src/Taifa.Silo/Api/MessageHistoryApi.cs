using System.Globalization;
using Serilog;
using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Grains.Ledger;
using Taifa.Silo.Intake;

namespace Taifa.Silo.Api;

/// <summary>
/// The customer's message history (v2, h_api_key, HTTP 200 with status_code like the rest of the customer API): the
/// status object of each message, newest first, as JSON pages with an opaque cursor or as one streamed CSV file.
/// </summary>
public static class MessageHistoryApi
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public static void MapMessageHistoryApi(this IEndpointRouteBuilder app)
    {
        var v2 = app.MapGroup("/v2/sms").WithTags("Message history (v2)").WithGroupName(CustomerApi.OpenApiDocument);
        v2.MapGet("/messages", ListMessages).WithSummary("Your messages, newest first, filtered and keyset-paginated");
        v2.MapGet("/messages.csv", ExportMessages).WithSummary("Every message matching the same filters, as CSV, streamed");
    }

    private static async Task<IResult> ListMessages(
        HttpContext http, ApiKeyAccounts keys, RecipientParser recipients, MessageHistory history, IDiagnosticContext log, CancellationToken cancellationToken)
    {
        var (refusal, accountId, query, limit) = await Accept(http, keys, recipients, log, withPaging: true);
        if (refusal is not null) return refusal;

        var page = await history.ReadPage(accountId, query!, limit, cancellationToken);
        return SmsResponses.Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("status_code", TaifaStatus.Success.Code());
            writer.WriteString("status_desc", TaifaStatus.Success.Description());
            writer.WriteStartArray("messages");
            foreach (var message in page.Messages) MessageStatusJson.Write(writer, message);
            writer.WriteEndArray();
            writer.WriteString("next_cursor", page.NextBefore is { } before ? HistoryCursor.Encode(before) : null);
            writer.WriteEndObject();
        });
    }

    private static async Task<IResult> ExportMessages(
        HttpContext http, ApiKeyAccounts keys, RecipientParser recipients, MessageHistory history, IDiagnosticContext log, CancellationToken cancellationToken)
    {
        var (refusal, accountId, query, _) = await Accept(http, keys, recipients, log, withPaging: false);
        if (refusal is not null) return refusal;
        await WriteCsv(http.Response, history, accountId, query!, cancellationToken);
        return Results.Empty;
    }

    /// <summary>
    /// messages.csv (for the API and the portal alike): a page at a time from the ledger into the response body, flushed
    /// after each, so memory stays one page whatever the export's size.
    /// </summary>
    public static async Task WriteCsv(HttpResponse response, MessageHistory history, long accountId, MessageHistoryFilter query, CancellationToken cancellationToken)
    {
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = "attachment; filename=\"messages.csv\"";
        await using var writer = new StreamWriter(response.Body, CsvFormat.Encoding, leaveOpen: true);
        await writer.WriteAsync(CsvFormat.Fields(MessageStatusJson.FieldNames) + "\r\n");
        var filter = query;
        while (true)
        {
            var page = await history.ReadPage(accountId, filter, MaxPageSize, cancellationToken);
            foreach (var message in page.Messages) await writer.WriteAsync(CsvFormat.Fields(MessageStatusJson.FieldValues(message)) + "\r\n");
            await writer.FlushAsync(cancellationToken);
            if (page.NextBefore is not { } before) break;
            filter = filter with { BeforeMessageId = before };
        }
    }

    /// <summary>Every parameter is optional; one given but not valid answers 1019 (an invalid number, 1003, as sendsms would).</summary>
    public static (TaifaStatus Problem, MessageHistoryFilter? Query, int Limit) Parse(IQueryCollection query, RecipientParser recipients, bool withPaging)
    {
        static string? Value(IQueryCollection query, string name) => query[name] is { Count: > 0 } value && value.ToString() is { Length: > 0 } text ? text : null;
        var invalid = (TaifaStatus.InvalidParameters, (MessageHistoryFilter?)null, 0);

        var limit = DefaultPageSize;
        long? before = null;
        if (withPaging)
        {
            if (Value(query, "limit") is { } limitText &&
                (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxPageSize))
            {
                return invalid;
            }

            if (Value(query, "cursor") is { } cursor)
            {
                if (!HistoryCursor.TryDecode(cursor, out var cursorId)) return invalid;
                before = cursorId;
            }
        }

        DateTimeOffset? from = null, until = null;
        if (Value(query, "from") is { } fromText)
        {
            if (!NairobiTime.TryParse(fromText, out var parsed)) return invalid;
            from = parsed;
        }

        if (Value(query, "to") is { } toText)
        {
            // "to" names a whole second, inclusive.
            if (!NairobiTime.TryParse(toText, out var parsed)) return invalid;
            until = parsed.AddSeconds(1);
        }

        if (from >= until) return invalid;

        Abstractions.Messages.MessageStatus? status = null;
        if (Value(query, "status") is { } statusText)
        {
            if (!MessageStatusJson.TryParseWireName(statusText, out var parsed)) return invalid;
            status = parsed;
        }

        string? mobile = null;
        if (Value(query, "mobile") is { } mobileText)
        {
            mobile = recipients.Parse(mobileText).MobileNumber;
            if (mobile is null) return (TaifaStatus.InvalidMobileNumber, null, 0);
        }

        var sender = Value(query, "sender_name") is { } senderText ? AccountIndex.NormalizeSenderId(senderText) : null;
        if (sender is { Length: > 15 }) return invalid;
        return (TaifaStatus.Success, new MessageHistoryFilter(before, from, until, mobile, sender, status), limit);
    }

    /// <summary>The caller's key first (1006, 1016, 1011), then the parameters; a refusal is the answer to give.</summary>
    private static async Task<(IResult? Refusal, long AccountId, MessageHistoryFilter? Query, int Limit)> Accept(
        HttpContext http, ApiKeyAccounts keys, RecipientParser recipients, IDiagnosticContext log, bool withPaging)
    {
        var caller = await keys.Resolve(http);
        if (caller is null) return (Outcome(log, TaifaStatus.InvalidApiKey), 0, null, 0);
        log.Set("AccountId", caller.Value.AccountId);
        var status = (await keys.Authorize(caller.Value)).Status;
        if (status != TaifaStatus.Success) return (Outcome(log, status), 0, null, 0);
        var (problem, query, limit) = Parse(http.Request.Query, recipients, withPaging);
        if (problem != TaifaStatus.Success) return (Outcome(log, problem), 0, null, 0);
        log.Set("Outcome", TaifaStatus.Success.Code());
        return (null, caller.Value.AccountId, query, limit);
    }

    private static IResult Outcome(IDiagnosticContext log, TaifaStatus status)
    {
        log.Set("Outcome", status.Code());
        return SmsResponses.Error(status, ResponseType.Json);
    }
}
