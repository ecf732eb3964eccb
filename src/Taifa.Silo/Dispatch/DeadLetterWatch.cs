using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Taifa.Abstractions.Dispatch;
using Taifa.Grains.Telemetry;
using Taifa.Silo.Hosting;
using Taifa.Silo.Options;

namespace Taifa.Silo.Dispatch;

/// <summary>
/// The ADO.NET stream provider moves an event it could not deliver five times (or that outlived its expiry) to a
/// dead-letter table. The dispatchers take events into their durable backlog at once, so a dead letter means every
/// attempt to reach a dispatcher failed: never silent. The count is a metric (taifa_dispatch_dead_letters) and
/// every new one is logged as an error, with the payload kept for the configured eviction time for recovery.
/// </summary>
public sealed class DeadLetterWatch(StorageMode storage, IOptions<ClusterOptions> cluster, ILogger<DeadLetterWatch> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(30);
    private long _count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (storage.ConnectionString is not { } connectionString) return;
        TaifaMetrics.Observe("taifa.dispatch.dead_letters", "{event}", "Dispatch stream events in the dead-letter table",
            () => [new System.Diagnostics.Metrics.Measurement<long>(Interlocked.Read(ref _count))]);
        await PeriodicWork.RunAsync(Period, async cancellation =>
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(cancellation);
                await using var command = new NpgsqlCommand(
                    "SELECT count(*) FROM OrleansStreamDeadLetter WHERE ServiceId = @service AND ProviderId = @provider", connection);
                command.Parameters.AddWithValue("service", cluster.Value.ServiceId);
                command.Parameters.AddWithValue("provider", DispatchStreams.Provider);
                var count = (long)(await command.ExecuteScalarAsync(cancellation))!;
                var before = Interlocked.Exchange(ref _count, count);
                if (count > before)
                {
                    logger.LogError("{New} dispatch stream events were dead-lettered ({Total} in OrleansStreamDeadLetter): their messages stay queued; " +
                                    "investigate the dispatchers and re-drive them", count - before, count);
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.Log(Failures.Level(exception), Failures.StackWorthy(exception), "Could not count dead-lettered dispatch events ({Reason})",
                    Failures.Reason(exception));
            }
        }, stoppingToken);
    }
}
