using System.Net;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Silo.Tests.Smpp;

namespace Taifa.Silo.Tests.Portal;

/// <summary>The customer portal over HTTP, as a browser without script would use it (embedded mode).</summary>
[Collection(SmppCollection.Name)]
public sealed class PortalTests(PortalGateway gateway) : IClassFixture<PortalGateway>
{
    [Fact]
    public async Task Admin_adds_a_user_once_per_address_and_a_repeat_for_the_same_account_replaces_the_password()
    {
        var first = await gateway.OpenAccountAsync(10m, 1m);
        var other = await gateway.OpenAccountAsync(10m, 1m);
        var email = $"Ann-{Guid.NewGuid():N}@Shop.co.ke";

        Assert.Equal(HttpStatusCode.Created, (await gateway.AddUserAsync(first.AccountId, email, "first password 1")).Status);
        Assert.Equal(HttpStatusCode.OK, (await gateway.AddUserAsync(first.AccountId, email.ToLowerInvariant(), "second password 2")).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await gateway.AddUserAsync(other.AccountId, email.ToUpperInvariant(), "third password 3")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await gateway.AddUserAsync(first.AccountId, "not-an-address", "long enough pw")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await gateway.AddUserAsync(first.AccountId, "b@shop.co.ke", "short")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.AddUserAsync(1, "c@shop.co.ke", "long enough pw")).Status);

