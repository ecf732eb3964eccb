using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Taifa.Silo.Options;

namespace Taifa.Silo.Hosting;

/// <summary>
/// Binds HTTP(S), SMPP and SMPP over TLS together, with the limits of <see cref="HttpLimitsOptions"/>, from the
/// validated <see cref="TaifaOptions"/>. An explicit
/// Kestrel Listen call makes Kestrel ignore --urls and ASPNETCORE_URLS, so the HTTP addresses are read from that same
/// configuration and bound here too; https:// addresses take the certificate of Kestrel:Certificates:Default.
/// </summary>
public static class KestrelEndpoints
{
    public const string DefaultUrls = "http://*:8080";
    public const string DefaultCertificateSection = "Kestrel:Certificates:Default";

    public static void ConfigureTaifaEndpoints(this WebApplicationBuilder builder, Action<ListenOptions>? smpp)
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

        // From the validated options: a bad value refuses the start with the key that holds it, not a default in its place.
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<TaifaOptions>>((kestrel, taifa) =>
        {
            var smppOptions = taifa.Value.Smpp;
            var limits = taifa.Value.Http;
            kestrel.AddServerHeader = false;
            ApplyLimits(kestrel.Limits, limits);
            foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                Listen(kestrel, url, configuration);
            }

            // Here rather than while the host is built: a bad address then fails the start itself, with this message.
            var smppAddress = SmppListenAddress(smppOptions.ListenAddress);
            if (smpp is null) return;
            if (smppOptions.Port > 0) ListenSmpp(kestrel, smppAddress, smppOptions.Port, smpp);
            if (smppOptions.Tls.Port > 0)
            {
                // Kestrel's own TLS layer (the one HTTPS uses, with its handshake timeout) in front of the same SMPP
                // connection handler: the session reads and writes plaintext pipes either way.
                var certificate = smppOptions.Tls.CertificatePath is { Length: > 0 } path
                    ? TlsCertificates.Load(path, smppOptions.Tls.CertificatePassword, smppOptions.Tls.KeyPath)
                    : DefaultCertificate(configuration, "Taifa:Smpp:Tls:Port is set");
                ListenSmpp(kestrel, smppAddress, smppOptions.Tls.Port, listen =>
                {
                    listen.UseHttps(certificate);
                    smpp(listen);
                });
            }
        });
    }

    /// <returns>Null for every interface (unset).</returns>
    /// <exception cref="InvalidOperationException">The value is not an IP address.</exception>
    private static IPAddress? SmppListenAddress(string? configured)
    {
        if (string.IsNullOrWhiteSpace(configured)) return null;
        var text = configured.Trim();
        // IPAddress.TryParse also takes "2775" (as 0.0.10.215): a port typed into the address field must not pass.
        if (text.AsSpan().IndexOfAny('.', ':') >= 0 && IPAddress.TryParse(text.Trim('[', ']'), out var address)) return address;
        throw new InvalidOperationException(
            $"{TaifaOptions.Section}:Smpp:ListenAddress \"{configured}\" is not an IP address: set an IPv4 or IPv6 address such as " +
            "127.0.0.1 or ::1, or leave it unset to listen on every interface.");
    }

    private static void ListenSmpp(KestrelServerOptions kestrel, IPAddress? address, int port, Action<ListenOptions> configure)
    {
        if (address is null) kestrel.ListenAnyIP(port, configure);
        else kestrel.Listen(address, port, configure);
    }

    private static void ApplyLimits(KestrelServerLimits kestrel, HttpLimitsOptions limits)
    {
        kestrel.MaxRequestLineSize = limits.MaxRequestLineSize;
        kestrel.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalSize;
        kestrel.MaxRequestHeaderCount = limits.MaxRequestHeaderCount;
        kestrel.RequestHeadersTimeout = limits.RequestHeadersTimeout;
        kestrel.KeepAliveTimeout = limits.KeepAliveTimeout;
        kestrel.MinRequestBodyDataRate = new MinDataRate(limits.MinRequestBodyBytesPerSecond, limits.MinRequestBodyGracePeriod);
        kestrel.MaxRequestBodySize = limits.MaxRequestBodySize;
        kestrel.MaxConcurrentConnections = limits.MaxConcurrentConnections;
        kestrel.Http2.MaxStreamsPerConnection = limits.Http2MaxStreamsPerConnection;
    }

    private static void Listen(KestrelServerOptions kestrel, string url, IConfiguration configuration)
    {
        var uri = new Uri(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal));
        Action<ListenOptions> configure = uri.Scheme switch
        {
            "http" => _ => { },
            "https" => HttpsWith(DefaultCertificate(configuration, $"{url} is https")),
            _ => throw new InvalidOperationException($"Only http:// and https:// URLs can be bound ({url})."),
        };

        var port = uri.Port;
        if (uri.Host is "0.0.0.0") kestrel.ListenAnyIP(port, configure);
        else if (uri.Host is "localhost") kestrel.ListenLocalhost(port, configure);
        else kestrel.Listen(IPAddress.Parse(uri.Host.Trim('[', ']')), port, configure);
    }

    private static Action<ListenOptions> HttpsWith(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) =>
        listen => listen.UseHttps(certificate);

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 DefaultCertificate(IConfiguration configuration, string why)
    {
        var section = configuration.GetSection(DefaultCertificateSection);
        var path = section["Path"];
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidOperationException($"{why}, but no certificate is configured: set {DefaultCertificateSection}:Path " +
                                                "(and :Password for PKCS#12, or :KeyPath for a PEM key).");
        }

        return TlsCertificates.Load(path, section["Password"], section["KeyPath"]);
    }
}
