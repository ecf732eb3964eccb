using Microsoft.Extensions.Options;
using Taifa.Grains.Dispatch;
using Taifa.Grains.Ledger;
using Taifa.Grains.Messages;
using Taifa.Silo.Intake;
using Taifa.Silo.Options;

namespace Taifa.Silo.Dispatch;

public static class DispatchHosting
{
    public static void AddTaifaDispatch(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DispatchOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            configuration.GetSection(DispatchOptionsValidation.DispatchSection).Bind(options);
            // One operator at a time: binding the dictionary whole would skip a value it cannot convert (a
            // misspelt BindMode) and leave the default in its place, where binding an object refuses it, naming the key.
            foreach (var section in configuration.GetSection(DispatchOptionsValidation.OperatorsSection).GetChildren())
            {
                if (!options.Operators.TryGetValue(section.Key, out var route)) options.Operators[section.Key] = route = new OperatorOptions();
                section.Bind(route);
            }

            // Taifa:Routes:<network> is a list (…:0, …:1) or one comma-separated value.
            foreach (var section in configuration.GetSection(DispatchOptionsValidation.RoutesSection).GetChildren())
            {
                options.Routes[section.Key] = section.Value is { } listed
                    ? listed.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    : [.. section.GetChildren().Select(c => c.Value?.Trim() ?? "")];
            }
        }).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DispatchOptions>, DispatchOptionsValidation>();
        builder.Services.AddSingleton<BuiltInOperators>();
        builder.Services.AddSingleton<IPostConfigureOptions<DispatchOptions>>(services => services.GetRequiredService<BuiltInOperators>());
        // Before the dispatchers' keeper: the simulators answer before anything binds to them.
        builder.Services.AddHostedService(services => services.GetRequiredService<BuiltInOperators>());
        builder.Services.AddSingleton<OperatorRoutes>();
        builder.Services.AddSingleton<IOperatorLinks, SmppOperatorLinks>();
        builder.Services.AddSingleton<ReceiptRouter>();
        builder.Services.AddSingleton<LedgerWriter>();
        builder.Services.AddSingleton<QueueDepth>();
        builder.Services.AddSingleton<ICustomerNotifier, CustomerNotifier>();
        builder.Services.AddHttpClient(CustomerNotifier.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(services => services.GetRequiredService<CallbackUrlPolicy>().CreateHandler());
        builder.Services.AddHostedService<DispatcherKeeper>();
        builder.Services.AddHostedService<LedgerSweepsKeeper>();
        builder.Services.AddHostedService<DeadLetterWatch>();
    }
}
