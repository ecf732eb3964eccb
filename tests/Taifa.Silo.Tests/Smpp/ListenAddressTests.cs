using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Silo.Tests.Transport;
using Taifa.Smpp.Pdus;

namespace Taifa.Silo.Tests.Smpp;

/// <summary>The gateway with Taifa:Smpp:ListenAddress=127.0.0.1, plain SMPP and SMPP over TLS.</summary>
public sealed class LoopbackOnlySmppGateway : SmppGatewayBase
{
    public LoopbackOnlySmppGateway()
        : this(new TestCertificate(), GatewayFactory.FreeTcpPort())
    {
    }

    private LoopbackOnlySmppGateway(TestCertificate certificate, int smppTlsPort)
        : base(new Dictionary<string, string>
        {
            ["Taifa:Smpp:ListenAddress"] = "127.0.0.1",
            ["Taifa:Smpp:Tls:Port"] = smppTlsPort.ToString(CultureInfo.InvariantCulture),
            ["Taifa:Smpp:Tls:CertificatePath"] = certificate.CertificatePemPath,
            ["Taifa:Smpp:Tls:KeyPath"] = certificate.KeyPemPath,
        })
    {
        Certificate = certificate;
        SmppTlsPort = smppTlsPort;
    }

    public TestCertificate Certificate { get; }

    public int SmppTlsPort { get; }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Certificate.Dispose();
    }
}

[Collection(SmppCollection.Name)]
public sealed class ListenAddressTests(LoopbackOnlySmppGateway gateway) : IClassFixture<LoopbackOnlySmppGateway>
{
    [Fact]
    public async Task Both_smpp_ports_accept_on_the_configured_address_and_nowhere_else()
    {
        var account = await gateway.OpenSmppAccountAsync();
        await using (var plain = await gateway.ConnectAsync())
        {
            Assert.Equal(CommandStatus.Ok, (await plain.BindAsync(account)).CommandStatus);
        }

        await using (var secure = await SmppTestClient.ConnectTlsAsync(gateway.SmppTlsPort, gateway.Certificate.Certificate))
        {
            Assert.Equal(CommandStatus.Ok, (await secure.BindAsync(account)).CommandStatus);
        }

        // 127.0.0.2 is this host too (all of 127.0.0.0/8 on Linux): a listener on every interface would accept it.
        var other = IPAddress.Parse("127.0.0.2");
        foreach (var port in new[] { gateway.SmppPort, gateway.SmppTlsPort })
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            var refused = await Assert.ThrowsAsync<SocketException>(async () => await socket.ConnectAsync(other, port));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.300")]
    [InlineData("2775")]
    public async Task An_address_that_is_not_an_ip_address_fails_start_naming_the_key(string value)
    {
        await using var factory = new GatewayFactory(settings: new Dictionary<string, string>
        {
            ["Taifa:Smpp:Port"] = GatewayFactory.FreeTcpPort().ToString(CultureInfo.InvariantCulture),
            ["Taifa:Smpp:ListenAddress"] = value,
            ["urls"] = $"http://127.0.0.1:{GatewayFactory.FreeTcpPort()}",
        });
        factory.UseKestrel();

        var failure = Record.Exception(() => factory.StartServer());

        Assert.NotNull(failure);
        var messages = string.Join(" | ", Chain(failure).Select(e => e.Message));
        Assert.Contains($"Taifa:Smpp:ListenAddress \"{value}\" is not an IP address", messages, StringComparison.Ordinal);
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException) yield return current;
    }
}
