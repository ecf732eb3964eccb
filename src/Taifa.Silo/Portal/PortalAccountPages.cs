using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Primitives;
using Taifa.Abstractions;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Money;
using Taifa.Grains.Ledger;
using Taifa.Silo.Api;
using Taifa.Silo.Intake;
using static Taifa.Silo.Portal.PortalPage;

namespace Taifa.Silo.Portal;

/// <summary>
/// The portal's read-only account pages: message history (the filters and keyset pages of GET /v2/sms/messages), the
/// statement, and the delivery chart, each with its CSV download through the session. They parse and read exactly as
/// the API does (<see cref="MessageHistoryApi.Parse"/>, <see cref="MessageHistory"/>, the ledger), so the pages, the
/// downloads and the API always agree.
/// </summary>
public static class PortalAccountPages
{
    public const int ChartDays = 7;

    /// <summary>The statement page lists at most this many entries; its CSV has them all.</summary>
    public const int MaxStatementRows = 500;

    private static readonly int[] PageSizes = [10, 50, 200];

    public static void MapPortalAccountPages(this RouteGroupBuilder signedIn)
    {
        signedIn.MapGet("/history", History);
        signedIn.MapGet("/history/messages.csv", HistoryCsv);
        signedIn.MapGet("/statement", Statement);
        signedIn.MapGet("/statement.csv", StatementCsv);
        signedIn.MapGet("/delivery", Delivery);
    }

    /// <summary>
    /// The history filters as the API takes them. The form's datetime-local fields send "yyyy-MM-ddTHH:mm[:ss]"; they
    /// become the API's "yyyy-MM-dd HH:mm:ss" here, so a link built from them (next page, CSV) is in the API's form.
    /// </summary>
    private static Dictionary<string, StringValues> HistoryFilters(IQueryCollection query)
    {
        var filters = new Dictionary<string, StringValues>();
        foreach (var name in new[] { "from", "to", "status", "mobile", "sender_name" })
        {
            var value = query[name].ToString().Trim();
            if (value.Length == 0) continue;
            if (name is "from" or "to")
            {
                value = value.Replace('T', ' ');
                if (value.Length == 16) value += ":00";
            }

            filters[name] = value;
        }

        return filters;
    }

    private static string Link(string path, IEnumerable<KeyValuePair<string, StringValues>> parameters)
    {
        var query = new QueryBuilder(parameters.Where(p => !StringValues.IsNullOrEmpty(p.Value))).ToQueryString().Value;
        return path + query;
    }

    private static async Task<IResult> History(HttpContext http, RecipientParser recipients, MessageHistory history, CancellationToken cancellationToken)
    {
        var caller = PortalCaller.Of(http);
        var filters = HistoryFilters(http.Request.Query);
        var paging = new Dictionary<string, StringValues>(filters);
        if (http.Request.Query["limit"] is { Count: > 0 } limitText) paging["limit"] = limitText;
        if (http.Request.Query["cursor"] is { Count: > 0 } cursorText) paging["cursor"] = cursorText;
        var (problem, query, limit) = MessageHistoryApi.Parse(new QueryCollection(paging), recipients, withPaging: true);

        var form = HistoryForm(caller, filters, paging.TryGetValue("limit", out var chosen) ? chosen.ToString() : "");
        if (problem != TaifaStatus.Success) return Render(http, "Message history", FilterProblem(problem) + form, caller, StatusCodes.Status400BadRequest);

        var page = await history.ReadPage(caller.AccountId, query!, limit, cancellationToken);
        var body = new StringBuilder(form);
        body.Append("<p><a class=\"download\" href=\"").Append(Text(Link("/portal/history/messages.csv", filters)))
            .Append("\" download>Download these messages as CSV</a></p>\n");
        if (page.Messages.Count == 0)
        {
            body.Append("<p id=\"no-messages\">No messages match these filters.</p>\n");
        }
        else
        {
            body.Append("<table id=\"messages\">\n<caption>Your messages, newest first</caption>\n<thead><tr>")
                .Append("<th scope=\"col\">Accepted</th><th scope=\"col\">Mobile</th><th scope=\"col\">Sender ID</th><th scope=\"col\">Status</th>")
                .Append("<th scope=\"col\">Parts</th><th scope=\"col\">Cost</th><th scope=\"col\">Message ID</th></tr></thead>\n<tbody>\n");
            foreach (var message in page.Messages)
            {
                body.Append("<tr><td data-label=\"Accepted\">").Append(NairobiTime.Format(message.AcceptedAt))
                    .Append("</td><td data-label=\"Mobile\">").Append(Text(message.MobileNumber))
                    .Append("</td><td data-label=\"Sender ID\">").Append(Text(message.SenderId))
                    .Append("</td><td data-label=\"Status\">").Append(MessageStatusJson.WireName(message.Status))
                    .Append("</td><td data-label=\"Parts\">").Append(message.Parts.ToString(CultureInfo.InvariantCulture))
                    .Append("</td><td data-label=\"Cost\">KES ").Append(Money.Format(message.Cost))
                    .Append("</td><td data-label=\"Message ID\">").Append(message.MessageId.ToString(CultureInfo.InvariantCulture))
                    .Append("</td></tr>\n");
            }

            body.Append("</tbody>\n</table>\n");
        }

        var links = new List<string>();
        if (paging.ContainsKey("cursor")) links.Add($"<a href=\"{Text(Link("/portal/history", paging.Where(p => p.Key != "cursor")))}\">Newest messages</a>");
        if (page.NextBefore is { } before)
        {
            var next = new Dictionary<string, StringValues>(paging) { ["cursor"] = HistoryCursor.Encode(before) };
            links.Add($"<a href=\"{Text(Link("/portal/history", next))}\" rel=\"next\">Older messages</a>");
        }

        if (links.Count > 0) body.Append("<nav aria-label=\"Pages\" class=\"pages\">").AppendJoin(" ", links).Append("</nav>\n");
        return Render(http, "Message history", body.ToString(), caller);
    }

