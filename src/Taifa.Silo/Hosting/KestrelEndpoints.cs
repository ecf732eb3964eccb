using System.Net;
using Taifa.Silo.Options;

namespace Taifa.Silo.Hosting;

/// <summary>
/// Binds HTTP and SMPP together. An explicit Kestrel Listen call makes Kestrel ignore --urls and
/// ASPNETCORE_URLS, so the HTTP addresses are read from that same configuration and bound here too.
/// </summary>
public static class KestrelEndpoints
{
    public const string DefaultUrls = "http://*:8080";

    public static void ConfigureTaifaEndpoints(this WebApplicationBuilder builder, Action<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions>? smpp)
    {
        var configuration = builder.Configuration;
        var urls = configuration["urls"];
        if (string.IsNullOrWhiteSpace(urls))
        {
            var ports = configuration["http_ports"];
            urls = string.IsNullOrWhiteSpace(ports)
                ? DefaultUrls
                : string.Join(';', ports.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => $"http://*:{p}"));
        }

        var smppPort = configuration.GetValue($"{TaifaOptions.Section}:Smpp:Port", new SmppListenerOptions().Port);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                Listen(kestrel, url);
            }

            if (smpp is not null && smppPort > 0) kestrel.ListenAnyIP(smppPort, smpp);
        });
    }

    private static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, string url)
    {
        var uri = new Uri(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal));
        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new InvalidOperationException($"Only http:// URLs can be bound from urls ({url}); configure HTTPS through Kestrel:Endpoints.");
        }

        var port = uri.Port;
        if (uri.Host is "0.0.0.0") kestrel.ListenAnyIP(port);
        else if (uri.Host is "localhost") kestrel.ListenLocalhost(port);
        else kestrel.Listen(IPAddress.Parse(uri.Host.Trim('[', ']')), port);
    }
}
