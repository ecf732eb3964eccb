using Microsoft.Extensions.Options;
using Taifa.Grains.Inbound;
using Taifa.Silo.Database.Inbound;
using Taifa.Silo.Hosting;
using Taifa.Silo.Intake;
using Taifa.Silo.Options;

namespace Taifa.Silo.Inbound;

public static class InboundHosting
{
    /// <summary>The inbound store (PostgreSQL in production mode, in process otherwise), intake from operators and delivery to customers.</summary>
    public static void AddTaifaInbound(this WebApplicationBuilder builder)
    {
        builder.Services.BindValidated<InboundOptions>(InboundOptions.Section);
        var connectionString = StorageMode.Of(builder).ConnectionString;
        if (connectionString is null) builder.Services.AddSingleton<IInboundStore, InMemoryInboundStore>();
        // From a factory, so that the host disposes it (and its connection pool) when it stops.
        else builder.Services.AddSingleton<IInboundStore>(_ => new NpgsqlInboundStore(connectionString));
        builder.Services.AddSingleton<InboundIntake>();
        builder.Services.AddSingleton<InboundDelivery>();
        builder.Services.AddHostedService(services => services.GetRequiredService<InboundDelivery>());
        builder.Services.AddHttpClient(InboundDelivery.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(services => services.GetRequiredService<CallbackUrlPolicy>().CreateHandler());
    }
}
