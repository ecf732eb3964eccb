using Microsoft.Extensions.Options;
using Taifa.Grains.Dispatch;
using Taifa.Grains.Ledger;
using Taifa.Grains.Messages;
using Taifa.Silo.Intake;

namespace Taifa.Silo.Dispatch;

public static class DispatchHosting
{
    public static void AddTaifaDispatch(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DispatchOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            configuration.GetSection("Taifa:Dispatch").Bind(options);
            configuration.GetSection("Taifa:Operators").Bind(options.Operators);
        });
        builder.Services.AddSingleton<BuiltInOperators>();
        builder.Services.AddSingleton<IPostConfigureOptions<DispatchOptions>>(services => services.GetRequiredService<BuiltInOperators>());
        builder.Services.AddSingleton<OperatorRoutes>();
        builder.Services.AddSingleton<IOperatorLinks, SmppOperatorLinks>();
        builder.Services.AddSingleton<ReceiptRouter>();
        builder.Services.AddSingleton<LedgerWriter>();
        builder.Services.AddSingleton<QueueDepth>();
        builder.Services.AddSingleton<ICustomerNotifier, CustomerNotifier>();
        builder.Services.AddHttpClient(CustomerNotifier.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(services => services.GetRequiredService<CallbackUrlPolicy>().CreateHandler());
        builder.Services.AddHostedService<DispatcherKeeper>();
        builder.Services.AddHostedService<ScheduledSendsKeeper>();
        builder.Services.AddHostedService<DeadLetterWatch>();
    }
}
