using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Silo.Tests.Smpp;

namespace Taifa.Silo.Tests.Portal;

/// <summary>The gateway on a real HTTP port (a browser needs one), with a low per-address lock-out threshold for the portal.</summary>
public sealed class PortalGateway() : SmppGatewayBase(new Dictionary<string, string>
{
    ["Taifa:Portal:MaxFailuresPerEmail"] = MaxFailuresPerEmail.ToString(System.Globalization.CultureInfo.InvariantCulture),
})
{
    public const int MaxFailuresPerEmail = 3;

    public Uri BaseAddress => Http.BaseAddress!;

    /// <summary>An account with one portal user; the password meets the portal's rules.</summary>
    public async Task<PortalUser> OpenPortalAccountAsync(decimal credit = 500m, decimal price = 1m)
    {
        var senderId = "DUKA" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var (opened, json) = await AdminAsync(HttpMethod.Post, "/v2/admin/accounts",
            new { name = "Duka Supplies Ltd", credit_balance = credit, price_per_sms = price, sender_ids = new[] { senderId } });
        Assert.True(opened == HttpStatusCode.Created, $"opening an account answered {opened}: {json}");
        var node = JsonNode.Parse(json)!;
        var account = new TestAccount(long.Parse(node["account_id"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
            node["api_key"]!.GetValue<string>(), senderId);
        var email = $"ann.{Guid.NewGuid().ToString("N")[..8]}@duka.co.ke";
        const string password = "correct horse 254";
        var (status, body) = await AddUserAsync(account.AccountId, email, password);
        Assert.True(status == HttpStatusCode.Created, $"adding a portal user answered {status}: {body}");
        return new PortalUser(account, email, password);
    }

    public async Task<(HttpStatusCode Status, string Body)> AddUserAsync(long accountId, string email, string password) =>
        await AdminAsync(HttpMethod.Post, $"/v2/admin/accounts/{accountId}/users", new { email, password });

    public async Task<(HttpStatusCode Status, string Body)> AdminAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", GatewayFactory.AdminTokenValue);
        using var response = await Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public PortalSession NewSession() => new(BaseAddress);
}

public sealed record PortalUser(TestAccount Account, string Email, string Password)
{
    /// <summary>A portal user (a password that meets the portal's rules) for an account opened on <paramref name="gateway"/>.</summary>
    public static async Task<PortalUser> AddAsync(GatewayFactory gateway, TestAccount account)
    {
        var email = $"ann.{Guid.NewGuid().ToString("N")[..8]}@duka.co.ke";
        const string password = "correct horse 254";
        using var admin = gateway.CreateAdminClient();
        using var added = await admin.PostAsJsonAsync($"/v2/admin/accounts/{account.AccountId}/users", new { email, password });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        return new PortalUser(account, email, password);
    }
}

/// <summary>
/// A browser without the browser: one cookie jar, redirects not followed, the form's anti-forgery token read from each
/// page. Over a real socket (<see cref="PortalGateway"/>), or in memory through a <see cref="GatewayFactory"/>'s test server.
/// </summary>
public sealed partial class PortalSession(Uri baseAddress, Func<CookieContainer, HttpMessageHandler> handler) : IDisposable
{
    public PortalSession(Uri baseAddress)
        : this(baseAddress, cookies => new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false })
    {
    }

    /// <summary>A session against the in-memory server of <paramref name="gateway"/> (either mode).</summary>
    public static PortalSession InMemory(GatewayFactory gateway) =>
        new(gateway.Server.BaseAddress, cookies => new Microsoft.AspNetCore.Mvc.Testing.Handlers.CookieContainerHandler(cookies) { InnerHandler = gateway.Server.CreateHandler() });

    public CookieContainer Cookies { get; } = new();

    private HttpClient? _client;

    private HttpClient Client => _client ??= new HttpClient(handler(Cookies)) { BaseAddress = baseAddress };

    public HttpResponseMessage? Last { get; private set; }

    public async Task<(HttpStatusCode Status, string Html)> GetAsync(string path)
    {
        Last?.Dispose();
        Last = await Client.GetAsync(path);
        return (Last.StatusCode, await Last.Content.ReadAsStringAsync());
    }

    /// <summary>Posts a form as the page at <paramref name="formPage"/> would (its token), or with <paramref name="token"/> when given.</summary>
    public async Task<(HttpStatusCode Status, string Html)> PostAsync(string path, IReadOnlyDictionary<string, string> fields, string? formPage = null, string? token = null)
    {
        var values = new Dictionary<string, string>(fields);
        if (token is null && formPage is not null) token = Token((await GetAsync(formPage)).Html);
        if (token is not null) values["csrf_token"] = token;
        Last?.Dispose();
        Last = await Client.PostAsync(path, new FormUrlEncodedContent(values));
        return (Last.StatusCode, await Last.Content.ReadAsStringAsync());
    }

    /// <summary>A signed-in session against the in-memory server of <paramref name="gateway"/>.</summary>
    public static async Task<PortalSession> LogInAsync(GatewayFactory gateway, PortalUser user)
    {
        var session = InMemory(gateway);
        Assert.Equal(HttpStatusCode.Found, (await session.LogInAsync(user.Email, user.Password)).Status);
        return session;
    }

    public async Task<(HttpStatusCode Status, string Html)> LogInAsync(string email, string password) =>
        await PostAsync("/portal/login", new Dictionary<string, string> { ["email"] = email, ["password"] = password }, formPage: "/portal/login");

    public static string Token(string html) => TokenField().Match(html) is { Success: true } match
        ? WebUtility.HtmlDecode(match.Groups[1].Value)
        : throw new InvalidOperationException("no anti-forgery field on the page:\n" + html);

    public static string Field(string html, string name) =>
        Regex.Match(html, $"name=\"{Regex.Escape(name)}\" value=\"([^\"]*)\"") is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value) : "";

    [GeneratedRegex("name=\"csrf_token\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    public void Dispose()
    {
        Last?.Dispose();
        _client?.Dispose();
    }
}
