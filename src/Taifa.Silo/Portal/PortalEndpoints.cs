using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Serilog;
using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Money;
using Taifa.Domain.Numbers;
using Taifa.Domain.Text;
using Taifa.Silo.Api;
using Taifa.Silo.Intake;
using Taifa.Silo.Options;
using static Taifa.Silo.Portal.PortalPage;

namespace Taifa.Silo.Portal;

/// <summary>
/// GET /portal/…: the customer portal. Each page calls the same grains and intake as the customer API
/// (<see cref="AccountSends"/> for a send, the account grain for the key, the credentials and the balance), with the
/// signed-in session in place of an API key; every POST carries an anti-forgery token bound to that session.
/// </summary>
public static class PortalEndpoints
{
    private const int MaxFormBytes = 64 * 1024;

    public static void MapTaifaPortal(this IEndpointRouteBuilder app)
    {
        var portal = app.MapGroup("/portal").ExcludeFromDescription();
        portal.MapGet("/portal.css", () => Results.Text(PortalStyles.Css, "text/css; charset=utf-8"));
        portal.MapGet("/login", (Delegate)LogInPage);
        portal.MapPost("/login", LogIn);

        var signedIn = portal.MapGroup("").AddEndpointFilter(RequireSession);
        signedIn.MapGet("/", Balance);
        signedIn.MapPost("/logout", LogOut);
        signedIn.MapGet("/send", SendPage);
        signedIn.MapPost("/send", Send);
        signedIn.MapGet("/sender-ids", SenderIds);
        signedIn.MapGet("/api-key", ApiKeyPage);
        signedIn.MapPost("/api-key", RotateApiKey);
        signedIn.MapGet("/smpp", SmppPage);
        signedIn.MapPost("/smpp", SetSmppCredentials);
        signedIn.MapPortalAccountPages();
        signedIn.MapPortalInboundPages();
    }

    private static async ValueTask<object?> RequireSession(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var authenticated = await http.AuthenticateAsync(PortalHosting.Scheme);
        var caller = authenticated.Succeeded
            ? await http.RequestServices.GetRequiredService<PortalLogIns>().Resume(authenticated.Principal!, http.Connection.RemoteIpAddress)
            : null;
        if (caller is null)
        {
            if (authenticated.Succeeded) await http.SignOutAsync(PortalHosting.Scheme);
            return Results.Redirect("/portal/login");
        }

        http.RequestServices.GetRequiredService<IDiagnosticContext>().Set("AccountId", caller.AccountId);
        if (!caller.AddressAllowed)
        {
            return Refused(http, StatusCodes.Status403Forbidden, "Not allowed from this address",
                "Your account's IP allow-list does not include the address you are connecting from.");
        }

        http.User = authenticated.Principal!;
        http.Items[typeof(PortalCaller)] = caller;
        if (HttpMethods.IsPost(http.Request.Method) && await CheckForm(http) is { } refused) return refused;
        return await next(context);
    }

