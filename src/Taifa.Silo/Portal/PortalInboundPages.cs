using System.Text;
using Microsoft.AspNetCore.Http.Extensions;
using Serilog;
using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Inbound;
using Taifa.Grains.Inbound;
using Taifa.Silo.Api;
using Taifa.Silo.Intake;
using static Taifa.Silo.Portal.PortalPage;

namespace Taifa.Silo.Portal;

/// <summary>
/// The portal's two-way pages: inbound messages with the inbound webhook, and the opt-out list. They read and write
/// through what <see cref="InboundApi"/> uses (the inbound store, the account grain's opt-out list, its page parsing
/// and webhook rule), so the pages and <c>/v2/sms/inbound</c>, <c>/v2/sms/optouts</c> always agree.
/// </summary>
public static class PortalInboundPages
{
    public static void MapPortalInboundPages(this RouteGroupBuilder signedIn)
    {
        signedIn.MapGet("/inbound", Inbound);
        signedIn.MapPost("/inbound/webhook", SetWebhook);
        signedIn.MapGet("/optouts", OptOuts);
        signedIn.MapPost("/optouts", AddOptOut);
        signedIn.MapPost("/optouts/remove", RemoveOptOut);
    }

    private static Task<IResult> Inbound(HttpContext http, IInboundStore store) => InboundPage(http, store, "", null, StatusCodes.Status200OK);

    private static async Task<IResult> InboundPage(HttpContext http, IInboundStore store, string notice, string? enteredUrl, int statusCode)
    {
        var caller = PortalCaller.Of(http);
        var webhook = await store.Webhook(caller.AccountId);
        var body = new StringBuilder(notice);
        body.Append(webhook is null
            ? "<p id=\"webhook\">No inbound webhook is set: messages wait here, and on your SMPP receiver sessions.</p>\n"
            : $"<p>Each inbound message is POSTed as JSON to</p>\n<p id=\"webhook\" class=\"secret\">{Text(webhook)}</p>\n");
        body.Append($"""
            <form method="post" action="/portal/inbound/webhook" class="stacked">
            {Token(http)}
            <div><label for="url">Webhook URL</label>
            <span class="hint" id="url-hint">An http:// or https:// address on the internet, at most 2048 characters</span>
            <input id="url" name="url" type="url" required maxlength="2048" autocomplete="off" aria-describedby="url-hint" value="{Text(enteredUrl ?? webhook)}"></div>
            <button type="submit">Save webhook</button>
            </form>

            """);
        if (webhook is not null)
        {
            body.Append($"""
                <form method="post" action="/portal/inbound/webhook" class="stacked">
                {Token(http)}
                <input type="hidden" name="url" value="">
                <button type="submit" class="secondary">Remove webhook</button>
                </form>

                """);
        }

        if (!InboundApi.TryParsePage(http.Request.Query, out var limit, out var cursor))
        {
            body.Append(Notice("This page link is not valid.", problem: true)).Append("<p><a href=\"/portal/inbound\">Newest messages</a></p>\n");
            return Render(http, "Inbound messages", body.ToString(), caller, StatusCodes.Status400BadRequest);
        }

        var messages = await store.List(caller.AccountId, limit, cursor);
        if (messages.Count == 0)
        {
            body.Append(cursor is null ? "<p id=\"no-messages\">No inbound messages yet.</p>\n" : "<p id=\"no-messages\">No older messages.</p>\n");
        }
        else
        {
            body.Append("<table id=\"inbound\">\n<caption>Messages sent to your numbers, newest first</caption>\n<thead><tr>")
                .Append("<th scope=\"col\">Received</th><th scope=\"col\">From</th><th scope=\"col\">To</th><th scope=\"col\">Keyword</th>")
                .Append("<th scope=\"col\">Text</th><th scope=\"col\">Opt-out</th></tr></thead>\n<tbody>\n");
            foreach (var message in messages)
            {
                body.Append("<tr><td data-label=\"Received\">").Append(NairobiTime.Format(message.ReceivedAt))
                    .Append("</td><td data-label=\"From\">").Append(Text(message.From))
                    .Append("</td><td data-label=\"To\">").Append(Text(message.To))
                    .Append("</td><td data-label=\"Keyword\">").Append(message.Keyword is null ? "None" : Text(message.Keyword))
                    .Append("</td><td data-label=\"Text\" class=\"message-text\">").Append(Text(message.Text))
                    .Append("</td><td data-label=\"Opt-out\">").Append(message.OptOut ? "Yes" : "No")
                    .Append("</td></tr>\n");
            }

            body.Append("</tbody>\n</table>\n");
        }

        var links = new List<string>();
        var limitParameter = http.Request.Query["limit"].ToString();
        if (cursor is not null) links.Add($"<a href=\"{Text(PageLink(limitParameter, null))}\">Newest messages</a>");
        if (InboundApi.NextCursor(messages, limit) is { } next) links.Add($"<a href=\"{Text(PageLink(limitParameter, next))}\" rel=\"next\">Older messages</a>");
        if (links.Count > 0) body.Append("<nav aria-label=\"Pages\" class=\"pages\">").AppendJoin(" ", links).Append("</nav>\n");
        return Render(http, "Inbound messages", body.ToString(), caller, statusCode);
    }

    private static string PageLink(string limit, string? cursor)
    {
        var query = new QueryBuilder();
        if (limit.Length > 0) query.Add("limit", limit);
        if (cursor is not null) query.Add("cursor", cursor);
        return "/portal/inbound" + query.ToQueryString().Value;
    }

