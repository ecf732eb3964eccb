using Taifa.Abstractions.Dispatch;
using Taifa.Grains.Dispatch;
using Taifa.Silo.Hosting;

namespace Taifa.Silo.Dispatch;

/// <summary>
/// Keeps every operator shard's dispatcher, and so its bind, active somewhere in the cluster: receipts arrive on
/// the binds even when nothing is being sent, and a dispatcher lost with its silo comes back (with its durable
/// backlog) on another within one period.
/// </summary>
public sealed class DispatcherKeeper(IGrainFactory grains, OperatorRoutes routes, ILogger<DispatcherKeeper> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!routes.Operators.Any())
        {
            logger.LogWarning("No operators are configured (Taifa:Operators): accepted messages will wait, queued, until one is");
            return;
        }

        await PeriodicWork.RunAsync(Period, async _ =>
        {
            foreach (var key in routes.AllStreamKeys())
            {
                if (stoppingToken.IsCancellationRequested) return;
                try
                {
                    await grains.GetGrain<IOperatorDispatcherGrain>(key).EnsureRunning();
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.Log(Failures.Level(exception), Failures.StackWorthy(exception), "Could not reach the dispatcher {Dispatcher} ({Reason}); will retry",
                        key, Failures.Reason(exception));
                }
            }
        }, stoppingToken);
    }
}
