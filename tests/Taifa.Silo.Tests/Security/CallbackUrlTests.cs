using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Events;
using Taifa.Silo.Dispatch;
using Taifa.Silo.Intake;
using Taifa.Silo.Tests.Dispatch;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Security;

/// <summary>
/// dlr_url cannot be turned against the gateway's own network: private, loopback and other non-public targets answer
/// 1009 at intake and are refused again at connect time, after DNS; redirects are not followed.
/// </summary>
public sealed class CallbackUrlTests(EmbeddedGateway gateway) : IClassFixture<EmbeddedGateway>
{
    private static readonly CallbackUrlPolicy Strict = new(allowPrivateTargets: false);

    public static TheoryData<string> RefusedUrls => new()
    {
        "http://127.0.0.1/dlr",
        "http://127.1/dlr",
        "http://2130706433/dlr",
        "http://0x7f000001/dlr",
        "http://017700000001/dlr",
        "http://0.0.0.0:8080/dlr",
        "http://0/dlr",
        "http://localhost:8080/dlr",
        "http://LOCALHOST./dlr",
        "http://api.localhost/dlr",
        "http://[::1]/dlr",
        "http://[::]/dlr",
        "http://[::ffff:127.0.0.1]/dlr",
        "http://[::ffff:a9fe:a9fe]/dlr",
        "http://[64:ff9b::a00:1]/dlr",
        "http://[2002:c0a8:101::1]/dlr",
        "http://10.1.2.3/dlr",
        "http://172.16.0.1/dlr",
        "http://172.31.255.255/dlr",
        "http://192.168.1.1/dlr",
        "http://100.64.0.1/dlr",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/dlr",
        "http://[fd00::1]/dlr",
        "http://[fc00::1]/dlr",
        "http://224.0.0.1/dlr",
        "http://[ff02::1]/dlr",
        "http://255.255.255.255/dlr",
        "http://192.0.2.10/dlr",
        "http://customer.example.com@127.0.0.1/dlr",
        "http://user:pass@10.0.0.1/dlr",
        "http://127.0.0.1\\@customer.example.com/dlr",
        "http://postgres:5432/",
        "http://taifa-silo.default.svc.cluster.local/dlr",
        "http://metadata.google.internal/computeMetadata/v1/",
        "ftp://customer.example.com/dlr",
        "file:///etc/passwd",
        "/relative/dlr",
    };

    public static TheoryData<string> AcceptedUrls => new()
    {
        "https://customer.example.com/dlr",
        "http://customer.example.com:8080/dlr?ref=1",
        "http://93.184.216.34/dlr",
        "http://8.8.8.8/dlr",
        "http://172.32.0.1/dlr",
        "http://[2606:4700:4700::1111]/dlr",
        "http://[::ffff:8.8.8.8]/dlr",
        "http://[64:ff9b::808:808]/dlr",
    };

    [Theory]
    [MemberData(nameof(RefusedUrls))]
    public void Intake_refuses_urls_that_lead_to_a_private_or_special_address(string url) => Assert.False(Strict.Accepts(url), url);

    [Theory]
    [MemberData(nameof(AcceptedUrls))]
    public void Intake_accepts_public_http_urls(string url) => Assert.True(Strict.Accepts(url), url);

    [Fact]
    public void The_option_lets_private_targets_through_but_still_only_absolute_http_urls()
    {
        var lenient = new CallbackUrlPolicy(allowPrivateTargets: true);
        Assert.True(lenient.Accepts("http://127.0.0.1:8080/dlr"));
        Assert.True(lenient.Accepts("http://localhost/dlr"));
        Assert.False(lenient.Accepts("ftp://127.0.0.1/dlr"));
        Assert.False(lenient.Accepts("/dlr"));
    }

