using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Taifa.Silo.Tests.Infrastructure;

/// <summary>
/// The real gateway (silo + REST) in process. Embedded mode by default; PostgreSQL mode when given a connection string.
/// Every instance takes its own silo and gateway ports so fixtures can run side by side.
/// </summary>
public sealed class GatewayFactory(
    string? connectionString = null, IReadOnlyDictionary<string, string>? settings = null, Action<IWebHostBuilder>? configure = null)
    : WebApplicationFactory<Program>
{
    public const string AdminTokenValue = "test-admin-token-0123456789";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Taifa:AdminToken", AdminTokenValue);
        builder.UseSetting("Taifa:Smpp:Port", "0");
        builder.UseSetting("Taifa:Demo:Enabled", "false");
        builder.UseSetting("Orleans:Endpoints:SiloPort", FreeTcpPort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Orleans:Endpoints:GatewayPort", FreeTcpPort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Orleans:Endpoints:AdvertisedIPAddress", "127.0.0.1");
        builder.UseSetting("Orleans:ClusterId", "test-" + Guid.NewGuid().ToString("N")[..8]);
        if (connectionString is not null) builder.UseSetting("ConnectionStrings:Taifa", connectionString);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(key, value);
        configure?.Invoke(builder);
    }

    /// <summary>The built-in SMSC simulator of one operator (embedded mode with no operator configured).</summary>
    public Taifa.Operators.Simulator.SmscSimulator Simulator(string operatorName) =>
        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Taifa.Silo.Dispatch.BuiltInOperators>(Services).Simulators[operatorName];

    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminTokenValue);
        return client;
    }

    /// <summary>Opens an account through the admin API, as an operator would.</summary>
    public async Task<TestAccount> OpenAccountAsync(decimal credit = 500m, decimal price = 1m, params string[] senderIds)
    {
        using var admin = CreateAdminClient();
        var senders = senderIds.Length > 0 ? senderIds : ["S" + Guid.NewGuid().ToString("N")[..9].ToUpperInvariant()];
        var response = await admin.PostAsJsonAsync("/v2/admin/accounts", new
        {
            name = "Test " + Guid.NewGuid().ToString("N")[..6],
            credit_balance = credit,
            price_per_sms = price,
            sender_ids = senders,
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"opening an account answered {response.StatusCode}: {body}");
        var json = JsonNode.Parse(body)!;
        return new TestAccount(long.Parse(json["account_id"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
            json["api_key"]!.GetValue<string>(), senders[0]);
    }

    // Taifa.Cluster.Tests, which may run at the same time, takes 21000-31999.
    private static readonly Taifa.Tests.Shared.LoopbackPortRange Ports = new(10_000, 20_999);

    public static int FreeTcpPort() => Ports.Next();
}

public sealed record TestAccount(long AccountId, string ApiKey, string SenderId);

public static class CustomerApiClient
{
    public static async Task<(string ContentType, string Body)> PostRawAsync(this HttpClient client, string path, string? apiKey, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (apiKey is not null) request.Headers.Add("h_api_key", apiKey);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response.Content.Headers.ContentType?.MediaType ?? "", await response.Content.ReadAsStringAsync());
    }

    public static async Task<JsonArray> SendSmsAsync(this HttpClient client, string? apiKey, object body, string path = "/v2/sms/sendsms")
    {
        var (contentType, text) = await client.PostRawAsync(path, apiKey, System.Text.Json.JsonSerializer.Serialize(body));
        Assert.Equal("application/json", contentType);
        return JsonNode.Parse(text)!.AsArray();
    }

    public static async Task<JsonNode> GetJsonAsync(this HttpClient client, string path, string? apiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (apiKey is not null) request.Headers.Add("h_api_key", apiKey);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    public static string Code(this JsonNode node) => node["status_code"]!.GetValue<string>();
}

/// <summary>One embedded-mode gateway shared by a test class; each test opens its own accounts.</summary>
public sealed class EmbeddedGateway : IAsyncLifetime
{
    public GatewayFactory Factory { get; } = new();

    public Task InitializeAsync()
    {
        _ = Factory.Server;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}
