using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Taifa.Silo.Smpp;

/// <summary>Kestrel hands each TCP connection on the SMPP port to a session; no thread is held while it waits.</summary>
public sealed class SmppConnectionHandler(SmppSessionHost host) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        await using var session = host.Open(connection);
        await session.RunAsync();
    }
}

public static class SmppListener
{
    /// <summary>Registers the SMPP services; the returned callback binds the SMPP port to them.</summary>
    public static Action<ListenOptions> AddTaifaSmpp(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SmppBindAuthenticator>();
        builder.Services.AddSingleton<SmppSessionHost>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SmppSessionHost>());
        return listen => listen.UseConnectionHandler<SmppConnectionHandler>();
    }
}