    private static async Task<IResult> SetWebhook(HttpContext http, IInboundStore store, CallbackUrlPolicy callbackUrls, IDiagnosticContext log)
    {
        var caller = PortalCaller.Of(http);
        var url = http.Request.Form["url"].ToString().Trim();
        if (!InboundApi.IsAcceptableWebhook(url, callbackUrls))
        {
            log.Set("Outcome", "invalid");
            return await InboundPage(http, store,
                Notice("The webhook URL must be a whole http:// or https:// address on the internet (not a private or local one), at most 2048 characters. Nothing was changed.", problem: true),
                url, StatusCodes.Status400BadRequest);
        }

        await store.SetWebhook(caller.AccountId, url.Length == 0 ? null : url);
        log.Set("Outcome", url.Length == 0 ? "removed" : "set");
        return await InboundPage(http, store,
            Notice(url.Length == 0 ? "The inbound webhook was removed." : "The inbound webhook was saved.", problem: false), null, StatusCodes.Status200OK);
    }

    private static Task<IResult> OptOuts(HttpContext http, IInboundStore store) => OptOutsPage(http, store, "", "", StatusCodes.Status200OK);

    private static async Task<IResult> OptOutsPage(HttpContext http, IInboundStore store, string notice, string enteredMobile, int statusCode)
    {
        var caller = PortalCaller.Of(http);
        var entries = await store.OptOuts(caller.AccountId);
        var body = new StringBuilder(notice);
        body.Append("<p>Sends to a number on this list are refused with 1017 and not charged. A subscriber who texts STOP to one of your numbers is added here.</p>\n")
            .Append($"""
                <form method="post" action="/portal/optouts" class="stacked">
                {Token(http)}
                <div><label for="mobile">Mobile number</label>
                <span class="hint" id="mobile-hint">Such as 0702739804 or +254702739804</span>
                <input id="mobile" name="mobile" type="text" inputmode="tel" autocomplete="off" required aria-describedby="mobile-hint" value="{Text(enteredMobile)}"></div>
                <button type="submit">Add to the opt-out list</button>
                </form>

                """);
        if (entries.Count == 0)
        {
            body.Append("<p id=\"no-optouts\">No numbers are on your opt-out list.</p>\n");
        }
        else
        {
            body.Append("<table id=\"optouts\">\n<caption>Numbers that receive nothing from you</caption>\n<thead><tr>")
                .Append("<th scope=\"col\">Mobile</th><th scope=\"col\">Source</th><th scope=\"col\">Added</th><th scope=\"col\">Remove</th></tr></thead>\n<tbody>\n");
            var token = Token(http);
            foreach (var entry in entries)
            {
                var mobile = Text(entry.MobileNumber);
                body.Append("<tr><td data-label=\"Mobile\">").Append(mobile)
                    .Append("</td><td data-label=\"Source\">").Append(InboundApi.SourceName(entry.Source))
                    .Append("</td><td data-label=\"Added\">").Append(NairobiTime.Format(entry.CreatedAt))
                    .Append("</td><td><form method=\"post\" action=\"/portal/optouts/remove\">").Append(token)
                    .Append("<input type=\"hidden\" name=\"mobile\" value=\"").Append(mobile).Append("\">")
                    .Append("<button type=\"submit\" class=\"secondary\" aria-label=\"Remove ").Append(mobile).Append("\">Remove</button></form>")
                    .Append("</td></tr>\n");
            }

            body.Append("</tbody>\n</table>\n");
        }

        return Render(http, "Opt-outs", body.ToString(), caller, statusCode);
    }

    private static async Task<IResult> AddOptOut(HttpContext http, IInboundStore store, RecipientParser recipients, IGrainFactory grains, IDiagnosticContext log)
    {
        var caller = PortalCaller.Of(http);
        var input = http.Request.Form["mobile"].ToString().Trim();
        if (recipients.Parse(input).MobileNumber is not { } mobile)
        {
            log.Set("Outcome", TaifaStatus.InvalidMobileNumber.Code());
            return await OptOutsPage(http, store, Notice($"The number {input} is not a Kenyan mobile number. Nothing was added.", problem: true),
                input, StatusCodes.Status400BadRequest);
        }

        await grains.GetGrain<IAccountGrain>(caller.AccountId).AddOptOut(mobile, OptOutSource.Api);
        log.Set("Outcome", TaifaStatus.Success.Code());
        return await OptOutsPage(http, store, Notice($"{mobile} is on your opt-out list.", problem: false), "", StatusCodes.Status200OK);
    }

    private static async Task<IResult> RemoveOptOut(HttpContext http, IInboundStore store, RecipientParser recipients, IGrainFactory grains, IDiagnosticContext log)
    {
        var caller = PortalCaller.Of(http);
        var input = http.Request.Form["mobile"].ToString().Trim();
        if (recipients.Parse(input).MobileNumber is not { } mobile)
        {
            log.Set("Outcome", TaifaStatus.InvalidMobileNumber.Code());
            return await OptOutsPage(http, store, Notice($"The number {input} is not a Kenyan mobile number.", problem: true), "", StatusCodes.Status400BadRequest);
        }

        var removed = await grains.GetGrain<IAccountGrain>(caller.AccountId).RemoveOptOut(mobile);
        log.Set("Outcome", removed ? "removed" : "absent");
        return await OptOutsPage(http, store,
            Notice(removed ? $"{mobile} was taken off your opt-out list." : $"{mobile} was not on your opt-out list.", problem: false), "", StatusCodes.Status200OK);
    }
}
