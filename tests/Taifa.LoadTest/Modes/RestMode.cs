using System.Diagnostics;
using Taifa.LoadTest.Gateway;
using Taifa.LoadTest.Reporting;
using Taifa.LoadTest.Workload;

namespace Taifa.LoadTest.Modes;

/// <summary>
/// Closed-loop REST load: <c>concurrency</c> workers, each sending its next request as soon as the previous one
/// is answered, over as many keep-alive connections (the handler's MaxConnectionsPerServer).
/// </summary>
public sealed class RestMode(CustomerClient customer, SendWorkload workload, string senderId, int concurrency) : ILoadMode
{
    private long _sequence;

    public string Name => "rest";

    public string Shape => $"{concurrency} connections, recipients/request {workload.Recipients}, mix {workload.Mix.ToString().ToLowerInvariant()}";

    public Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RunAsync(LoadRun run, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(() => WorkerAsync(run, worker, cancellationToken), cancellationToken)));

    private async Task WorkerAsync(LoadRun run, int worker, CancellationToken cancellationToken)
    {
        var random = new Random(worker);
        while (!run.IsOver && !cancellationToken.IsCancellationRequested)
        {
            var message = workload.NextMessage(Interlocked.Increment(ref _sequence), random);
            var mobiles = workload.NextMobiles(random);
            var startedAt = Stopwatch.GetTimestamp();
            try
            {
                var outcomes = await customer.SendAsync(mobiles, senderId, message, CancellationToken.None);
                run.RecordAnswer(startedAt, outcomes);
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or InvalidOperationException or System.Text.Json.JsonException)
            {
                run.RecordTransportError(exception);
            }
        }
    }
}
