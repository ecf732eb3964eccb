using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Silo.Tests.Smpp;

namespace Taifa.Silo.Tests.Security;

/// <summary>
/// Tight login limits (three failures, two-second lock-outs) and 127.0.0.1 as the trusted proxy: a REST call from
/// 127.0.0.1 is the client its X-Forwarded-For names, a call from any other loopback address is that address.
/// Each test picks its own client addresses and system_ids, so lock-outs never cross tests.
/// </summary>
public sealed class SecurityGateway() : SmppGatewayBase(new Dictionary<string, string>
{
    ["Taifa:Security:MaxFailuresPerAddress"] = "3",
    ["Taifa:Security:MaxFailuresPerSystemId"] = "3",
    ["Taifa:Security:FailureWindow"] = "00:01:00",
    ["Taifa:Security:LockoutDuration"] = LockoutText,
    ["Taifa:Security:TrustedProxies:0"] = "127.0.0.1/32",
    ["Taifa:Smpp:MaxBindsPerAccount"] = "5",
})
{
    public const string LockoutText = "00:00:02";
    public static readonly TimeSpan Lockout = TimeSpan.Parse(LockoutText, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A customer call through the trusted proxy on behalf of <paramref name="client"/>; answers the raw body.</summary>
    public Task<string> CallAsync(CustomerRoute route, string client, string? apiKey, TestAccount? account = null) =>
        CallAsync(Http, route, apiKey, account, client);

    public static async Task<string> CallAsync(HttpClient http, CustomerRoute route, string? apiKey, TestAccount? account = null, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(route.Method, route.Path);
        if (route.Body is not null) request.Content = new StringContent(route.Body(account?.SenderId ?? "NOBODY"), Encoding.UTF8, "application/json");
        if (apiKey is not null) request.Headers.Add("h_api_key", apiKey);
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    public async Task<decimal> BalanceFromAsync(TestAccount account, string client) =>
        decimal.Parse(JsonNode.Parse(await CallAsync(CustomerRoute.Units, client, account.ApiKey))!["credit_balance"]!.GetValue<string>(),
            System.Globalization.CultureInfo.InvariantCulture);

    public async Task<string> AdminRawAsync(HttpMethod method, string path, string? body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", GatewayFactory.AdminTokenValue);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path} answered {response.StatusCode}, expected {expected}: {text}");
        return text;
    }

    public static string StatusCode(string body) =>
        body.StartsWith('[') ? JsonNode.Parse(body)![0]!["status_code"]!.GetValue<string>()
        : body.StartsWith('{') ? JsonNode.Parse(body)!["status_code"]?.GetValue<string>() ?? "1000"
        : body.Split(';')[0];
}

/// <summary>One authenticated customer route with a valid body.</summary>
public sealed record CustomerRoute(string Name, HttpMethod Method, string Path, Func<string, string>? Body = null)
{
    public static readonly CustomerRoute SendSms = new("sendsms", HttpMethod.Post, "/v2/sms/sendsms",
        sender => $$"""{"mobile":"0702739804","sender_name":"{{sender}}","message":"security"}""");

    public static readonly CustomerRoute LegacySendSmsPlain = new("sendsms.php plain", HttpMethod.Post, "/api/sms/sendsms.php",
        sender => $$"""{"mobile":"0702739804","sender_name":"{{sender}}","message":"security","response_type":"plain"}""");

    public static readonly CustomerRoute Units = new("units", HttpMethod.Get, "/v2/sms/units");

    public static readonly CustomerRoute LegacyUnits = new("units.php", HttpMethod.Get, "/api/sms/units.php");

    public static readonly CustomerRoute SmppCredentials = new("smpp-credentials", HttpMethod.Post, "/v2/sms/smpp-credentials",
        _ => $$"""{"smpp_username":"c{{Guid.NewGuid().ToString("N")[..12]}}","smpp_password":"pw123456"}""");

    public static readonly CustomerRoute Status = new("status", HttpMethod.Get, "/v2/sms/status?message_id=1");

    public static readonly CustomerRoute[] All = [SendSms, LegacySendSmsPlain, Units, LegacyUnits, SmppCredentials, Status];

    public override string ToString() => Name;
}