        using var session = gateway.NewSession();
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.LogInAsync(email, "first password 1")).Status);
        Assert.Equal(HttpStatusCode.Found, (await session.LogInAsync(email, "second password 2")).Status);

        Assert.Equal(HttpStatusCode.NotFound, (await gateway.AdminAsync(HttpMethod.Delete, $"/v2/admin/accounts/{other.AccountId}/users/{email}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await gateway.AdminAsync(HttpMethod.Delete, $"/v2/admin/accounts/{first.AccountId}/users/{email}")).Status);
        Assert.Equal(HttpStatusCode.Found, (await session.GetAsync("/portal/")).Status);
        Assert.Equal("/portal/login", session.Last!.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Log_in_sets_an_http_only_same_site_session_cookie_and_shows_the_balance()
    {
        var user = await gateway.OpenPortalAccountAsync(credit: 498m);
        using var session = gateway.NewSession();

        Assert.Equal(HttpStatusCode.Found, (await session.GetAsync("/portal/")).Status);
        var (status, _) = await session.LogInAsync(user.Email, user.Password);

        Assert.Equal(HttpStatusCode.Found, status);
        var cookie = session.Last!.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("taifa_portal=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/portal", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
        var (pageStatus, html) = await session.GetAsync("/portal/");
        Assert.Equal(HttpStatusCode.OK, pageStatus);
        Assert.Contains("KES 498.00", html, StringComparison.Ordinal);
        Assert.Equal("no-store", session.Last!.Headers.CacheControl!.ToString());
        Assert.Contains("frame-ancestors 'none'", session.Last.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_passwords_lock_the_address_out_and_then_even_the_right_password_is_refused()
    {
        var user = await gateway.OpenPortalAccountAsync();
        using var session = gateway.NewSession();

        for (var i = 1; i < PortalGateway.MaxFailuresPerEmail; i++)
        {
            var (status, html) = await session.LogInAsync(user.Email, "wrong password " + i);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Contains("not correct", html, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await session.LogInAsync(user.Email.ToUpperInvariant(), "wrong again")).Status);
        var (locked, lockedHtml) = await session.LogInAsync(user.Email, user.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked);
        Assert.Contains("Too many failed log-ins", lockedHtml, StringComparison.Ordinal);
        Assert.DoesNotContain(session.Cookies.GetAllCookies(), c => c.Name == "taifa_portal");
    }

    [Fact]
    public async Task A_post_without_the_session_bound_anti_forgery_token_is_refused_and_sends_nothing()
    {
        var user = await gateway.OpenPortalAccountAsync(credit: 10m);
        var other = await gateway.OpenPortalAccountAsync(credit: 10m);
        using var session = gateway.NewSession();
        using var otherSession = gateway.NewSession();
        await session.LogInAsync(user.Email, user.Password);
        await otherSession.LogInAsync(other.Email, other.Password);
        var send = SendFields(user.Account.SenderId);

        Assert.Equal(HttpStatusCode.BadRequest, (await session.PostAsync("/portal/send", send)).Status);
        var foreignToken = PortalSession.Token((await otherSession.GetAsync("/portal/send")).Html);
        Assert.Equal(HttpStatusCode.BadRequest, (await session.PostAsync("/portal/send", send, token: foreignToken)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await session.PostAsync("/portal/api-key", new Dictionary<string, string>(), token: "forged")).Status);

        Assert.Equal(10m, await gateway.BalanceAsync(user.Account));
        Assert.Equal(10m, await gateway.BalanceAsync(other.Account));
    }

    [Fact]
    public async Task A_send_goes_through_the_intake_and_is_charged_once_however_often_its_form_is_submitted()
    {
        var user = await gateway.OpenPortalAccountAsync(credit: 20m, price: 0.80m);
        using var session = gateway.NewSession();
        await session.LogInAsync(user.Email, user.Password);
        var form = (await session.GetAsync("/portal/send")).Html;
        var fields = new Dictionary<string, string>(SendFields(user.Account.SenderId)) { ["send_id"] = PortalSession.Field(form, "send_id") };

        var (status, html) = await session.PostAsync("/portal/send", fields, token: PortalSession.Token(form));
        var (again, againHtml) = await session.PostAsync("/portal/send", fields, token: PortalSession.Token(form));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("2 of 2 accepted. Balance now KES 18.40.", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.Contains("Balance now KES 18.40.", againHtml, StringComparison.Ordinal);
        Assert.Equal(18.40m, await gateway.BalanceAsync(user.Account));
        var messageId = System.Text.RegularExpressions.Regex.Match(html, "data-label=\"Message ID\">([0-9]+)<").Groups[1].Value;
        var record = await gateway.Http.GetJsonAsync($"/v2/sms/status?message_id={messageId}", user.Account.ApiKey);
        Assert.Equal("1000", record.Code());
    }

    [Fact]
    public async Task Key_rotation_shows_the_new_key_once_and_the_old_key_stops_working()
    {
        var user = await gateway.OpenPortalAccountAsync();
        using var session = gateway.NewSession();
        await session.LogInAsync(user.Email, user.Password);

        var (status, html) = await session.PostAsync("/portal/api-key", new Dictionary<string, string>(), formPage: "/portal/api-key");

        Assert.Equal(HttpStatusCode.OK, status);
        var key = System.Text.RegularExpressions.Regex.Match(html, "<output id=\"new-api-key\" class=\"secret\">([0-9a-f]{64})</output>").Groups[1].Value;
        Assert.Equal(64, key.Length);
        Assert.Contains("\"status_code\":\"1006\"", (await gateway.Http.GetJsonAsync("/v2/sms/units", user.Account.ApiKey)).ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("500.00", (await gateway.Http.GetJsonAsync("/v2/sms/units", key))["credit_balance"]!.GetValue<string>());
        Assert.DoesNotContain(key, (await session.GetAsync("/portal/api-key")).Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smpp_credentials_set_in_the_portal_bind()
    {
        var user = await gateway.OpenPortalAccountAsync();
        using var session = gateway.NewSession();
        await session.LogInAsync(user.Email, user.Password);
        var systemId = "p" + Guid.NewGuid().ToString("N")[..12];

        var (status, html) = await session.PostAsync("/portal/smpp",
            new Dictionary<string, string> { ["smpp_username"] = systemId, ["smpp_password"] = "pw123456" }, formPage: "/portal/smpp");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("SMPP credentials saved", html, StringComparison.Ordinal);
        await using var client = await gateway.ConnectAsync();
        var bind = await client.BindAsync(systemId, "pw123456");
        Assert.Equal(Taifa.Smpp.Pdus.CommandStatus.Ok, bind.CommandStatus);
    }

    [Fact]
    public async Task Log_out_ends_the_session_on_the_server_so_a_copy_of_its_cookie_no_longer_works()
    {
        var user = await gateway.OpenPortalAccountAsync();
        using var session = gateway.NewSession();
        await session.LogInAsync(user.Email, user.Password);
        var copied = session.Cookies.GetAllCookies().Single(c => c.Name == "taifa_portal").Value;

        var (status, _) = await session.PostAsync("/portal/logout", new Dictionary<string, string>(), formPage: "/portal/");

        Assert.Equal(HttpStatusCode.Found, status);
        Assert.Equal("/portal/login?done=logout", session.Last!.Headers.Location!.OriginalString);
        using var replay = gateway.NewSession();
        replay.Cookies.Add(new Cookie("taifa_portal", copied, "/portal", gateway.BaseAddress.Host));
        Assert.Equal(HttpStatusCode.Found, (await replay.GetAsync("/portal/")).Status);
        Assert.Equal("/portal/login", replay.Last!.Headers.Location!.OriginalString);
    }

    private static Dictionary<string, string> SendFields(string senderId) => new()
    {
        ["mobile"] = "0702739804, 0712345678",
        ["sender_name"] = senderId,
        ["message"] = "Hello from the portal",
    };
}