    [Theory]
    [MemberData(nameof(RefusedUrls))]
    public async Task A_refused_dlr_url_answers_1009_and_charges_nothing(string url)
    {
        using var client = gateway.Factory.CreateClient();
        var account = await gateway.Factory.OpenAccountAsync(credit: 5m, price: 1m);
        var answer = await client.SendSmsAsync(account.ApiKey, new { mobile = "0702739804", sender_name = account.SenderId, message = "ssrf", dlr_url = url });

        Assert.Equal("1009", Assert.Single(answer)!.Code());
        Assert.Equal("5.00", (await client.GetJsonAsync("/v2/sms/units", account.ApiKey))["credit_balance"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_public_dlr_url_is_accepted()
    {
        using var client = gateway.Factory.CreateClient();
        var account = await gateway.Factory.OpenAccountAsync(credit: 5m, price: 1m);
        var answer = await client.SendSmsAsync(account.ApiKey,
            new { mobile = "0702739804", sender_name = account.SenderId, message = "ssrf", dlr_url = "https://customer.example.com/dlr" });

        Assert.Equal("1000", Assert.Single(answer)!.Code());
    }

    /// <summary>A name that passed intake can resolve to a private address by the time the status is posted (DNS
    /// rebinding); "localhost" stands for such a name here, since intake is not asked.</summary>
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task The_dlr_client_refuses_a_loopback_target_at_connect_time(string host)
    {
        await using var receiver = new StatusCallbackReceiver();
        var url = new UriBuilder(receiver.Url) { Host = host }.Uri;
        using var dlr = gateway.Factory.Services.GetRequiredService<IHttpClientFactory>().CreateClient(CustomerNotifier.HttpClientName);

        var refused = await Assert.ThrowsAnyAsync<HttpRequestException>(() => dlr.PostAsync(url, new StringContent("{}")));

        Assert.IsType<CallbackTargetRefusedException>(refused.InnerException);
        Assert.Empty(receiver.Posts);
    }

    [Fact]
    public async Task With_private_targets_allowed_redirects_are_still_not_followed_and_http_client_lines_are_not_logged()
    {
        var capture = new LogCapture();
        await using var lenient = new GatewayFactory(settings: new Dictionary<string, string>
        {
            ["Taifa:Api:AllowPrivateCallbackTargets"] = "true",
            ["Serilog:MinimumLevel:Default"] = "Debug",
        }, configure: builder => LogCapture.Into(builder, capture));
        await using var target = new StatusCallbackReceiver();
        using var redirector = new Redirector(target.Url);
        using var dlr = lenient.Services.GetRequiredService<IHttpClientFactory>().CreateClient(CustomerNotifier.HttpClientName);

        using (var direct = await dlr.PostAsync(new Uri(target.Url), new StringContent("{\"message_id\":\"1\"}")))
        {
            Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        }

        using (var redirected = await dlr.PostAsync(redirector.Url, new StringContent("{\"message_id\":\"2\"}")))
        {
            Assert.Equal(HttpStatusCode.RedirectKeepVerb, redirected.StatusCode);
        }

        Assert.Equal(["1"], target.Posts.Select(p => p["message_id"]!.GetValue<string>()));
        var httpClientLines = capture.Events
            .Where(e => e.Level < LogEventLevel.Warning && e.Properties.TryGetValue("SourceContext", out var source) &&
                        source.ToString().StartsWith("\"System.Net.Http", StringComparison.Ordinal))
            .Select(LogCapture.Text)
            .ToList();
        Assert.True(httpClientLines.Count == 0, "HttpClient logged: " + string.Join("\n---\n", httpClientLines));
    }

    /// <summary>A customer server on loopback that answers every request 307 to <c>location</c>.</summary>
    private sealed class Redirector : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        public Redirector(string location)
        {
            _listener.Start();
            Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/dlr");
            _ = Task.Run(Serve);

            async Task Serve()
            {
                while (true)
                {
                    TcpClient connection;
                    try
                    {
                        connection = await _listener.AcceptTcpClientAsync();
                    }
                    catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
                    {
                        return;
                    }

                    using var owned = connection;
                    var stream = connection.GetStream();
                    var buffer = new byte[8192];
                    var read = 0;
                    while (!Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var count = await stream.ReadAsync(buffer.AsMemory(read));
                        if (count == 0) break;
                        read += count;
                    }

                    await stream.WriteAsync(Encoding.ASCII.GetBytes(
                        $"HTTP/1.1 307 Temporary Redirect\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                }
            }
        }

        public Uri Url { get; }

        public void Dispose() => _listener.Stop();
    }
}
