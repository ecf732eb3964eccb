using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Taifa.Silo.Dispatch;
using Taifa.Silo.Tests.Inbound;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Smpp.Pdus;

namespace Taifa.Silo.Tests.Portal;

/// <summary>
/// The portal's inbound messages and opt-out pages over HTTP: inbound messages arrive as the built-in simulator's
/// deliver_sm to a number routed to the account, and each page is compared with the API that serves the same data.
/// Runs embedded (<see cref="EmbeddedPortalInboundPagesTests"/>) and on PostgreSQL (<see cref="PostgresPortalInboundPagesTests"/>).
/// </summary>
public abstract partial class PortalInboundPagesTests(ModeGateway fixture)
{
    private GatewayFactory Gateway => fixture.Gateway;

    [Fact]
    public async Task Inbound_messages_are_listed_newest_first_in_cursor_pages_and_only_the_accounts_own()
    {
        var (user, number) = await UserWithNumberAsync();
        var (other, otherNumber) = await UserWithNumberAsync();
        await DeliverAsync("254702739804", number, "Habari <b>Taifa</b>");
        await DeliverAsync("254733123456", number, "JOIN now");
        await DeliverAsync("254771234567", number, "STOP");
        await DeliverAsync("254702000999", otherNumber, "for the other account");
        using var session = await PortalSession.LogInAsync(Gateway, user);
        await Waits.Eventually(async () => Rows((await session.GetAsync("/portal/inbound")).Html).Count == 3, "three inbound messages on the page");

        var (status, html) = await session.GetAsync("/portal/inbound?limit=2");
        Assert.Equal(HttpStatusCode.OK, status);
        var first = Rows(html);
        Assert.Equal([("254771234567", number, "None", "STOP", "Yes"), ("254733123456", number, "None", "JOIN now", "No")], first.Select(r => (r.From, r.To, r.Keyword, r.Text, r.OptOut)));
        Assert.DoesNotContain("Newest messages", html, StringComparison.Ordinal);
        var older = Older(html) ?? throw new InvalidOperationException("no Older messages link:\n" + html);
        Assert.Matches(@"^/portal/inbound\?limit=2&cursor=[0-9]+$", older);
        (status, html) = await session.GetAsync(older);
        Assert.Equal(HttpStatusCode.OK, status);
        var second = Assert.Single(Rows(html));
        Assert.Equal(("254702739804", "Habari &lt;b&gt;Taifa&lt;/b&gt;", "No"), (second.From, second.Text, second.OptOut));
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", second.Received);
        Assert.Contains(">Newest messages</a>", html, StringComparison.Ordinal);
        Assert.Null(Older(html));

        // The same messages and order as GET /v2/sms/inbound, with received_at in the same Nairobi time.
        using var client = Gateway.CreateClient();
        var api = (await client.GetJsonAsync("/v2/sms/inbound", user.Account.ApiKey))["messages"]!.AsArray();
        Assert.Equal(api.Select(m => (m!["from"]!.GetValue<string>(), m["received_at"]!.GetValue<string>())),
            first.Append(second).Select(r => (r.From, r.Received)));

        var all = (await session.GetAsync("/portal/inbound")).Html;
        Assert.DoesNotContain("for the other account", all, StringComparison.Ordinal);
        Assert.DoesNotContain(otherNumber, all, StringComparison.Ordinal);
        using var otherSession = await PortalSession.LogInAsync(Gateway, other);
        var theirs = Assert.Single(Rows((await otherSession.GetAsync("/portal/inbound")).Html));
        Assert.Equal("for the other account", theirs.Text);
        // A cursor taken from another account's page still shows only this account's messages.
        Assert.Empty(Rows((await otherSession.GetAsync(older)).Html));

        Assert.Equal(HttpStatusCode.BadRequest, (await session.GetAsync("/portal/inbound?cursor=abc")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await session.GetAsync("/portal/inbound?limit=0")).Status);

        // STOP put the sender on the opt-out list, marked as coming from an inbound message.
        await Waits.Eventually(async () => OptOutRows((await session.GetAsync("/portal/optouts")).Html).Contains(("254771234567", "inbound")), "the STOP sender on the opt-out page");
    }

