using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Smpp;

/// <summary>
/// The gateway on real Kestrel sockets (HTTP and SMPP on free loopback ports), for tests that speak SMPP.
/// Subclasses pick the SMPP limits.
/// </summary>
public abstract class SmppGatewayBase : IAsyncLifetime
{
    protected SmppGatewayBase(IReadOnlyDictionary<string, string> smppSettings, Action<IWebHostBuilder>? configure = null)
    {
        SmppPort = GatewayFactory.FreeTcpPort();
        HttpPort = GatewayFactory.FreeTcpPort();
        // A "urls" setting adds addresses (such as an https:// one) beside the plain HTTP port the tests talk to.
        var settings = new Dictionary<string, string>(smppSettings)
        {
            ["Taifa:Smpp:Port"] = SmppPort.ToString(CultureInfo.InvariantCulture),
            ["urls"] = smppSettings.TryGetValue("urls", out var more) ? $"http://127.0.0.1:{HttpPort};{more}" : $"http://127.0.0.1:{HttpPort}",
        };
        Factory = new GatewayFactory(settings: settings, configure: configure);
        Factory.UseKestrel();
    }

    public GatewayFactory Factory { get; }

    public int SmppPort { get; }

    public int HttpPort { get; }

    public HttpClient Http { get; private set; } = null!;

    public IGrainFactory Grains => Factory.Services.GetRequiredService<IGrainFactory>();

    public Task InitializeAsync()
    {
        Factory.StartServer();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}") };
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync()
    {
        Http.Dispose();
        await Factory.DisposeAsync();
    }

    /// <summary>An HTTP client whose connections come from <paramref name="local"/> (any of 127.0.0.0/8 on Linux).</summary>
    public HttpClient HttpFrom(IPAddress local) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    { BaseAddress = Http.BaseAddress };

    public Task<SmppTestClient> ConnectAsync(IPAddress? from = null) => SmppTestClient.ConnectAsync(SmppPort, from);

    /// <summary>An account with SMPP credentials registered through REST, as a customer would.</summary>
    public async Task<SmppAccount> OpenSmppAccountAsync(decimal credit = 500m, decimal price = 1m, params string[] senderIds)
    {
        var account = await OpenAccountAsync(credit, price, senderIds);
        var username = "u" + Guid.NewGuid().ToString("N")[..12];
        var password = "p" + Guid.NewGuid().ToString("N")[..7];
        await SetCredentialsAsync(account, username, password);
        return new SmppAccount(account, username, password);
    }

    public async Task SetCredentialsAsync(TestAccount account, string username, string password)
    {
        var (_, body) = await Http.PostRawAsync("/v2/sms/smpp-credentials", account.ApiKey,
            $$"""{"smpp_username":"{{username}}","smpp_password":"{{password}}"}""");
        Assert.True(JsonNode.Parse(body)!["smpp_username"]?.GetValue<string>() == username, $"smpp-credentials answered {body}");
    }

    public async Task<decimal> BalanceAsync(TestAccount account)
    {
        var units = await Http.GetJsonAsync("/v2/sms/units", account.ApiKey);
        return decimal.Parse(units["credit_balance"]!.GetValue<string>(), CultureInfo.InvariantCulture);
    }

    public async Task SuspendAsync(TestAccount account) => await AdminAsync($"/v2/admin/accounts/{account.AccountId}/suspend", null);

    /// <summary>Opens an account through the admin API on the real socket (the factory's own client goes to the first bound port).</summary>
    public async Task<TestAccount> OpenAccountAsync(decimal credit, decimal price, params string[] senderIds)
    {
        var senders = senderIds.Length > 0 ? senderIds : ["S" + Guid.NewGuid().ToString("N")[..9].ToUpperInvariant()];
        var json = await AdminAsync("/v2/admin/accounts", new { name = "SMPP test", credit_balance = credit, price_per_sms = price, sender_ids = senders });
        return new TestAccount(long.Parse(json["account_id"]!.GetValue<string>(), CultureInfo.InvariantCulture), json["api_key"]!.GetValue<string>(), senders[0]);
    }

    public async Task SetPricesAsync(TestAccount account, object rateCard) =>
        await AdminAsync($"/v2/admin/accounts/{account.AccountId}/prices", rateCard, HttpMethod.Put);

    private async Task<JsonNode> AdminAsync(string path, object? body, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", GatewayFactory.AdminTokenValue);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"admin {path} answered {response.StatusCode}: {text}");
        return text.Length > 0 ? JsonNode.Parse(text)! : new JsonObject();
    }
}

public sealed record SmppAccount(TestAccount Account, string SystemId, string Password)
{
    public string SenderId => Account.SenderId;
}

/// <summary>Roomy limits: several binds per account, a window of 100.</summary>
public sealed class SmppGateway() : SmppGatewayBase(new Dictionary<string, string>
{
    ["Taifa:Smpp:MaxBindsPerAccount"] = "3",
    ["Taifa:Smpp:Window"] = "100",
});

/// <summary>Tight limits: idle after one second, bound within two, a window of two, a small outbound queue.</summary>
public sealed class TightSmppGateway() : SmppGatewayBase(new Dictionary<string, string>
{
    ["Taifa:Smpp:IdleTimeout"] = "00:00:01",
    ["Taifa:Smpp:Window"] = "2",
    ["Taifa:Smpp:MaxQueuedOutbound"] = "16",
    ["Taifa:Smpp:BindTimeout"] = "00:00:02",
});

/// <summary>
/// SMPP tests run on their own: the host's Serilog set-up freezes a process-wide bootstrap logger, so two gateways
/// starting at the same instant can fail ("The logger is already frozen").
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SmppCollection
{
    public const string Name = "SMPP over real sockets";
}
