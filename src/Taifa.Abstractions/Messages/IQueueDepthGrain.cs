namespace Taifa.Abstractions.Messages;

/// <summary>
/// Cluster-wide count of accepted messages not yet handed to an operator. Each silo reports its own
/// signed share every second; the sum over silos whose report is fresh is the queue depth.
/// </summary>
[Alias("taifa.IQueueDepthGrain")]
public interface IQueueDepthGrain : IGrainWithIntegerKey
{
    [Alias("Report")]
    Task Report(string silo, long queued);

    [Alias("Total")]
    Task<long> Total();
}