    /// <summary>A POST must be a small form whose anti-forgery token matches its cookie and the session.</summary>
    private static async Task<IResult?> CheckForm(HttpContext http)
    {
        if (http.Request.ContentLength is > MaxFormBytes) return Refused(http, StatusCodes.Status413PayloadTooLarge, "Form too large", "The form was too large.");
        if (!http.Request.HasFormContentType) return Expired(http);
        http.Features.Set<IFormFeature>(new FormFeature(http.Request, new FormOptions
        {
            BufferBody = false,
            ValueCountLimit = 16,
            KeyLengthLimit = 64,
            ValueLengthLimit = MaxFormBytes,
            MultipartBodyLengthLimit = MaxFormBytes,
        }));
        try
        {
            return await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http) ? null : Expired(http);
        }
        catch (Exception exception) when (exception is InvalidDataException or BadHttpRequestException or IOException)
        {
            return Expired(http);
        }
    }

    private static IResult Expired(HttpContext http) =>
        Refused(http, StatusCodes.Status400BadRequest, "Form expired",
            "This form has expired or did not come from the portal. Go back, reload the page and try again.");

    private static string Field(HttpContext http, string name) => http.Request.Form[name].ToString();

    private static async Task<IResult> LogInPage(HttpContext http)
    {
        var authenticated = await http.AuthenticateAsync(PortalHosting.Scheme);
        if (authenticated.Succeeded) return Results.Redirect("/portal/");
        var notice = http.Request.Query["done"] == "logout" ? Notice("You have logged out.", problem: false) : "";
        return LogInForm(http, notice, "", StatusCodes.Status200OK);
    }

    private static IResult LogInForm(HttpContext http, string notice, string email, int statusCode) =>
        Render(http, "Log in", notice + $"""
            <form method="post" action="/portal/login" class="stacked">
            {Token(http)}
            <div><label for="email">E-mail address</label>
            <input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="{Text(email)}"></div>
            <div><label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="128"></div>
            <button type="submit">Log in</button>
            </form>
            <p>No account yet, or forgot your password? Ask Taifa support: users are added by your account manager.</p>

            """, statusCode: statusCode);

    private static async Task<IResult> LogIn(HttpContext http, PortalLogIns logIns, IDiagnosticContext log)
    {
        // Anonymous, so the token is bound to no session; after log-in the pages issue session-bound ones.
        if (await CheckForm(http) is { } refused) return refused;
        var email = Field(http, "email");
        var (outcome, principal, expires) = await logIns.LogIn(email, Field(http, "password"), http.Connection.RemoteIpAddress);
        log.Set("Outcome", outcome.ToString());
        switch (outcome)
        {
            case PortalLogInOutcome.LoggedIn:
                await http.SignInAsync(PortalHosting.Scheme, principal!, new AuthenticationProperties { ExpiresUtc = expires, IsPersistent = false });
                return Results.Redirect("/portal/", preserveMethod: false);
            case PortalLogInOutcome.LockedOut:
                return LogInForm(http, Notice("Too many failed log-ins. Log-in is locked for a while; try again later.", problem: true),
                    email, StatusCodes.Status429TooManyRequests);
            case PortalLogInOutcome.AddressNotAllowed:
                return LogInForm(http, Notice("Your account's IP allow-list does not include the address you are connecting from.", problem: true),
                    email, StatusCodes.Status403Forbidden);
            default:
                return LogInForm(http, Notice("The e-mail address or password is not correct.", problem: true), email, StatusCodes.Status401Unauthorized);
        }
    }

    private static async Task<IResult> LogOut(HttpContext http, PortalLogIns logIns)
    {
        await logIns.LogOut(PortalCaller.Of(http));
        await http.SignOutAsync(PortalHosting.Scheme);
        return Results.Redirect("/portal/login?done=logout");
    }

    private static IResult Balance(HttpContext http, NumberingPlan plan)
    {
        var account = PortalCaller.Of(http).Account;
        return Render(http, "Balance", $"""
            <p class="balance" id="balance">KES {Money.Format(account.CreditBalance)}</p>
            <dl>
            <dt>Account</dt><dd>{Text(account.Name)} ({account.AccountId.ToString(CultureInfo.InvariantCulture)})</dd>
            <dt>Status</dt><dd>{(account.Status == AccountStatus.Active ? "Active" : "Suspended: sends are refused")}</dd>
            </dl>
            {RateCard(account, plan)}
            <p>To top up, contact Taifa support.</p>

            """, PortalCaller.Of(http));
    }

    /// <summary>The account's rate card, read-only: what one part costs to each network priced on its own, and to every other.</summary>
    private static string RateCard(AccountView account, NumberingPlan plan)
    {
        var rows = new StringBuilder();
        foreach (var (networkId, price) in account.NetworkPrices.OrderBy(p => p.Key))
        {
            var name = plan.Networks.FirstOrDefault(n => n.Id == networkId)?.Name ?? $"Network {networkId.ToString(CultureInfo.InvariantCulture)}";
            rows.Append(CultureInfo.InvariantCulture, $"<tr data-network-id=\"{networkId}\"><th scope=\"row\">{Text(name)}</th><td data-label=\"Price per part\">KES {Money.Format(price)}</td></tr>\n");
        }

        rows.Append("<tr data-network-id=\"default\"><th scope=\"row\">").Append(account.NetworkPrices.Count == 0 ? "Every network" : "Every other network")
            .Append("</th><td data-label=\"Price per part\">KES ").Append(Money.Format(account.PricePerSms)).Append("</td></tr>\n");
        return $"""
            <table id="prices" class="columns">
            <caption>Your price per SMS part, by network</caption>
            <thead><tr><th scope="col">Network</th><th scope="col">Price per part</th></tr></thead>
            <tbody>
            {rows}</tbody>
            </table>
            <p>A message costs its parts times its recipient's network price, fixed when it is accepted. Prices are set by Taifa: ask your account manager.</p>

            """;
    }

    private static IResult SendPage(HttpContext http) => SendForm(http, "", "", "", "", StatusCodes.Status200OK);

    private static IResult SendForm(HttpContext http, string notice, string mobile, string sender, string message, int statusCode)
    {
        var caller = PortalCaller.Of(http);
        var senders = caller.Account.SenderIds;
        var senderField = senders.Count == 0
            ? $"""<input id="sender_name" name="sender_name" required maxlength="15" value="{Text(sender)}">"""
            : "<select id=\"sender_name\" name=\"sender_name\" required>" +
              string.Concat(senders.Select(s => $"<option{(string.Equals(s, sender, StringComparison.OrdinalIgnoreCase) ? " selected" : "")}>{Text(s)}</option>")) +
              "</select>";
        var sendId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        return Render(http, "Send a message", notice + $"""
            <form method="post" action="/portal/send" class="stacked">
            {Token(http)}
            <input type="hidden" name="send_id" value="{sendId}">
            <div><label for="mobile">Mobile numbers</label>
            <span class="hint" id="mobile-hint">One number, or several separated by commas, such as 0702739804, +254712345678</span>
            <input id="mobile" name="mobile" type="text" inputmode="tel" autocomplete="off" required aria-describedby="mobile-hint" value="{Text(mobile)}"></div>
            <div><label for="sender_name">Sender ID</label>
            {senderField}</div>
            <div><label for="message">Message</label>
            <span class="hint" id="message-hint">160 characters make one part (70 with characters outside GSM-7); longer messages cost one price per part.</span>
            <textarea id="message" name="message" required aria-describedby="message-hint">{Text(message)}</textarea></div>
            <button type="submit">Send</button>
            </form>

            """, caller, statusCode);
    }

    private static async Task<IResult> Send(
        HttpContext http, AccountSends sends, RecipientParser recipients, IOptions<TaifaOptions> options, IDiagnosticContext log)
    {
        var caller = PortalCaller.Of(http);
        var limits = options.Value.Api;
        var (mobile, sender, message) = (Field(http, "mobile"), Field(http, "sender_name").Trim(), Field(http, "message"));
        var mobiles = mobile.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var segmentation = SmsSegmenter.Analyze(message);
        var problem = mobiles.Length == 0 ? "Enter at least one mobile number."
            : mobiles.Length > limits.MaxRecipients ? $"At most {limits.MaxRecipients} numbers at once."
            : sender.Length == 0 ? "Choose a sender ID."
            : message.Length == 0 ? "Enter a message."
            : segmentation.Parts > limits.MaxParts ? $"The message is {segmentation.Parts} parts long; at most {limits.MaxParts} are allowed."
            : null;
        if (problem is not null) return SendForm(http, Notice(problem, problem: true), mobile, sender, message, StatusCodes.Status400BadRequest);

        var command = new SendCommand
        {
            SenderId = sender,
            Text = message,
            Encoding = segmentation.Encoding,
            Parts = segmentation.Parts,
            Channel = MessageChannel.Rest,
            Recipients = [.. mobiles.Select(recipients.Parse)],
            Source = caller.Source,
        };
        SendResult result;
        try
        {
            // The form's one-time id makes a repeated submission (a double click, a reload) answer the first one's outcome.
            var sendId = Field(http, "send_id");
            if (sendId.Length is > 0 and <= 64 && sendId.All(char.IsAsciiHexDigitLower))
            {
                var body = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', mobile, sender, message))));
                var idempotent = await sends.SendIdempotentAsync(caller.AccountId, $"{caller.AccountId}:{ApiKeys.Digest("portal:" + sendId)}", body, command);
                if (idempotent.KeyReusedWithAnotherBody)
                {
                    return SendForm(http, Notice("This form was already sent with other contents; nothing more was sent. Check the numbers and send again.", problem: true),
                        mobile, sender, message, StatusCodes.Status409Conflict);
                }

                result = idempotent.Result!;
            }
            else
            {
                result = await sends.SendAsync(caller.AccountId, command);
            }
        }
        catch (SendOutcomeUnknownException)
        {
            log.Set("Outcome", "unknown");
            return SendForm(http, Notice("The gateway could not confirm whether the message was accepted. Check your balance before sending it again.", problem: true),
                mobile, sender, message, StatusCodes.Status503ServiceUnavailable);
        }

        log.Set("Outcome", result.Status.Code());
        if (result.Status != TaifaStatus.Success)
        {
            return SendForm(http, Notice($"Not sent: {result.Status.Description()} ({result.Status.Code()}).", problem: true),
                mobile, sender, message, StatusCodes.Status200OK);
        }

        var accepted = result.Outcomes.Count(o => o.Status == TaifaStatus.Success);
        var rows = string.Concat(result.Outcomes.Select((o, i) => $"""
            <tr><td data-label="Mobile">{Text(o.MobileNumber ?? mobiles[i])}</td><td data-label="Result">{Text(o.Status.Description())} ({o.Status.Code()})</td><td data-label="Message ID">{(o.MessageId == 0 ? "" : o.MessageId.ToString(CultureInfo.InvariantCulture))}</td><td data-label="Cost">KES {Money.Format(o.Cost)}</td></tr>

            """));
        var balance = result.Outcomes.Count > 0 ? result.Outcomes[^1].CreditBalance : caller.Account.CreditBalance;
        var summary = Notice($"{accepted} of {result.Outcomes.Count} accepted. Balance now KES {Money.Format(balance)}.", problem: accepted < result.Outcomes.Count);
        return Render(http, "Send a message", summary + $"""
            <table>
            <caption>What happened to each number</caption>
            <thead><tr><th scope="col">Mobile</th><th scope="col">Result</th><th scope="col">Message ID</th><th scope="col">Cost</th></tr></thead>
            <tbody>
            {rows}</tbody>
            </table>
            <p><a href="/portal/send">Send another message</a></p>

            """, caller);
    }

    private static IResult SenderIds(HttpContext http)
    {
        var caller = PortalCaller.Of(http);
        var list = caller.Account.SenderIds.Count == 0
            ? "<p>No sender IDs are registered yet.</p>\n"
            : "<ul class=\"sender-ids\">\n" + string.Concat(caller.Account.SenderIds.Select(s => $"<li>{Text(s)}</li>\n")) + "</ul>\n";
        return Render(http, "Sender IDs", list +
            "<p>Messages can be sent only from these names. Sender IDs are registered with the networks by Taifa: ask your account manager for a new one.</p>\n",
            caller);
    }

    private static IResult ApiKeyPage(HttpContext http) => Render(http, "API key", $"""
        <p>Your systems call the REST API with an API key in the <code>h_api_key</code> header. Taifa keeps only a digest of it, so it cannot be shown again.</p>
        <p>Issuing a new key stops the current one at once: every system that uses it must be given the new one.</p>
        <form method="post" action="/portal/api-key" class="stacked">
        {Token(http)}
        <button type="submit">Issue a new API key</button>
        </form>

        """, PortalCaller.Of(http));

    private static async Task<IResult> RotateApiKey(HttpContext http, IGrainFactory grains, IDiagnosticContext log)
    {
        var caller = PortalCaller.Of(http);
        var apiKey = ApiKeys.NewKey();
        var result = await grains.GetGrain<IAccountGrain>(caller.AccountId).ReplaceApiKey(ApiKeys.Digest(apiKey));
        log.Set("Outcome", result.Outcome.ToString());
        if (result.Outcome != AdminOutcome.Ok)
        {
            return Refused(http, StatusCodes.Status409Conflict, "API key", "No new key was issued; the current key still works. Try again.");
        }

        return Render(http, "API key", Notice("A new API key was issued. The previous key no longer works.", problem: false) + $"""
            <p><label for="new-api-key">Your new API key</label>
            <output id="new-api-key" class="secret">{apiKey}</output></p>
            <p><strong>Copy it now: it is shown only this once.</strong></p>

            """, caller);
    }

    private static IResult SmppPage(HttpContext http) => SmppForm(http, "", "", StatusCodes.Status200OK);

    private static IResult SmppForm(HttpContext http, string notice, string username, int statusCode)
    {
        var caller = PortalCaller.Of(http);
        var current = caller.Account.SmppUsername is { } name
            ? $"<p>Your systems bind with system_id <strong id=\"smpp-username\">{Text(name)}</strong>.</p>\n"
            : "<p>No SMPP credentials are set yet.</p>\n";
        return Render(http, "SMPP credentials", notice + current + $"""
            <p>Setting new credentials closes every SMPP session bound with the old ones.</p>
            <form method="post" action="/portal/smpp" class="stacked">
            {Token(http)}
            <div><label for="smpp_username">system_id</label>
            <span class="hint" id="smpp-username-hint">1 to 15 characters, no spaces</span>
            <input id="smpp_username" name="smpp_username" aria-describedby="smpp-username-hint" required maxlength="15" autocomplete="off" value="{Text(username.Length > 0 ? username : caller.Account.SmppUsername)}"></div>
            <div><label for="smpp_password">Password</label>
            <span class="hint" id="smpp-password-hint">1 to 8 characters (the SMPP limit)</span>
            <input id="smpp_password" name="smpp_password" aria-describedby="smpp-password-hint" type="password" required maxlength="8" autocomplete="new-password"></div>
            <button type="submit">Save SMPP credentials</button>
            </form>

            """, caller, statusCode);
    }

    private static async Task<IResult> SetSmppCredentials(HttpContext http, IGrainFactory grains, IDiagnosticContext log)
    {
        var caller = PortalCaller.Of(http);
        var (username, password) = (Field(http, "smpp_username"), Field(http, "smpp_password"));
        if (!SmppCredentialRules.IsValidUsername(username) || !SmppCredentialRules.IsValidPassword(password))
        {
            return SmppForm(http, Notice("system_id must be 1 to 15 characters without spaces, and the password 1 to 8 characters.", problem: true),
                username, StatusCodes.Status400BadRequest);
        }

        var status = await grains.GetGrain<IAccountGrain>(caller.AccountId).SetSmppCredentials(null, caller.Source, username, password);
        log.Set("Outcome", status.Code());
        if (status != TaifaStatus.Success)
        {
            return SmppForm(http, Notice($"Not saved: {status.Description()} ({status.Code()}).", problem: true), username,
                status == TaifaStatus.SmppUsernameTaken ? StatusCodes.Status409Conflict : StatusCodes.Status200OK);
        }

        var saved = caller with { Account = caller.Account with { SmppUsername = username } };
        http.Items[typeof(PortalCaller)] = saved;
        return SmppForm(http, Notice("SMPP credentials saved. Sessions bound with the old ones were closed.", problem: false), username, StatusCodes.Status200OK);
    }
}
