namespace Taifa.Silo.Hosting;

/// <summary>
/// The loop of a background service that works once per period until the host stops. Stopping ends it at once: the
/// wait and the work in progress are abandoned (a grain call cannot be cancelled, and may be to a silo that has left
/// or is leaving), and whatever the work throws once stopping has begun is the expected end of the loop, never a
/// failure reported to the host (which would log it as an error and a fatal "stopping the host").
/// </summary>
public static class PeriodicWork
{
    /// <param name="work">Handles (logs) its own failures while the host runs.</param>
    public static async Task RunAsync(TimeSpan period, Func<CancellationToken, Task> work, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            do
            {
                await work(stoppingToken).WaitAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
