using System.Globalization;
using Serilog;
using Taifa.Abstractions;
using Taifa.Abstractions.Messages;
using Taifa.Grains.Ledger;
using Taifa.Silo.Intake;

namespace Taifa.Silo.Api;

/// <summary>
/// GET /v2/sms/delivery-summary?days=N: how many of the caller's messages were accepted on each of the last N Nairobi
/// days (today included), by status, as one ledger aggregate (<see cref="IMessageLedger.CountByDay"/>). The portal's
/// delivery chart shows the same numbers.
/// </summary>
public static class DeliverySummaryApi
{
    public const int DefaultDays = 7;
    public const int MaxDays = 31;

    public static void MapDeliverySummary(this RouteGroupBuilder v2) =>
        v2.MapGet("/delivery-summary", Summary).WithSummary("Your messages per Nairobi day and status over the last days");

    private static async Task<IResult> Summary(HttpContext http, ApiKeyAccounts keys, DeliverySummary summary, IDiagnosticContext log, CancellationToken cancellationToken)
    {
        var caller = await keys.Resolve(http);
        if (caller is null) return Refuse(log, TaifaStatus.InvalidApiKey);
        log.Set("AccountId", caller.Value.AccountId);
        var check = (await keys.Authorize(caller.Value)).Status;
        if (check != TaifaStatus.Success) return Refuse(log, check);

        var days = DefaultDays;
        if (http.Request.Query["days"] is { Count: > 0 } daysText &&
            (!int.TryParse(daysText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out days) || days is < 1 or > MaxDays))
        {
            return Refuse(log, TaifaStatus.InvalidParameters);
        }

        var counted = await summary.Read(caller.Value.AccountId, days, cancellationToken);
        log.Set("Outcome", TaifaStatus.Success.Code());
        return SmsResponses.Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("status_code", TaifaStatus.Success.Code());
            writer.WriteString("status_desc", TaifaStatus.Success.Description());
            writer.WriteStartArray("days");
            foreach (var day in counted)
            {
                writer.WriteStartObject();
                writer.WriteString("date", day.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                writer.WriteNumber("total", day.Total);
                foreach (var status in DeliverySummary.Statuses) writer.WriteNumber(MessageStatusJson.WireName(status), day.Count(status));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    private static IResult Refuse(IDiagnosticContext log, TaifaStatus status)
    {
        log.Set("Outcome", status.Code());
        return SmsResponses.Error(status, ResponseType.Json);
    }
}

/// <summary>An account's messages per Nairobi day and status over its last days, every day listed (oldest first), none read one by one.</summary>
public sealed class DeliverySummary(IMessageLedger ledger, TimeProvider time)
{
    /// <summary>Every status a message can have, in lifecycle order: the fields of a summary day.</summary>
    /// <summary>In the order of a message's life: waiting, on its way, then the final states.</summary>
    public static readonly IReadOnlyList<MessageStatus> Statuses =
    [
        MessageStatus.Scheduled, MessageStatus.Queued, MessageStatus.Submitted, MessageStatus.Delivered, MessageStatus.Undelivered,
        MessageStatus.Expired, MessageStatus.Rejected, MessageStatus.Failed, MessageStatus.Cancelled,
    ];

    public async Task<IReadOnlyList<DeliveryDay>> Read(long accountId, int days, CancellationToken cancellationToken)
    {
        var today = LedgerDays.NairobiDayOf(time.GetUtcNow());
        var first = today.AddDays(1 - days);
        var counts = await ledger.CountByDay(accountId, LedgerDays.NairobiStartOf(first), LedgerDays.NairobiStartOf(today.AddDays(1)), cancellationToken);
        return [.. Enumerable.Range(0, days).Select(i => first.AddDays(i)).Select(day =>
            new DeliveryDay(day, counts.Where(c => c.Day == day).ToDictionary(c => c.Status, c => c.Count)))];
    }
}

public sealed record DeliveryDay(DateOnly Day, IReadOnlyDictionary<MessageStatus, long> Counts)
{
    public long Total => Counts.Values.Sum();

    public long Count(MessageStatus status) => Counts.GetValueOrDefault(status);
}
