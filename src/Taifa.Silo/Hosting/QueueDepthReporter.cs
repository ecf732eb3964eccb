using Orleans.Runtime;
using Taifa.Abstractions.Messages;
using Taifa.Grains.Messages;

namespace Taifa.Silo.Hosting;

/// <summary>Reports this silo's share of the queue depth to the cluster-wide aggregate every second.</summary>
public sealed class QueueDepthReporter(IGrainFactory grains, DispatchBacklog backlog, ILocalSiloDetails silo, ILogger<QueueDepthReporter> logger)
    : BackgroundService
{
    private long _clusterQueueDepth;

    /// <summary>The cluster-wide queue depth as last read, for the metrics gauge.</summary>
    public long ClusterQueueDepth => Interlocked.Read(ref _clusterQueueDepth);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var siloName = silo.SiloAddress.ToParsableString();
        return PeriodicWork.RunAsync(TimeSpan.FromSeconds(1), async _ =>
        {
            try
            {
                var aggregate = grains.GetGrain<IQueueDepthGrain>(0);
                await aggregate.Report(siloName, backlog.Queued);
                Interlocked.Exchange(ref _clusterQueueDepth, await aggregate.Total());
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogDebug("Queue depth report failed ({Reason}); will retry", Failures.Reason(exception));
            }
        }, stoppingToken);
    }
}
