using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Silo.Tests.Smpp;

namespace Taifa.Silo.Tests.Transport;

/// <summary>The gateway on real sockets with HTTP timeouts short enough to hit in a test.</summary>
public sealed class ShortTimeoutsGateway() : SmppGatewayBase(new Dictionary<string, string>
{
    ["Taifa:Http:RequestHeadersTimeout"] = "00:00:02",
    ["Taifa:Http:KeepAliveTimeout"] = "00:00:02",
    ["Taifa:Http:MinRequestBodyBytesPerSecond"] = "1000",
    ["Taifa:Http:MinRequestBodyGracePeriod"] = "00:00:02",
});

/// <summary>
/// Hostile and broken HTTP clients over real sockets: each gets a documented answer (a customer status code, or
/// Kestrel's own 4xx with an empty body), never a 500, and the silo keeps serving everyone else.
/// </summary>
[Collection(SmppCollection.Name)]
public sealed class HttpBadInputTests(ShortTimeoutsGateway gateway) : IClassFixture<ShortTimeoutsGateway>
{
    private const string Mobile = "0702739804";

    [Theory]
    [InlineData(100, false, "1000")]
    [InlineData(300, false, "1009")]
    [InlineData(300, true, "1009")]
    public async Task A_body_over_the_limit_answers_1009(int kibibytes, bool chunked, string expected)
    {
        var account = await gateway.OpenAccountAsync(500m, 1m);
        // An otherwise valid request: only its size (an unknown field, ignored when small enough) decides.
        var body = $$"""{"mobile":"{{Mobile}}","sender_name":"{{account.SenderId}}","message":"hi","note":"{{new string('a', kibibytes * 1024)}}"}""";
        using var request = Post("/v2/sms/sendsms", account.ApiKey, Json(body));
        request.Headers.TransferEncodingChunked = chunked;

        Assert.Equal(expected, await AnswerCodeAsync(request));
        Assert.Equal(expected == "1000" ? 499m : 500m, await gateway.BalanceAsync(account));
    }

    [Theory]
    [InlineData(14, "1000")]
    [InlineData(20, "1009")]
    [InlineData(100_000, "1009")]
    public async Task Json_nested_deeper_than_16_answers_1009(int depth, string expected)
    {
        var account = await gateway.OpenAccountAsync(500m, 1m);
        var body = $$"""{"mobile":"{{Mobile}}","sender_name":"{{account.SenderId}}","message":"hi","note":{{new string('[', depth)}}{{new string(']', depth)}}}""";

        Assert.Equal(expected, await AnswerCodeAsync(Post("/v2/sms/sendsms", account.ApiKey, Json(body))));
    }

