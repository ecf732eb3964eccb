using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Silo.Tests.Smpp;

namespace Taifa.Silo.Tests.Portal;

/// <summary>PostgreSQL mode: the data-protection key ring is in the database, so a session started on one silo holds on another.</summary>
[Collection(SmppCollection.Name)]
public sealed class PortalKeyRingTests
{
    [Fact]
    public async Task A_session_cookie_and_form_token_issued_by_one_silo_are_accepted_by_another_sharing_the_database()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (first, firstUrl) = Start(database);
        var (second, secondUrl) = Start(database);
        await using (first)
        await using (second)
        {
            using var admin = new HttpClient { BaseAddress = firstUrl };
            admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", GatewayFactory.AdminTokenValue);
            var opened = await admin.PostAsJsonAsync("/v2/admin/accounts", new { name = "Key ring", credit_balance = 73.5m, sender_ids = new[] { "KEYRING" } });
            var accountId = JsonNode.Parse(await opened.Content.ReadAsStringAsync())!["account_id"]!.GetValue<string>();
            const string email = "ring@duka.co.ke";
            const string password = "shared key ring 1";
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"/v2/admin/accounts/{accountId}/users", new { email, password })).StatusCode);

            using var onFirst = new PortalSession(firstUrl);
            Assert.Equal(HttpStatusCode.Found, (await onFirst.LogInAsync(email, password)).Status);
            var balanceOnFirst = (await onFirst.GetAsync("/portal/")).Html;

            using var onSecond = new PortalSession(secondUrl);
            foreach (Cookie cookie in onFirst.Cookies.GetAllCookies()) onSecond.Cookies.Add(new Cookie(cookie.Name, cookie.Value, cookie.Path, secondUrl.Host));
            var (status, html) = await onSecond.GetAsync("/portal/");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("KES 73.50", html, StringComparison.Ordinal);

            // A form rendered by the first silo, posted to the second.
            var (loggedOut, _) = await onSecond.PostAsync("/portal/logout", new Dictionary<string, string>(), token: PortalSession.Token(balanceOnFirst));
            Assert.Equal(HttpStatusCode.Found, loggedOut);
            Assert.Equal("/portal/login?done=logout", onSecond.Last!.Headers.Location!.OriginalString);

            await using var connection = await database.OpenConnectionAsync();
            await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM taifa_portal_data_protection_key", connection);
            Assert.Equal(1L, (long)(await count.ExecuteScalarAsync())!);
        }
    }

    private static (GatewayFactory Factory, Uri Url) Start(TestDatabase database)
    {
        var port = GatewayFactory.FreeTcpPort();
        var factory = new GatewayFactory(database.ConnectionString, new Dictionary<string, string>
        {
            ["urls"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
        });
        factory.UseKestrel();
        factory.StartServer();
        return (factory, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"));
    }
}
