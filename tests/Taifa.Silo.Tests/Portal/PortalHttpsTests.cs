using System.Net;
using System.Net.Http.Json;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Silo.Tests.Smpp;
using Taifa.Silo.Tests.Transport;

namespace Taifa.Silo.Tests.Portal;

/// <summary>Over HTTPS the portal's cookies are Secure (over plain HTTP they cannot be: <see cref="PortalTests"/>).</summary>
[Collection(SmppCollection.Name)]
public sealed class PortalHttpsTests(TlsGateway gateway) : IClassFixture<TlsGateway>
{
    [Fact]
    public async Task Over_https_the_session_and_anti_forgery_cookies_are_secure()
    {
        var account = await gateway.OpenAccountAsync(12m, 1m);
        using var admin = new HttpRequestMessage(HttpMethod.Post, $"/v2/admin/accounts/{account.AccountId}/users")
        {
            Content = JsonContent.Create(new { email = "tls@duka.co.ke", password = "secure cookie 1" }),
        };
        admin.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", GatewayFactory.AdminTokenValue);
        Assert.Equal(HttpStatusCode.Created, (await gateway.Http.SendAsync(admin)).StatusCode);

        var cookies = new CookieContainer();
        var certificate = gateway.Certificate.Certificate;
        using var https = new HttpClient(new HttpClientHandler
        {
            CookieContainer = cookies,
            AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented is not null && presented.RawData.AsSpan().SequenceEqual(certificate.RawData),
        })
        { BaseAddress = new Uri($"https://127.0.0.1:{gateway.HttpsPort}") };

        using var page = await https.GetAsync("/portal/login");
        var token = PortalSession.Token(await page.Content.ReadAsStringAsync());
        using var logIn = await https.PostAsync("/portal/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = "tls@duka.co.ke", ["password"] = "secure cookie 1", ["csrf_token"] = token,
        }));

        Assert.Equal(HttpStatusCode.Found, logIn.StatusCode);
        Assert.Contains("secure", page.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("taifa_portal_csrf=", StringComparison.Ordinal)), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", logIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("taifa_portal=", StringComparison.Ordinal)), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("KES 12.00", await https.GetStringAsync("/portal/"), StringComparison.Ordinal);
    }
}
