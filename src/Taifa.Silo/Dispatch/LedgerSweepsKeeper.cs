using Taifa.Abstractions.Messages;
using Taifa.Silo.Hosting;

namespace Taifa.Silo.Dispatch;

/// <summary>Keeps the cluster's <see cref="ILedgerSweepsGrain"/> active: after its silo died it is back within one period.</summary>
public sealed class LedgerSweepsKeeper(IGrainFactory grains, ILogger<LedgerSweepsKeeper> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PeriodicWork.RunAsync(Period, async _ =>
        {
            try
            {
                await grains.GetGrain<ILedgerSweepsGrain>(0).EnsureRunning();
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.Log(Failures.Level(exception), Failures.StackWorthy(exception), "Could not reach the scheduled sends ({Reason}); will retry",
                    Failures.Reason(exception));
            }
        }, stoppingToken);
}
