using Microsoft.Extensions.Options;
using Npgsql;
using Taifa.Grains.Ledger;
using Taifa.Silo.Hosting;

namespace Taifa.Silo.Database.Ledger;

/// <summary>Registers the message ledger: PostgreSQL in production mode, in process in the embedded default.</summary>
public static class LedgerHosting
{
    public static void AddTaifaLedger(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<LedgerOptions>()
            .BindConfiguration(LedgerOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        if (builder.Configuration.ProductionConnectionString() is { } connectionString)
        {
            builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
            builder.Services.AddSingleton<IMessageLedger, PostgresMessageLedger>();
        }
        else
        {
            // One silo per process in the embedded default: the host's own instance is the cluster's.
            builder.Services.AddSingleton<IMessageLedger, InProcessMessageLedger>();
        }

        builder.Services.AddHostedService<LedgerMaintenance>();
    }
}

/// <summary>Keeps the days ahead ready for messages and drops the days past the retention, hourly.</summary>
public sealed partial class LedgerMaintenance(IMessageLedger ledger, TimeProvider time, ILogger<LedgerMaintenance> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromHours(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicWork.RunAsync(Period, async cancellationToken =>
        {
            try
            {
                await ledger.Maintain(time.GetUtcNow(), cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                LogMaintenanceFailed(logger, Failures.Reason(exception));
            }
        }, stoppingToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message ledger maintenance (partitions ahead, retention) failed ({Reason}); will retry within the hour")]
    private static partial void LogMaintenanceFailed(ILogger logger, string reason);
}