    private static string FilterProblem(TaifaStatus problem) => Notice(problem == TaifaStatus.InvalidMobileNumber
        ? "The mobile number is not a Kenyan mobile number."
        : "A filter is not valid: check that “from” is before “to”.", problem: true);

    private static string HistoryForm(PortalCaller caller, Dictionary<string, StringValues> filters, string limit)
    {
        string Value(string name) => filters.TryGetValue(name, out var value) ? value.ToString() : "";
        string Local(string name) => Value(name).Replace(' ', 'T');
        var statuses = string.Concat(DeliverySummary.Statuses.Select(MessageStatusJson.WireName).Select(s =>
            $"<option value=\"{s}\"{(Value("status") == s ? " selected" : "")}>{Capitalised(s)}</option>"));
        var senders = string.Concat(caller.Account.SenderIds.Select(s =>
            $"<option{(string.Equals(Value("sender_name"), s, StringComparison.OrdinalIgnoreCase) ? " selected" : "")}>{Text(s)}</option>"));
        var sizes = string.Concat(PageSizes.Select(n => n.ToString(CultureInfo.InvariantCulture)).Select(n =>
            $"<option{(n == (limit.Length > 0 ? limit : MessageHistoryApi.DefaultPageSize.ToString(CultureInfo.InvariantCulture)) ? " selected" : "")}>{n}</option>"));
        return $"""
            <form method="get" action="/portal/history" class="filters" role="search" aria-label="Filter messages">
            <div><label for="from">From (Nairobi time)</label>
            <input id="from" name="from" type="datetime-local" step="1" value="{Text(Local("from"))}"></div>
            <div><label for="to">To (Nairobi time)</label>
            <input id="to" name="to" type="datetime-local" step="1" value="{Text(Local("to"))}"></div>
            <div><label for="status">Status</label>
            <select id="status" name="status"><option value="">Any</option>{statuses}</select></div>
            <div><label for="mobile">Mobile number</label>
            <input id="mobile" name="mobile" type="text" inputmode="tel" autocomplete="off" value="{Text(Value("mobile"))}"></div>
            <div><label for="sender_name">Sender ID</label>
            <select id="sender_name" name="sender_name"><option value="">Any</option>{senders}</select></div>
            <div><label for="limit">Messages per page</label>
            <select id="limit" name="limit">{sizes}</select></div>
            <button type="submit">Show messages</button>
            </form>

            """;
    }


    private static async Task<IResult> HistoryCsv(HttpContext http, RecipientParser recipients, MessageHistory history, CancellationToken cancellationToken)
    {
        var caller = PortalCaller.Of(http);
        var (problem, query, _) = MessageHistoryApi.Parse(new QueryCollection(HistoryFilters(http.Request.Query)), recipients, withPaging: false);
        if (problem != TaifaStatus.Success) return Refused(http, StatusCodes.Status400BadRequest, "Message history", "A filter is not valid. Go back and check the filters.");
        http.Response.Headers.CacheControl = "no-store";
        await MessageHistoryApi.WriteCsv(http.Response, history, caller.AccountId, query!, cancellationToken);
        return Results.Empty;
    }

