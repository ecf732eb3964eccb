using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Silo.Tests.Smpp;
using Taifa.Smpp.Pdus;

namespace Taifa.Silo.Tests.Transport;

/// <summary>A self-signed certificate for localhost, written as PKCS#12 (for HTTPS) and as PEM files (for SMPP over TLS).</summary>
public sealed class TestCertificate : IDisposable
{
    public const string Password = "test-pfx-password";

    public TestCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        Directory.CreateDirectory(Folder);
        File.WriteAllBytes(PfxPath, Certificate.Export(X509ContentType.Pkcs12, Password));
        File.WriteAllText(CertificatePemPath, Certificate.ExportCertificatePem());
        File.WriteAllText(KeyPemPath, key.ExportPkcs8PrivateKeyPem());
    }

    public X509Certificate2 Certificate { get; }

    private string Folder { get; } = Path.Combine(Path.GetTempPath(), "taifa-tls-" + Guid.NewGuid().ToString("N")[..8]);

    public string PfxPath => Path.Combine(Folder, "server.pfx");

    public string CertificatePemPath => Path.Combine(Folder, "server.crt");

    public string KeyPemPath => Path.Combine(Folder, "server.key");

    /// <summary>An HTTP client that trusts this certificate and nothing else.</summary>
    public HttpClient CreateClient(Uri baseAddress) => new(new HttpClientHandler
    {
        ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            certificate is not null && certificate.RawData.AsSpan().SequenceEqual(Certificate.RawData),
    })
    { BaseAddress = baseAddress };

    public void Dispose()
    {
        Certificate.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>
/// The gateway with HTTPS beside HTTP (certificate from Kestrel:Certificates:Default, PKCS#12) and SMPP over TLS
/// beside plain SMPP (its own PEM certificate and key under Taifa:Smpp:Tls).
/// </summary>
public sealed class TlsGateway : SmppGatewayBase
{
    public TlsGateway()
        : this(new TestCertificate(), GatewayFactory.FreeTcpPort(), GatewayFactory.FreeTcpPort())
    {
    }

    private TlsGateway(TestCertificate certificate, int httpsPort, int smppTlsPort)
        : base(new Dictionary<string, string>
        {
            ["urls"] = $"https://127.0.0.1:{httpsPort}",
            ["Kestrel:Certificates:Default:Path"] = certificate.PfxPath,
            ["Kestrel:Certificates:Default:Password"] = TestCertificate.Password,
            ["Taifa:Smpp:Tls:Port"] = smppTlsPort.ToString(CultureInfo.InvariantCulture),
            ["Taifa:Smpp:Tls:CertificatePath"] = certificate.CertificatePemPath,
            ["Taifa:Smpp:Tls:KeyPath"] = certificate.KeyPemPath,
        })
    {
        Certificate = certificate;
        HttpsPort = httpsPort;
        SmppTlsPort = smppTlsPort;
    }

    public TestCertificate Certificate { get; }

    public int HttpsPort { get; }

    public int SmppTlsPort { get; }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Certificate.Dispose();
    }
}

[Collection(SmppCollection.Name)]
public sealed class TlsTests(TlsGateway gateway) : IClassFixture<TlsGateway>
{
    [Fact]
    public async Task Smpp_over_tls_binds_and_submits_and_the_plaintext_port_still_works()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 10m, price: 1m);

        await using (var secure = await SmppTestClient.ConnectTlsAsync(gateway.SmppTlsPort, gateway.Certificate.Certificate))
        {
            Assert.Equal(CommandStatus.Ok, (await secure.BindAsync(account, CommandId.BindTransceiver)).CommandStatus);
            var response = await secure.SubmitAsync(SmppTestClient.Submit(account.SenderId, "254702739804", "over TLS"u8.ToArray()));
            Assert.Equal(CommandStatus.Ok, response.CommandStatus);
            Assert.NotEmpty(response.MessageId);
        }

        await using (var plain = await gateway.ConnectAsync())
        {
            Assert.Equal(CommandStatus.Ok, (await plain.BindAsync(account)).CommandStatus);
            Assert.Equal(CommandStatus.Ok, (await plain.SubmitAsync(SmppTestClient.Submit(account.SenderId, "254702739804", "in clear"u8.ToArray()))).CommandStatus);
        }

        Assert.Equal(8m, await gateway.BalanceAsync(account.Account));
    }

    [Fact]
    public async Task Plaintext_smpp_on_the_tls_port_is_never_bound()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using var confused = await SmppTestClient.ConnectAsync(gateway.SmppTlsPort);
        await confused.SendAsync(new BindTransmitter { SystemId = account.SystemId, Password = account.Password });

        Assert.Empty(await confused.ReadUntilClosedAsync(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task Https_sendsms_works_with_a_client_trusting_the_certificate_and_plain_http_still_works()
    {
        var account = await gateway.OpenAccountAsync(10m, 1m);
        using var https = gateway.Certificate.CreateClient(new Uri($"https://127.0.0.1:{gateway.HttpsPort}"));

        var sent = await https.SendSmsAsync(account.ApiKey, new { mobile = "0702739804", sender_name = account.SenderId, message = "over HTTPS" });
        Assert.Equal("1000", sent[0]!.Code());
        var units = await https.GetJsonAsync("/v2/sms/units", account.ApiKey);
        Assert.Equal("9.00", units["credit_balance"]!.GetValue<string>());
        Assert.Equal("ok", await gateway.Http.GetStringAsync("/healthz"));

        // A client that does not trust the self-signed certificate refuses the connection: it really is TLS.
        using var untrusting = new HttpClient { BaseAddress = new Uri($"https://127.0.0.1:{gateway.HttpsPort}") };
        await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetStringAsync("/healthz"));
    }
}
