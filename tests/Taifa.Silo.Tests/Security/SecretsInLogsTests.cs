using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;
using Taifa.Abstractions.Accounts;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Silo.Tests.Smpp;
using Taifa.Smpp.Pdus;

namespace Taifa.Silo.Tests.Security;

/// <summary>Every log event the gateway writes, with its message, properties and exception as text.</summary>
public sealed class LogCapture : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();
    private readonly List<(Func<LogEvent, bool> Match, TaskCompletionSource<LogEvent> Seen)> _waiters = [];
    private readonly Lock _waitersLock = new();

    public IReadOnlyCollection<LogEvent> Events => _events;

    public void Emit(LogEvent logEvent)
    {
        _events.Enqueue(logEvent);
        lock (_waitersLock)
        {
            foreach (var waiter in _waiters.Where(w => w.Match(logEvent)).ToList())
            {
                waiter.Seen.TrySetResult(logEvent);
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>The first event, already written or still to come, that matches; fails saying what it waited for.</summary>
    public async Task<LogEvent> WaitForAsync(Func<LogEvent, bool> match, string what, TimeSpan? within = null)
    {
        var seen = new TaskCompletionSource<LogEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waitersLock)
        {
            // Under the lock Emit takes after enqueueing: an event is either found here or seen by the waiter.
            if (_events.FirstOrDefault(match) is { } written) return written;
            _waiters.Add((match, seen));
        }

        var timeout = within ?? TimeSpan.FromSeconds(10);
        try
        {
            return await seen.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no log event {what} within {timeout}");
        }
    }

    public static string Text(LogEvent logEvent) => string.Join('\n',
        new[] { logEvent.MessageTemplate.Text, logEvent.RenderMessage(), logEvent.Exception?.ToString() ?? "" }
            .Concat(logEvent.Properties.Select(p => $"{p.Key}={p.Value}")));

    public static void Into(IWebHostBuilder builder, LogCapture capture) =>
        builder.ConfigureServices(services => services.AddSingleton<ILogEventSink>(capture));
}

/// <summary>The production-like gateway (admin token configured, no demo account) with every Debug-and-up event captured.</summary>
public sealed class LogCapturingGateway : SmppGatewayBase
{
    public LogCapturingGateway()
        : this(new LogCapture())
    {
    }

    private LogCapturingGateway(LogCapture capture)
        : base(new Dictionary<string, string>
        {
            ["Serilog:MinimumLevel:Default"] = "Debug",
            ["Taifa:Security:MaxFailuresPerAddress"] = "3",
            ["Taifa:Security:MaxFailuresPerSystemId"] = "2",
        }, builder => LogCapture.Into(builder, capture)) => Capture = capture;

    public LogCapture Capture { get; }
}

/// <summary>
/// API keys, SMPP passwords and the admin token, right or wrong, never reach a log event: the message, its properties,
/// or an exception. The one deliberate exception, the embedded demo account's throwaway key, is pinned to its one line.
/// </summary>
[Collection(SmppCollection.Name)]
public sealed class SecretsInLogsTests(LogCapturingGateway gateway) : IClassFixture<LogCapturingGateway>
{
    [Fact]
    public async Task No_key_password_or_admin_token_appears_in_any_log_event()
    {
        var secrets = new List<string> { GatewayFactory.AdminTokenValue };
        var wrongAdminToken = "wrong-admin-" + Guid.NewGuid().ToString("N");
        secrets.Add(wrongAdminToken);

        // Admin: a refused token, then an account opened, shown, given an allow-list and its key rotated.
        using (var refused = new HttpRequestMessage(HttpMethod.Get, "/v2/admin/accounts/1"))
        {
            refused.Headers.Authorization = new AuthenticationHeaderValue("Bearer", wrongAdminToken);
            Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.Http.SendAsync(refused)).StatusCode);
        }

        using (var dashboard = new HttpRequestMessage(HttpMethod.Get, "/dashboard/"))
        {
            dashboard.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:" + GatewayFactory.AdminTokenValue)));
            await gateway.Http.SendAsync(dashboard);
        }

        var smpp = await gateway.OpenSmppAccountAsync();
        var account = smpp.Account;
        secrets.AddRange([account.ApiKey, smpp.Password]);

        // Customer REST with the right key, on every route, with and without an Idempotency-Key.
        var sent = await gateway.Http.SendSmsAsync(account.ApiKey, new { mobile = "0702739804", sender_name = account.SenderId, message = "hello" });
        var messageId = sent[0]!["message_id"]!.GetValue<string>();
        await gateway.Http.PostRawAsync("/api/sms/sendsms.php", account.ApiKey,
            $$"""{"mobile":"0702739804","sender_name":"{{account.SenderId}}","message":"plain","response_type":"plain"}""");
        using (var idempotent = new HttpRequestMessage(HttpMethod.Post, "/v2/sms/sendsms"))
        {
            idempotent.Content = new StringContent($$"""{"mobile":"0702739804","sender_name":"{{account.SenderId}}","message":"once"}""", Encoding.UTF8, "application/json");
            idempotent.Headers.Add("h_api_key", account.ApiKey);
            idempotent.Headers.Add("Idempotency-Key", "retry-" + Guid.NewGuid().ToString("N"));
            await gateway.Http.SendAsync(idempotent);
        }

        await gateway.Http.GetJsonAsync("/v2/sms/units", account.ApiKey);
        await gateway.Http.GetJsonAsync("/api/sms/units.php", account.ApiKey);
        await gateway.Http.GetJsonAsync($"/v2/sms/status?message_id={messageId}", account.ApiKey);

        // SMPP: bind with the right password and submit; change the password (which unbinds), bind with the new one.
        await using (var bound = await gateway.ConnectAsync())
        {
            Assert.Equal(CommandStatus.Ok, (await bound.BindAsync(smpp, CommandId.BindTransceiver)).CommandStatus);
            Assert.Equal(CommandStatus.Ok, (await bound.SubmitAsync(SmppTestClient.Submit(account.SenderId, "254702739804", "smpp"u8.ToArray()))).CommandStatus);
            var newPassword = "n#" + RandomLetters(6);
            secrets.Add(newPassword);
            await gateway.SetCredentialsAsync(account, smpp.SystemId, newPassword);
            var unbind = await bound.ReadAsync<Unbind>();
            await bound.SendAsync(unbind.CreateResponse());
            await using var rebound = await gateway.ConnectAsync();
            Assert.Equal(CommandStatus.Ok, (await rebound.BindAsync(smpp.SystemId, newPassword)).CommandStatus);
        }

        // Admin rotates the key; the new one is used, the old one is now a wrong key.
        var rotated = JsonNode.Parse(await (await AdminAsync(HttpMethod.Post, $"/v2/admin/accounts/{account.AccountId}/api-key", null)).Content.ReadAsStringAsync())!;
        var newKey = rotated["api_key"]!.GetValue<string>();
        secrets.Add(newKey);
        Assert.Equal("1000", (await gateway.Http.SendSmsAsync(newKey, new { mobile = "0702739804", sender_name = account.SenderId, message = "new key" }))[0]!.Code());

        // Failures, from their own addresses so that the lock-outs they cause (and log) stop nothing above.
        var wrongKey = ApiKeys.NewKey();
        var nearMiss = newKey[..^1] + (newKey[^1] == '0' ? '1' : '0');
        var wrongPassword = "w#" + RandomLetters(6);
        secrets.AddRange([wrongKey, nearMiss, wrongPassword]);
        using (var guesser = gateway.HttpFrom(IPAddress.Parse("127.0.5.1")))
        {
            foreach (var key in new[] { wrongKey, nearMiss, account.ApiKey, newKey })
            {
                await SecurityGateway.CallAsync(guesser, CustomerRoute.SendSms, key, account);
                await SecurityGateway.CallAsync(guesser, CustomerRoute.LegacySendSmsPlain, key, account);
            }
        }

        for (var i = 2; i <= 4; i++)
        {
            await using var guesser = await gateway.ConnectAsync(IPAddress.Parse($"127.0.5.{i}"));
            await guesser.BindAsync(smpp.SystemId, wrongPassword);
            await using var unknown = await gateway.ConnectAsync(IPAddress.Parse($"127.0.5.{i + 10}"));
            await unknown.BindAsync("nobody" + i, wrongPassword);
        }

        await AdminAsync(HttpMethod.Put, $"/v2/admin/accounts/{account.AccountId}/allowed-addresses", """{"allowed_addresses":["192.0.2.0/24"]}""");
        Assert.Equal("1016", (await gateway.Http.GetJsonAsync("/v2/sms/units", newKey))[0]!.Code());

        var events = gateway.Capture.Events.ToList();
        Assert.Contains(events, e => LogCapture.Text(e).Contains(account.AccountId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        Assert.Contains(events, e => e.Level == LogEventLevel.Warning && e.MessageTemplate.Text.StartsWith("Address {RemoteAddress} locked out", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Level == LogEventLevel.Warning && e.MessageTemplate.Text.StartsWith("SMPP system_id {SystemId} locked out", StringComparison.Ordinal));
        Assert.Contains(events, e => e.MessageTemplate.Text.Contains("outside its IP allow-list", StringComparison.Ordinal));
        Assert.Contains(events, e => e.MessageTemplate.Text.StartsWith("HTTP {RequestMethod}", StringComparison.Ordinal));

        foreach (var logEvent in events)
        {
            var text = LogCapture.Text(logEvent);
            var leaked = secrets.FirstOrDefault(s => text.Contains(s, StringComparison.Ordinal));
            Assert.True(leaked is null, $"a secret appears in the log event: {text}");
        }
    }

    [Fact]
    public async Task The_embedded_demo_key_is_logged_once_by_the_demo_account_and_nowhere_else()
    {
        var capture = new LogCapture();
        var demoKey = ApiKeys.NewKey();
        await using var factory = new GatewayFactory(settings: new Dictionary<string, string>
        {
            ["Taifa:Demo:Enabled"] = "true",
            ["Taifa:Demo:ApiKey"] = demoKey,
        }, configure: builder => LogCapture.Into(builder, capture));
        var client = factory.CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!capture.Events.Any(e => e.MessageTemplate.Text.StartsWith("Demo account", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal("1000", (await client.SendSmsAsync(demoKey, new { mobile = "0702739804", sender_name = "MYSENDER", message = "demo" }))[0]!.Code());
        var withKey = capture.Events.Where(e => LogCapture.Text(e).Contains(demoKey, StringComparison.Ordinal)).ToList();
        var demoLine = Assert.Single(withKey);
        Assert.Equal("\"Taifa.Silo.Hosting.DemoAccount\"", demoLine.Properties["SourceContext"].ToString());
        Assert.Equal(LogEventLevel.Warning, demoLine.Level);
    }

    private async Task<HttpResponseMessage> AdminAsync(HttpMethod method, string path, string? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFactory.AdminTokenValue);
        var response = await gateway.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path} answered {response.StatusCode}");
        return response;
    }

    /// <summary>Letters g-z only: a password made of them cannot turn up by chance inside a hex id or GUID in a log line.</summary>
    private static string RandomLetters(int count) =>
        string.Concat(Enumerable.Range(0, count).Select(_ => (char)('g' + Random.Shared.Next(20))));
}