    /// <summary>A statement range of whole Nairobi days, both included; by default this month so far.</summary>
    private static bool TryStatementRange(HttpContext http, TimeProvider time, out DateOnly from, out DateOnly to)
    {
        var today = LedgerDays.NairobiDayOf(time.GetUtcNow());
        static bool Day(StringValues text, DateOnly fallback, out DateOnly day)
        {
            day = fallback;
            return StringValues.IsNullOrEmpty(text) || DateOnly.TryParseExact(text.ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
        }

        return Day(http.Request.Query["from"], new DateOnly(today.Year, today.Month, 1), out from) & Day(http.Request.Query["to"], today, out to)
            && from <= to && to.DayNumber - from.DayNumber < 366;
    }

    private static async Task<IResult> Statement(HttpContext http, IMessageLedger ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = PortalCaller.Of(http);
        var valid = TryStatementRange(http, time, out var from, out var to);
        var form = $"""
            <form method="get" action="/portal/statement" class="filters" aria-label="Statement period">
            <div><label for="from">From</label>
            <input id="from" name="from" type="date" required value="{Text(valid ? Day(from) : http.Request.Query["from"].ToString())}"></div>
            <div><label for="to">To (included)</label>
            <input id="to" name="to" type="date" required value="{Text(valid ? Day(to) : http.Request.Query["to"].ToString())}"></div>
            <button type="submit">Show statement</button>
            </form>

            """;
        if (!valid)
        {
            return Render(http, "Statement", Notice("Choose two dates, the first not after the second, at most a year apart.", problem: true) + form,
                caller, StatusCodes.Status400BadRequest);
        }

        var (start, end) = (LedgerDays.NairobiStartOf(from), LedgerDays.NairobiStartOf(to.AddDays(1)));
        var opening = await ledger.ReadBalanceBefore(caller.AccountId, start, cancellationToken);
        var closing = await ledger.ReadBalanceBefore(caller.AccountId, end, cancellationToken);
        var entries = await ledger.ReadEntries(caller.AccountId, start, end, 0, MaxStatementRows + 1, cancellationToken);

        var body = new StringBuilder(form);
        body.Append("<dl id=\"statement-balances\">\n<dt>Opening balance</dt><dd id=\"opening-balance\">KES ").Append(Money.Format(opening))
            .Append("</dd>\n<dt>Closing balance</dt><dd id=\"closing-balance\">KES ").Append(Money.Format(closing)).Append("</dd>\n</dl>\n")
            .Append("<p><a class=\"download\" href=\"").Append(Text(Link("/portal/statement.csv", new Dictionary<string, StringValues> { ["from"] = Day(from), ["to"] = Day(to) })))
            .Append("\" download>Download this statement as CSV</a></p>\n");
        if (entries.Count > MaxStatementRows)
        {
            body.Append(Notice($"Only the first {MaxStatementRows} entries are shown: the CSV holds them all.", problem: false));
        }

        if (entries.Count == 0)
        {
            body.Append("<p id=\"no-entries\">No money moved in this period.</p>\n");
        }
        else
        {
            body.Append("<table id=\"entries\">\n<caption>Every change to your balance, oldest first</caption>\n<thead><tr>")
                .Append("<th scope=\"col\">Time</th><th scope=\"col\">Kind</th><th scope=\"col\">Amount</th><th scope=\"col\">Balance</th><th scope=\"col\">Message ID or reference</th></tr></thead>\n<tbody>\n");
            foreach (var entry in entries.Take(MaxStatementRows))
            {
                body.Append("<tr><td data-label=\"Time\">").Append(NairobiTime.Format(entry.At))
                    .Append("</td><td data-label=\"Kind\">").Append(entry.Kind.Name())
                    .Append("</td><td data-label=\"Amount\" class=\"amount\">").Append(Money.Format(entry.Amount))
                    .Append("</td><td data-label=\"Balance\" class=\"amount\">").Append(Money.Format(entry.BalanceAfter))
                    .Append("</td><td data-label=\"Message ID or reference\">").Append(Text(entry.MessageId?.ToString(CultureInfo.InvariantCulture) ?? entry.Reference))
                    .Append("</td></tr>\n");
            }

            body.Append("</tbody>\n</table>\n");
        }

        return Render(http, "Statement", body.ToString(), caller);
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static IResult StatementCsv(HttpContext http, IMessageLedger ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = PortalCaller.Of(http);
        if (!TryStatementRange(http, time, out var from, out var to))
        {
            return Refused(http, StatusCodes.Status400BadRequest, "Statement", "Choose two dates, the first not after the second, at most a year apart.");
        }

        http.Response.Headers.CacheControl = "no-store";
        return StatementApi.CsvDownload(ledger, caller.AccountId, LedgerDays.NairobiStartOf(from), LedgerDays.NairobiStartOf(to.AddDays(1)), cancellationToken);
    }

    private static async Task<IResult> Delivery(HttpContext http, DeliverySummary summary, CancellationToken cancellationToken)
    {
        var caller = PortalCaller.Of(http);
        var days = await summary.Read(caller.AccountId, ChartDays, cancellationToken);
        return Render(http, "Delivery", DeliveryChart.Render(days), caller);
    }
}
