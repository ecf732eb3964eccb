using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Taifa.Abstractions.Smpp;
using Taifa.Silo.Smpp;
using Taifa.Smpp.Pdus;

namespace Taifa.Silo.Tests.Smpp;

/// <summary>The bind decision without a socket: a bind request in, a status and a bind slot out.</summary>
[Collection(SmppCollection.Name)]
public sealed class SmppBindAuthenticatorTests(SmppGateway gateway) : IClassFixture<SmppGateway>
{
    private SmppBindAuthenticator Authenticator => gateway.Factory.Services.GetRequiredService<SmppBindAuthenticator>();

    [Fact]
    public async Task The_right_password_binds_and_takes_a_slot_that_release_frees()
    {
        var account = await gateway.OpenSmppAccountAsync();
        var session = NewSession();

        var decision = await Authenticator.AuthenticateAsync(Bind(account.SystemId, account.Password), SmppBindType.Transceiver, session);

        Assert.Equal(new SmppBindDecision(CommandStatus.Ok, false), decision);
        Assert.Equal(account.Account.AccountId, session.Binding?.AccountId);
        var registry = gateway.Grains.GetGrain<ISmppBindRegistryGrain>(account.Account.AccountId);
        var slot = Assert.Single(await registry.Bindings());
        Assert.Equal(session.Id, slot.SessionId);
        Assert.Equal(SmppBindType.Transceiver, slot.BindType);

        await Authenticator.ReleaseAsync(session);

        Assert.Null(session.Binding);
        Assert.Empty(await registry.Bindings());
    }

    [Fact]
    public async Task A_wrong_password_or_an_unknown_system_id_is_refused_without_a_slot_and_the_session_stays()
    {
        var account = await gateway.OpenSmppAccountAsync();
        var wrong = NewSession();
        var unknown = NewSession();

        Assert.Equal(SmppBindDecision.Refused(), await Authenticator.AuthenticateAsync(Bind(account.SystemId, "wrong"), SmppBindType.Transmitter, wrong));
        Assert.Equal(SmppBindDecision.Refused(), await Authenticator.AuthenticateAsync(Bind("nobody" + Guid.NewGuid().ToString("N")[..8], "x"), SmppBindType.Transmitter, unknown));

        Assert.Null(wrong.Binding);
        Assert.Null(unknown.Binding);
        Assert.Empty(await gateway.Grains.GetGrain<ISmppBindRegistryGrain>(account.Account.AccountId).Bindings());
    }

    [Fact]
    public async Task A_bind_beyond_the_accounts_slots_is_refused_and_takes_none()
    {
        var account = await gateway.OpenSmppAccountAsync();
        var bound = new List<Holder>();
        for (var i = 0; i < 3; i++)
        {
            var session = NewSession();
            Assert.Equal(CommandStatus.Ok, (await Authenticator.AuthenticateAsync(Bind(account.SystemId, account.Password), SmppBindType.Transmitter, session)).Status);
            bound.Add(session);
        }

        var fourth = NewSession();
        Assert.Equal(SmppBindDecision.Refused(), await Authenticator.AuthenticateAsync(Bind(account.SystemId, account.Password), SmppBindType.Transmitter, fourth));

        Assert.Null(fourth.Binding);
        Assert.Equal(3, (await gateway.Grains.GetGrain<ISmppBindRegistryGrain>(account.Account.AccountId).Bindings()).Count);
        foreach (var session in bound) await Authenticator.ReleaseAsync(session);
    }

    private static BindTransmitter Bind(string systemId, string password) => new BindTransmitter { SystemId = systemId, Password = password };

    private Holder NewSession() => new(gateway.Factory.Services.GetRequiredService<SmppSessionHost>().Reference);

    private sealed class Holder(ISmppSessionHost host) : ISmppBindingHolder
    {
        public Guid Id { get; } = Guid.NewGuid();

        public string Remote => "127.0.0.1:9";

        public IPAddress? Source => IPAddress.Loopback;

        public ISmppSessionHost Host => host;

        public BoundSession? Binding { get; set; }
    }
}