    [Fact]
    public async Task The_inbound_webhook_is_set_validated_like_the_api_and_removed()
    {
        var (user, _) = await UserWithNumberAsync();
        var (other, _) = await UserWithNumberAsync();
        using var session = await PortalSession.LogInAsync(Gateway, user);
        Assert.Contains("No inbound webhook is set", (await session.GetAsync("/portal/inbound")).Html, StringComparison.Ordinal);

        var (status, html) = await session.PostAsync("/portal/inbound/webhook", Url(" https://hooks.duka.co.ke/inbound?x=1&y=2 "), formPage: "/portal/inbound");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("role=\"status\">The inbound webhook was saved.", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/portal/inbound\" aria-current=\"page\">Inbound messages</a>", html, StringComparison.Ordinal);
        Assert.Contains("<p id=\"webhook\" class=\"secret\">https://hooks.duka.co.ke/inbound?x=1&amp;y=2</p>", html, StringComparison.Ordinal);
        Assert.Contains("Remove webhook", html, StringComparison.Ordinal);

        foreach (var refused in new[] { "http://127.0.0.1/hook", "ftp://hooks.duka.co.ke/", "not a url", "https://hooks.duka.co.ke/" + new string('a', 2048) })
        {
            (status, html) = await session.PostAsync("/portal/inbound/webhook", Url(refused), formPage: "/portal/inbound");
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains("role=\"alert\">The webhook URL must be a whole http:// or https:// address", html, StringComparison.Ordinal);
            Assert.Contains("<p id=\"webhook\" class=\"secret\">https://hooks.duka.co.ke/inbound?x=1&amp;y=2</p>", html, StringComparison.Ordinal);
        }

        // The API refuses what the page refuses.
        using var client = Gateway.CreateClient();
        var answer = (await client.PostRawAsync("/v2/sms/inbound-webhook", user.Account.ApiKey, """{"url":"http://127.0.0.1/hook"}""")).Body;
        Assert.DoesNotContain("\"1000\"", answer, StringComparison.Ordinal);

        // Without the session's anti-forgery token nothing changes.
        using var otherSession = await PortalSession.LogInAsync(Gateway, other);
        Assert.Equal(HttpStatusCode.BadRequest, (await session.PostAsync("/portal/inbound/webhook", Url(""))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await session.PostAsync("/portal/inbound/webhook", Url(""), token: PortalSession.Token((await otherSession.GetAsync("/portal/inbound")).Html))).Status);
        Assert.Contains("https://hooks.duka.co.ke/inbound?x=1&amp;y=2", (await session.GetAsync("/portal/inbound")).Html, StringComparison.Ordinal);
        Assert.DoesNotContain("hooks.duka.co.ke", (await otherSession.GetAsync("/portal/inbound")).Html, StringComparison.Ordinal);

        (status, html) = await session.PostAsync("/portal/inbound/webhook", Url(""), formPage: "/portal/inbound");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("role=\"status\">The inbound webhook was removed.", html, StringComparison.Ordinal);
        Assert.Contains("No inbound webhook is set", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Remove webhook", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_number_is_added_to_the_opt_out_list_normalised_refused_by_sends_and_removed_by_a_post()
    {
        var (user, _) = await UserWithNumberAsync();
        var (other, _) = await UserWithNumberAsync();
        using var session = await PortalSession.LogInAsync(Gateway, user);
        using var client = Gateway.CreateClient();
        Assert.Contains("No numbers are on your opt-out list.", (await session.GetAsync("/portal/optouts")).Html, StringComparison.Ordinal);

        var (status, html) = await session.PostAsync("/portal/optouts", Mobile("+254 702 739 804"), formPage: "/portal/optouts");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("role=\"status\">254702739804 is on your opt-out list.", html, StringComparison.Ordinal);
        Assert.Equal([("254702739804", "api")], OptOutRows(html));
        var api = Assert.Single((await client.GetJsonAsync("/v2/sms/optouts", user.Account.ApiKey))["optouts"]!.AsArray())!;
        Assert.Equal(("254702739804", "api"), (api["mobile"]!.GetValue<string>(), api["source"]!.GetValue<string>()));
        Assert.Contains($"<td data-label=\"Added\">{api["created_at"]!.GetValue<string>()}</td>", html, StringComparison.Ordinal);
        var sent = await client.SendSmsAsync(user.Account.ApiKey, new { mobile = "0702739804", sender_name = user.Account.SenderId, message = "Offer" });
        Assert.Equal("1017", sent[0]!.Code());

        (status, html) = await session.PostAsync("/portal/optouts", Mobile("0200123456"), formPage: "/portal/optouts");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("role=\"alert\">The number 0200123456 is not a Kenyan mobile number. Nothing was added.", html, StringComparison.Ordinal);
        Assert.Equal([("254702739804", "api")], OptOutRows(html));

        // Another account sees none of it, and a form without this session's token changes nothing.
        using var otherSession = await PortalSession.LogInAsync(Gateway, other);
        Assert.Empty(OptOutRows((await otherSession.GetAsync("/portal/optouts")).Html));
        Assert.Equal(HttpStatusCode.BadRequest, (await session.PostAsync("/portal/optouts/remove", Mobile("254702739804"))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await session.PostAsync("/portal/optouts", Mobile("0733123456"), token: "forged")).Status);
        Assert.Equal(HttpStatusCode.BadRequest,
            (await session.PostAsync("/portal/optouts/remove", Mobile("254702739804"), token: PortalSession.Token((await otherSession.GetAsync("/portal/optouts")).Html))).Status);
        Assert.Equal([("254702739804", "api")], OptOutRows((await session.GetAsync("/portal/optouts")).Html));
        // Removing from the other account's session leaves this account's list alone.
        await otherSession.PostAsync("/portal/optouts/remove", Mobile("254702739804"), formPage: "/portal/optouts");
        Assert.Equal([("254702739804", "api")], OptOutRows((await session.GetAsync("/portal/optouts")).Html));

        // The remove button is a form with the session's token and the number.
        var page = (await session.GetAsync("/portal/optouts")).Html;
        Assert.Matches("<form method=\"post\" action=\"/portal/optouts/remove\"><input type=\"hidden\" name=\"csrf_token\" value=\"[^\"]+\"><input type=\"hidden\" name=\"mobile\" value=\"254702739804\"><button type=\"submit\" class=\"secondary\" aria-label=\"Remove 254702739804\">Remove</button></form>", page);
        (status, html) = await session.PostAsync("/portal/optouts/remove", Mobile("254702739804"), token: PortalSession.Token(page));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("role=\"status\">254702739804 was taken off your opt-out list.", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/portal/optouts\" aria-current=\"page\">Opt-outs</a>", html, StringComparison.Ordinal);
        Assert.Empty(OptOutRows(html));
        Assert.Empty((await client.GetJsonAsync("/v2/sms/optouts", user.Account.ApiKey))["optouts"]!.AsArray());
        sent = await client.SendSmsAsync(user.Account.ApiKey, new { mobile = "0702739804", sender_name = user.Account.SenderId, message = "Offer" });
        Assert.Equal("1000", sent[0]!.Code());

        Assert.Equal(HttpStatusCode.Found, (await PortalSession.InMemory(Gateway).GetAsync("/portal/optouts")).Status);
    }

    private static Dictionary<string, string> Url(string url) => new() { ["url"] = url };

    private static Dictionary<string, string> Mobile(string mobile) => new() { ["mobile"] = mobile };

    /// <summary>An account with a portal user and an inbound number of its own.</summary>
    private async Task<(PortalUser User, string Number)> UserWithNumberAsync()
    {
        var account = await Gateway.OpenAccountAsync(100m, 1m);
        var number = Random.Shared.Next(20_000, 99_999).ToString(CultureInfo.InvariantCulture);
        using var admin = Gateway.CreateAdminClient();
        using var routed = await admin.PostAsJsonAsync($"/v2/admin/accounts/{account.AccountId}/inbound-numbers", new { number });
        Assert.Equal(HttpStatusCode.Created, routed.StatusCode);
        return (await PortalUser.AddAsync(Gateway, account), number);
    }

    private async Task DeliverAsync(string from, string to, string text)
    {
        var safaricom = Gateway.Services.GetRequiredService<BuiltInOperators>().Simulators["safaricom"];
        Assert.Equal(CommandStatus.Ok, await InboundEndToEndTests.DeliverAsync(safaricom, InboundEndToEndTests.Mo(from, to, text)));
    }

    private static List<(string Received, string From, string To, string Keyword, string Text, string OptOut)> Rows(string html) =>
        [.. InboundRow().Matches(html).Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value, m.Groups[5].Value, m.Groups[6].Value))];

