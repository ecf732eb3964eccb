namespace Taifa.Silo.Hosting;

/// <summary>
/// The loop of a background service that works once per period until the host stops. Stopping ends it quickly: the
/// work in progress gets <see cref="StopGrace"/> to finish (a grain call cannot be cancelled; one to a live silo ends
/// in milliseconds, and abandoning it would race the silo's own stop, which Orleans logs as errors), then is abandoned
/// (a call to a silo that has left may wait for its response timeout). Whatever the work throws once stopping has
/// begun is the expected end of the loop, never a failure reported to the host (which would log it as an error and a
/// fatal "stopping the host").
/// </summary>
public static class PeriodicWork
{
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);

    /// <param name="work">Handles (logs) its own failures while the host runs, and returns early once stopping.</param>
    public static async Task RunAsync(TimeSpan period, Func<CancellationToken, Task> work, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period);
        var running = Task.CompletedTask;
        try
        {
            do
            {
                running = work(stoppingToken);
                await running.WaitAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            await Task.WhenAny(running, Task.Delay(StopGrace, CancellationToken.None));
            _ = running.ContinueWith(static t => t.Exception, TaskScheduler.Default);
        }
    }
}
