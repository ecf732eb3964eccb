using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Taifa.Grains.Ledger;
using Taifa.Silo.Api;
using Taifa.Silo.Tests.Api;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Portal;

/// <summary>
/// The portal's history, statement, delivery chart and rate card over HTTP, each compared with the API that serves the
/// same numbers. Runs embedded (<see cref="EmbeddedPortalAccountPagesTests"/>) and on PostgreSQL (<see cref="PostgresPortalAccountPagesTests"/>).
/// </summary>
public abstract partial class PortalAccountPagesTests(ModeGateway fixture)
{
    private static readonly string[] Mobiles = ["254702739804", "254733123456", "254771234567"];

    private GatewayFactory Gateway => fixture.Gateway;

    [Fact]
    public async Task History_filters_and_pages_the_accounts_messages_newest_first()
    {
        var (user, sent) = await UserWithMessagesAsync(5);
        using var session = await LogInAsync(user);

        var (status, html) = await session.GetAsync("/portal/history?limit=2");
        Assert.Equal(HttpStatusCode.OK, status);
        var seen = new List<string>(MessageIds(html));
        Assert.DoesNotContain("Newest messages", html, StringComparison.Ordinal);
        while (Older(html) is { } next)
        {
            (status, html) = await session.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains(">Newest messages</a>", html, StringComparison.Ordinal);
            seen.AddRange(MessageIds(html));
        }

        Assert.Equal(sent.AsEnumerable().Reverse(), seen);
        Assert.Equal([sent[4], sent[1]], MessageIds((await session.GetAsync("/portal/history?mobile=0733123456")).Html));
        Assert.Equal([sent[3], sent[1]], MessageIds((await session.GetAsync($"/portal/history?sender_name={user.Account.SenderId}B")).Html));
        Assert.Equal(sent.AsEnumerable().Reverse(), MessageIds((await session.GetAsync("/portal/history?status=&from=" + Local(-1) + "&to=" + Local(1))).Html));
        var none = (await session.GetAsync("/portal/history?from=" + Local(1))).Html;
        Assert.Empty(MessageIds(none));
        Assert.Contains("No messages match these filters.", none, StringComparison.Ordinal);

        var (badStatus, badHtml) = await session.GetAsync("/portal/history?mobile=0200123456");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.Contains("role=\"alert\">The mobile number is not a Kenyan mobile number.", badHtml, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await session.GetAsync($"/portal/history?from={Local(1)}&to={Local(-1)}")).Status);
    }

    [Fact]
    public async Task The_history_csv_comes_through_the_session_with_the_pages_filters_and_is_the_apis()
    {
        var (user, _) = await UserWithMessagesAsync(4, serviceId: "=HYPERLINK(\"http://evil.example\")");
        using var session = await LogInAsync(user);
        var filters = $"mobile=0702739804&from={Local(-1)}";
        var apiPath = "/v2/sms/messages.csv?mobile=0702739804&from=" + Local(-1).Replace('T', ' ') + ":00";
        using var client = Gateway.CreateClient();
        // The two downloads are compared byte for byte, so the messages must first be past the simulators' submit and receipt.
        await Waits.Eventually(async () => await ApiCsvAsync(client, user.Account, apiPath) is var settled &&
            !settled.Contains(",queued,", StringComparison.Ordinal) && !settled.Contains(",submitted,", StringComparison.Ordinal), "the messages delivered");

        var page = (await session.GetAsync("/portal/history?" + filters)).Html;
        var link = Download(page, "Download these messages as CSV");
        var (status, csv) = await session.GetAsync(link);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text/csv", session.Last!.Content.Headers.ContentType!.MediaType);
        Assert.Equal("messages.csv", session.Last.Content.Headers.ContentDisposition!.FileName!.Trim('"'));
        Assert.Equal("no-store", session.Last.Headers.CacheControl!.ToString());
        Assert.Equal(await ApiCsvAsync(client, user.Account, apiPath), csv);
        var lines = csv.TrimEnd('\r', '\n').Split("\r\n");
        Assert.Equal(3, lines.Length);
        // The customer's service_id would be a formula in a spreadsheet: the guard makes it text.
        Assert.All(lines.Skip(1), line => Assert.Contains(",\"'=HYPERLINK(\"\"http://evil.example\"\")\",", line, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, (await session.GetAsync("/portal/history/messages.csv?mobile=0200123456")).Status);
        Assert.Equal("text/html", session.Last!.Content.Headers.ContentType!.MediaType);

        using var stranger = PortalSession.InMemory(Gateway);
        Assert.Equal(HttpStatusCode.Found, (await stranger.GetAsync(link)).Status);
        Assert.Equal("/portal/login", stranger.Last!.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task The_statement_shows_opening_and_closing_balances_and_every_entry_and_its_csv_is_the_apis()
    {
        var (user, sent) = await UserWithMessagesAsync(2, credit: 10m);
        using var session = await LogInAsync(user);
        var today = LedgerDays.NairobiDayOf(DateTimeOffset.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        var (status, html) = await session.GetAsync($"/portal/statement?from={today}&to={today}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("id=\"opening-balance\">KES 0.00<", html, StringComparison.Ordinal);
        Assert.Contains("id=\"closing-balance\">KES 8.00<", html, StringComparison.Ordinal);
        Assert.Equal(
            [("credit", "10.00", "10.00", "opening"), ("debit", "-1.00", "9.00", sent[0]), ("debit", "-1.00", "8.00", sent[1])],
            EntryRow().Matches(html).Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value)));
        Assert.Contains("KES 8.00", (await session.GetAsync("/portal/statement")).Html, StringComparison.Ordinal);

        var (csvStatus, csv) = await session.GetAsync(Download(html, "Download this statement as CSV"));
        Assert.Equal(HttpStatusCode.OK, csvStatus);
        Assert.Equal("statement.csv", session.Last!.Content.Headers.ContentDisposition!.FileNameStar ?? session.Last.Content.Headers.ContentDisposition.FileName!.Trim('"'));
        using var client = Gateway.CreateClient();
        Assert.Equal(await ApiCsvAsync(client, user.Account, $"/v2/sms/statement.csv?from={today} 00:00:00&to={today} 23:59:59"), csv);
        Assert.Contains($",debit,-1.00,9.00,{sent[0]},", csv, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.BadRequest, (await session.GetAsync("/portal/statement?from=2026-12-02&to=2026-12-01")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await session.GetAsync("/portal/statement?from=2026-12-01%2000:00")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await session.GetAsync("/portal/statement.csv?from=2025-01-01&to=2026-12-01")).Status);
    }

    [Fact]
    public async Task The_delivery_chart_draws_the_last_seven_days_with_the_numbers_the_api_answers()
    {
        var (user, sent) = await UserWithMessagesAsync(3);
        using var client = Gateway.CreateClient();
        var summary = await DeliverySummaryTests.SettledSummaryAsync(client, user.Account, sent.Count, "?days=7");
        using var session = await LogInAsync(user);

        var (status, html) = await session.GetAsync("/portal/delivery");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<svg id=\"delivery-chart\" class=\"chart\" viewBox=\"0 0 360 220\" role=\"img\" aria-labelledby=\"delivery-chart-title delivery-chart-desc\"", html, StringComparison.Ordinal);
        Assert.Contains("<title id=\"delivery-chart-title\">Messages per day over the last 7 days, by status</title>", html, StringComparison.Ordinal);
        Assert.Matches("<desc id=\"delivery-chart-desc\">3 messages in the last 7 days, [0-3] delivered", html);
        var days = summary["days"]!.AsArray();
        Assert.Equal(
            days.Select(d => (d!["date"]!.GetValue<string>(), d["total"]!.GetValue<long>().ToString(CultureInfo.InvariantCulture))),
            Bars().Matches(html).Select(m => (m.Groups[1].Value, m.Groups[2].Value)));
        var busiest = days.Single(d => d!["total"]!.GetValue<long>() == 3)!;
        var segments = Segments().Matches(html[html.IndexOf($"data-date=\"{busiest["date"]!.GetValue<string>()}\" data-total", StringComparison.Ordinal)..].Split("</g>")[0]);
        Assert.Equal(3, segments.Sum(m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)));
        foreach (Match segment in segments) Assert.Equal(busiest[segment.Groups[1].Value]!.GetValue<long>().ToString(CultureInfo.InvariantCulture), segment.Groups[2].Value);
        Assert.Contains($"<tr data-date=\"{busiest["date"]!.GetValue<string>()}\"><th scope=\"row\" data-label=\"Day\">{busiest["date"]!.GetValue<string>()}</th><td data-label=\"Total\" data-status=\"total\">3</td>", html, StringComparison.Ordinal);
        DeliverySummaryTests.AssertStatuses(days, sent.Count);
    }

    [Fact]
    public async Task The_balance_page_shows_the_rate_card_default_and_per_network()
    {
        var (user, _) = await UserWithMessagesAsync(0);
        using var session = await LogInAsync(user);
        Assert.Contains("<th scope=\"row\">Every network</th><td data-label=\"Price per part\">KES 1.00</td>", (await session.GetAsync("/portal/")).Html, StringComparison.Ordinal);

        using (var admin = Gateway.CreateAdminClient())
        {
            using var response = await admin.PutAsync($"/v2/admin/accounts/{user.Account.AccountId}/prices",
                new StringContent("""{"default":1.10,"networks":{"2":0.65,"1":0.80}}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var html = (await session.GetAsync("/portal/")).Html;
        Assert.Equal(
            [("1", "Safaricom", "0.80"), ("2", "Airtel", "0.65"), ("default", "Every other network", "1.10")],
            PriceRow().Matches(html).Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value)));
    }

    /// <summary>An account with a portal user and two sender IDs (…A, …B, alternating), its messages round the three networks; their ids in order.</summary>
    private async Task<(PortalUser User, List<string> Sent)> UserWithMessagesAsync(int count, decimal credit = 100m, string? serviceId = null)
    {
        var prefix = "P" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var account = await Gateway.OpenAccountAsync(credit, 1m, prefix + "A", prefix + "B");
        var user = await PortalUser.AddAsync(Gateway, account);

        using var client = Gateway.CreateClient();
        var sent = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var (mobile, sender, message) = (Mobiles[i % 3], prefix + (i % 2 == 0 ? "A" : "B"), "portal " + i);
            var answer = await client.SendSmsAsync(account.ApiKey, serviceId is null
                ? new { mobile, sender_name = sender, message }
                : new { mobile, sender_name = sender, message, service_id = serviceId });
            Assert.Equal("1000", answer[0]!.Code());
            sent.Add(answer[0]!["message_id"]!.GetValue<string>());
        }

        return (user with { Account = account with { SenderId = prefix } }, sent);
    }

    private Task<PortalSession> LogInAsync(PortalUser user) => PortalSession.LogInAsync(Gateway, user);

    /// <summary>Nairobi time an hour from now (or ago), as a datetime-local field sends it.</summary>
    private static string Local(int hours) =>
        NairobiTime.Format(DateTimeOffset.UtcNow.AddHours(hours)).Replace(' ', 'T')[..16];

    private static async Task<string> ApiCsvAsync(HttpClient client, TestAccount account, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("h_api_key", account.ApiKey);
        using var response = await client.SendAsync(request);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    private static List<string> MessageIds(string html) => [.. MessageCell().Matches(html).Select(m => m.Groups[1].Value)];

    private static string? Older(string html) => OlderLink().Match(html) is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value) : null;

    private static string Download(string html, string text) =>
        Regex.Match(html, $"<a class=\"download\" href=\"([^\"]+)\" download>{Regex.Escape(text)}</a>") is { Success: true } match
            ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : throw new InvalidOperationException($"no \"{text}\" link on the page:\n" + html);

    [GeneratedRegex("<td data-label=\"Message ID\">([0-9]+)</td>")]
    private static partial Regex MessageCell();

    [GeneratedRegex("<a href=\"([^\"]+)\" rel=\"next\">Older messages</a>")]
    private static partial Regex OlderLink();

    [GeneratedRegex("<td data-label=\"Kind\">([a-z]+)</td><td data-label=\"Amount\" class=\"amount\">([-0-9.]+)</td><td data-label=\"Balance\" class=\"amount\">([-0-9.]+)</td><td data-label=\"Message ID or reference\">([^<]*)</td>")]
    private static partial Regex EntryRow();

    [GeneratedRegex("<g class=\"bar\" data-date=\"([0-9-]+)\" data-total=\"([0-9]+)\">")]
    private static partial Regex Bars();

    [GeneratedRegex("<rect class=\"s-[a-z]+\" data-status=\"([a-z]+)\" data-count=\"([0-9]+)\"")]
    private static partial Regex Segments();

    [GeneratedRegex("<tr data-network-id=\"([a-z0-9]+)\"><th scope=\"row\">([^<]+)</th><td data-label=\"Price per part\">KES ([0-9.]+)</td></tr>")]
    private static partial Regex PriceRow();
}

public sealed class EmbeddedPortalAccountPagesTests(EmbeddedModeGateway gateway) : PortalAccountPagesTests(gateway), IClassFixture<EmbeddedModeGateway>;

public sealed class PostgresPortalAccountPagesTests(PostgresModeGateway gateway) : PortalAccountPagesTests(gateway), IClassFixture<PostgresModeGateway>;