    private static List<(string Mobile, string Source)> OptOutRows(string html) =>
        [.. OptOutRow().Matches(html).Select(m => (m.Groups[1].Value, m.Groups[2].Value))];

    private static string? Older(string html) => OlderLink().Match(html) is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value) : null;

    [GeneratedRegex("<tr><td data-label=\"Received\">([^<]+)</td><td data-label=\"From\">([^<]*)</td><td data-label=\"To\">([^<]*)</td><td data-label=\"Keyword\">([^<]*)</td><td data-label=\"Text\" class=\"message-text\">([^<]*)</td><td data-label=\"Opt-out\">(Yes|No)</td></tr>")]
    private static partial Regex InboundRow();

    [GeneratedRegex("<tr><td data-label=\"Mobile\">([0-9]+)</td><td data-label=\"Source\">(inbound|api)</td>")]
    private static partial Regex OptOutRow();

    [GeneratedRegex("<a href=\"([^\"]+)\" rel=\"next\">Older messages</a>")]
    private static partial Regex OlderLink();
}

public sealed class EmbeddedPortalInboundPagesTests(EmbeddedModeGateway gateway) : PortalInboundPagesTests(gateway), IClassFixture<EmbeddedModeGateway>;

public sealed class PostgresPortalInboundPagesTests(PostgresModeGateway gateway) : PortalInboundPagesTests(gateway), IClassFixture<PostgresModeGateway>;