    [Fact]
    public async Task Deep_json_on_the_admin_api_answers_400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/admin/accounts")
        {
            Content = Json(new string('[', 50_000) + new string(']', 50_000)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFactory.AdminTokenValue);
        using var response = await gateway.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { 0xFF, 0xFE })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    public async Task Invalid_utf8_in_the_body_answers_1009(byte[] invalid)
    {
        var account = await gateway.OpenAccountAsync(500m, 1m);
        var body = Encoding.UTF8.GetBytes($$"""{"mobile":"{{Mobile}}","sender_name":"{{account.SenderId}}","message":"x""")
            .Concat(invalid).Concat("\"}"u8.ToArray()).ToArray();
        using var request = Post("/v2/sms/sendsms", account.ApiKey, new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } });

        Assert.Equal("1009", await AnswerCodeAsync(request));
        Assert.Equal(500m, await gateway.BalanceAsync(account));
    }

    [Theory]
    [InlineData("\\ud800")]
    [InlineData("\\udc00x")]
    [InlineData("\\ud800\\u0041")]
    public async Task A_lone_surrogate_escape_answers_1009(string escaped)
    {
        var account = await gateway.OpenAccountAsync(500m, 1m);
        var body = $$"""{"mobile":"{{Mobile}}","sender_name":"{{account.SenderId}}","message":"{{escaped}}"}""";

        Assert.Equal("1009", await AnswerCodeAsync(Post("/v2/sms/sendsms", account.ApiKey, Json(body))));
        Assert.Equal(500m, await gateway.BalanceAsync(account));
    }

    /// <summary>
    /// The body is read as JSON whatever Content-Type says: PHP's cURL labels a JSON string form-urlencoded unless told
    /// otherwise, and the legacy gateway read such posts. A body that is not JSON (form fields, multipart) answers 1009.
    /// </summary>
    [Theory]
    [InlineData("/v2/sms/sendsms", "text/plain", "json", "1000")]
    [InlineData("/api/sms/sendsms.php", "application/x-www-form-urlencoded", "json", "1000")]
    [InlineData("/v2/sms/sendsms", null, "json", "1000")]
    [InlineData("/api/sms/sendsms.php", "application/x-www-form-urlencoded", "form", "1009")]
    [InlineData("/v2/sms/sendsms", "multipart/form-data; boundary=XyZ", "multipart", "1009")]
    public async Task The_content_type_does_not_matter_only_a_json_body_does(string path, string? contentType, string shape, string expected)
    {
        var account = await gateway.OpenAccountAsync(500m, 1m);
        var body = shape switch
        {
            "json" => $$"""{"mobile":"{{Mobile}}","sender_name":"{{account.SenderId}}","message":"hi"}""",
            "form" => $"mobile={Mobile}&sender_name={account.SenderId}&message=hi",
            _ => $"--XyZ\r\nContent-Disposition: form-data; name=\"mobile\"\r\n\r\n{Mobile}\r\n--XyZ--\r\n",
        };
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        Assert.Equal(expected, await AnswerCodeAsync(Post(path, account.ApiKey, content)));
    }

    [Fact]
    public async Task Huge_headers_and_request_lines_get_kestrels_empty_4xx_not_a_500()
    {
        var tooLarge = await RawHttp.ExchangeAsync(gateway.HttpPort, $"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: {new string('a', 40 * 1024)}\r\n\r\n");
        var tooMany = await RawHttp.ExchangeAsync(gateway.HttpPort,
            "GET /healthz HTTP/1.1\r\nHost: t\r\n" + string.Concat(Enumerable.Range(0, 80).Select(i => $"X-H{i}: v\r\n")) + "\r\n");
        var longLine = await RawHttp.ExchangeAsync(gateway.HttpPort, $"GET /healthz?q={new string('a', 10 * 1024)} HTTP/1.1\r\nHost: t\r\n\r\n");
        var garbage = await RawHttp.ExchangeAsync(gateway.HttpPort, "\x01\x02 NOT HTTP AT ALL\r\n\r\n");

        Assert.Equal([431, 431, 414, 400], new[] { tooLarge, tooMany, longLine, garbage }.Select(a => a?.Status ?? 0));
        Assert.All([tooLarge!, tooMany!, longLine!, garbage!], answer =>
        {
            Assert.Contains("Content-Length: 0", answer.Head, StringComparison.OrdinalIgnoreCase);
            Assert.Equal("", answer.Body);
        });
        Assert.Equal("ok", await gateway.Http.GetStringAsync("/healthz"));
    }

    [Fact]
    public async Task A_client_trickling_its_headers_is_cut_off_while_others_are_served()
    {
        using var slow = await RawHttp.ConnectAsync(gateway.HttpPort);
        await slow.SendAsync("GET /healthz HTTP/1.1\r\nHost: t\r\n");
        var started = DateTime.UtcNow;
        var answer = RawHttp.ReadAnswerAsync(slow, TimeSpan.FromSeconds(15));

        await TrickleUntilAsync(slow, answer, "X-Slow: " + new string('a', 100), bytesPerStep: 1);

        var lived = DateTime.UtcNow - started;
        Assert.True(lived < TimeSpan.FromSeconds(8), $"the trickling client was served for {lived}");
        Assert.Equal(408, (await answer)?.Status ?? 408);
    }

    [Fact]
    public async Task A_client_trickling_its_body_is_cut_off_while_others_are_served()
    {
        var account = await gateway.OpenAccountAsync(500m, 1m);
        using var slow = await RawHttp.ConnectAsync(gateway.HttpPort);
        await slow.SendAsync($"POST /v2/sms/sendsms HTTP/1.1\r\nHost: t\r\nh_api_key: {account.ApiKey}\r\n" +
                             "Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n");
        var started = DateTime.UtcNow;
        var answer = RawHttp.ReadAnswerAsync(slow, TimeSpan.FromSeconds(15));

        // About 500 bytes a second: above Kestrel's stock minimum (240), below the configured 1000.
        await TrickleUntilAsync(slow, answer, "{\"mobile\":\"0702739804\",\"message\":\"" + new string('z', 10_000), bytesPerStep: 100);

        var lived = DateTime.UtcNow - started;
        Assert.True(lived < TimeSpan.FromSeconds(8), $"the trickling client was served for {lived}");
        var status = (await answer)?.Status;
        Assert.True(status is null or 408 or 200, $"a trickled body answered HTTP {status}");
        Assert.Equal(500m, await gateway.BalanceAsync(account));
    }

    [Fact]
    public async Task An_idle_keep_alive_connection_is_closed_after_the_keep_alive_timeout()
    {
        using var idle = await RawHttp.ConnectAsync(gateway.HttpPort);
        await idle.SendAsync("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal(200, (await RawHttp.ReadAnswerAsync(idle, TimeSpan.FromSeconds(10)))!.Status);
        var served = DateTime.UtcNow;

        Assert.Null(await RawHttp.ReadAnswerAsync(idle, TimeSpan.FromSeconds(10)));
        var open = DateTime.UtcNow - served;
        Assert.True(open > TimeSpan.FromSeconds(1.5), $"closed after only {open}");
    }

    /// <summary>
    /// Sends <paramref name="text"/> a few bytes every 200 ms (for at most 12 s, never all of it) until the server answers
    /// or closes, checking each time that /healthz still answers.
    /// </summary>
    private async Task TrickleUntilAsync(System.Net.Sockets.Socket slow, Task<RawHttp.Answer?> answer, string text, int bytesPerStep)
    {
        for (var i = 0; !answer.IsCompleted && i < 60; i++)
        {
            try
            {
                await slow.SendAsync(text.Substring(i * bytesPerStep, bytesPerStep));
            }
            catch (System.Net.Sockets.SocketException)
            {
                break;
            }

            Assert.Equal("ok", await gateway.Http.GetStringAsync("/healthz"));
            await Task.WhenAny(answer, Task.Delay(200));
        }

        await answer.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static HttpRequestMessage Post(string path, string apiKey, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Add("h_api_key", apiKey);
        return request;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task<string> AnswerCodeAsync(HttpRequestMessage request)
    {
        using (request)
        using (var response = await gateway.Http.SendAsync(request))
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"HTTP {(int)response.StatusCode}: {text}");
            return JsonNode.Parse(text)!.AsArray()[0]!.Code();
        }
    }
}
