using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Taifa.Silo.Hosting;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Hosting;

/// <summary>Every kind of bad setting, at any depth, refuses the start and names the key that holds it.</summary>
public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("Taifa:NodeId", "1024", "Taifa:NodeId:")]
    [InlineData("Taifa:ShutdownTimeout", "00:20:00", "Taifa:ShutdownTimeout:")]
    [InlineData("Taifa:Smpp:Window", "0", "Taifa:Smpp:Window:")]
    [InlineData("Taifa:Smpp:Tls:Port", "70000", "Taifa:Smpp:Tls:Port:")]
    [InlineData("Taifa:Http:KeepAliveTimeout", "02:00:00", "Taifa:Http:KeepAliveTimeout:")]
    [InlineData("Taifa:Api:MaxParts", "0", "Taifa:Api:MaxParts:")]
    [InlineData("Taifa:Demo:ApiKey", "not-hex", "Taifa:Demo:ApiKey:")]
    [InlineData("Taifa:Security:LockoutDuration", "00:00:00", "Taifa:Security:LockoutDuration:")]
    [InlineData("Taifa:Portal:SessionLifetime", "00:00:10", "Taifa:Portal:SessionLifetime:")]
    [InlineData("Taifa:Payments:Mpesa:CallbackToken", "too-short", "Taifa:Payments:Mpesa:CallbackToken:")]
    [InlineData("Taifa:Simulators:ReceiptDelay", "-00:00:01", "Taifa:Simulators:ReceiptDelay:")]
    [InlineData("Taifa:Inbound:PollInterval", "00:00:00", "Taifa:Inbound:PollInterval:")]
    [InlineData("Taifa:Security:TrustedProxies:0", "not-an-address", "Taifa:Security:TrustedProxies must list")]
    [InlineData("Taifa:Smpp:Port", "two", "'Taifa:Smpp:Port'")]
    [InlineData("Taifa:Dispatch:MaxAttempts", "0", "Taifa:Dispatch:MaxAttempts must be from 1 to 1000.")]
    [InlineData("Taifa:Dispatch:RetryMaxDelay", "00:00:00.100", "Taifa:Dispatch:RetryMaxDelay must be at least RetryBaseDelay.")]
    [InlineData("Taifa:Dispatch:DefaultRoute", "nowhere", "Taifa:Dispatch:DefaultRoute must be the name of a configured operator")]
    [InlineData("Taifa:Dispatch:Failover:ErrorRate", "1.5", "Taifa:Dispatch:Failover:ErrorRate must be above 0 and at most 1.")]
    [InlineData("Taifa:Dispatch:Failover:BindDownAfter", "00:00:00", "Taifa:Dispatch:Failover:BindDownAfter must be positive.")]
    [InlineData("Taifa:Routes:1", "safaricom,nowhere", "Taifa:Routes:1 must be names of configured operators")]
    [InlineData("Taifa:Routes:1:0", "nowhere", "Taifa:Routes:1 must be names of configured operators")]
    [InlineData("Taifa:Routes:1", "airtel,Airtel", "Taifa:Routes:1 must be each operator once.")]
    [InlineData("Taifa:Routes:one", "airtel", "Taifa:Routes:one must be under a network id (a number).")]
    public async Task A_bad_value_refuses_the_start_naming_its_key(string key, string value, string named)
    {
        await AssertRefused(new Dictionary<string, string> { [key] = value }, named);
    }

    [Theory]
    [InlineData("Port", "0", "Taifa:Operators:mno:Port must be from 1 to 65535.")]
    [InlineData("Host", " ", "Taifa:Operators:mno:Host must be a host name or IP address.")]
    [InlineData("Window", "0", "Taifa:Operators:mno:Window must be from 1 to 100000.")]
    [InlineData("Binds", "-1", "Taifa:Operators:mno:Binds must be from 1 to 1000.")]
    [InlineData("ReconnectMaxDelay", "00:00:00.500", "Taifa:Operators:mno:ReconnectMaxDelay must be at least ReconnectMinDelay.")]
    [InlineData("ResponseTimeout", "00:00:00", "Taifa:Operators:mno:ResponseTimeout must be positive.")]
    [InlineData("ReceiptClockOffset", "15:00:00", "Taifa:Operators:mno:ReceiptClockOffset must be from -14:00:00 to 14:00:00.")]
    [InlineData("ReceiptClockTolerance", "02:00:00", "Taifa:Operators:mno:ReceiptClockTolerance must be from 00:00:00 to 01:00:00.")]
    [InlineData("BindMode", "Sideways", "'Taifa:Operators:mno:BindMode'")]
    [InlineData("Window", "many", "'Taifa:Operators:mno:Window'")]
    public async Task A_bad_operator_value_refuses_the_start_naming_its_key(string property, string value, string named)
    {
        await AssertRefused(new Dictionary<string, string>
        {
            ["Taifa:Operators:mno:Host"] = "127.0.0.1",
            ["Taifa:Operators:mno:Port"] = "2775",
            ["Taifa:Operators:mno:NetworkIds:0"] = "1",
            [$"Taifa:Operators:mno:{property}"] = value,
        }, named);
    }

    /// <summary>
    /// Builds and starts the host as Program does, but here rather than through WebApplicationFactory: Program logs a
    /// failed start and exits, where this test wants the exception itself.
    /// </summary>
    private static async Task AssertRefused(Dictionary<string, string> settings, string named)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(Program).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Development",
        });
        var port = (int p) => p.ToString(CultureInfo.InvariantCulture);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Taifa:AdminToken"] = GatewayFactory.AdminTokenValue,
            ["Taifa:Smpp:Port"] = "0",
            ["Taifa:Demo:Enabled"] = "false",
            ["urls"] = $"http://127.0.0.1:{port(GatewayFactory.FreeTcpPort())}",
            ["Orleans:Endpoints:SiloPort"] = port(GatewayFactory.FreeTcpPort()),
            ["Orleans:Endpoints:GatewayPort"] = port(GatewayFactory.FreeTcpPort()),
            ["Orleans:ClusterId"] = "refused-" + Guid.NewGuid().ToString("N")[..8],
        });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));

        WebApplication? app = null;
        var started = false;
        var failure = await Record.ExceptionAsync(async () =>
        {
            builder.AddTaifa();
            app = builder.Build();
            app.UseTaifa();
            await app.StartAsync();
            started = true;
        });
        if (app is not null)
        {
            if (started) await app.StopAsync();
            await app.DisposeAsync();
        }

        Assert.NotNull(failure);
        var messages = string.Join(" | ", Chain(failure).Select(e => e.Message));
        Assert.Contains(named, messages, StringComparison.Ordinal);
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException) yield return current;
    }
}
