using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Serilog.Events;
using Taifa.Abstractions.Dispatch;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Silo.Tests.Security;

namespace Taifa.Silo.Tests.Hosting;

/// <summary>
/// Calls to keep the dispatchers running (the dispatcher keeper's, every few seconds) go unanswered, as calls to a silo that vanished do, until the host has stopped;
/// then they fail with <see cref="SiloUnavailableException"/>.
/// </summary>
public sealed class UnansweredDispatcherCalls : IOutgoingGrainCallFilter
{
    private readonly TaskCompletionSource _hostStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _firstCallHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task FirstCallHeld => _firstCallHeld.Task;

    public void HostStopped() => _hostStopped.TrySetResult();

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod.DeclaringType != typeof(IOperatorDispatcherGrain))
        {
            await context.Invoke();
            return;
        }

        _firstCallHeld.TrySetResult();
        await _hostStopped.Task;
        throw new SiloUnavailableException("test: the dispatcher's silo vanished");
    }
}

/// <summary>
/// A clean stop is quick and quiet even with a background service's call outstanding to a silo that will never answer:
/// the service stops on cancellation instead of holding the host until its shutdown timeout, and the call failing
/// later is not reported as a failed background service (an error and a fatal "stopping the host" line before).
/// </summary>
public sealed class CleanShutdownTests
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Stopping_with_a_background_call_outstanding_to_a_vanished_silo_is_quick_and_logs_no_error()
    {
        var capture = new LogCapture();
        var unanswered = new UnansweredDispatcherCalls();
        var factory = new GatewayFactory(settings: new Dictionary<string, string>
        {
            ["Taifa:DrainDelay"] = "00:00:00",
            ["Taifa:ShutdownTimeout"] = ShutdownTimeout.ToString(),
        }, configure: builder =>
        {
            LogCapture.Into(builder, capture);
            builder.ConfigureServices(services => services.AddSingleton<IOutgoingGrainCallFilter>(unanswered));
        });
        int before;
        try
        {
            _ = factory.Services;
            await unanswered.FirstCallHeld.WaitAsync(TimeSpan.FromSeconds(30));
            before = capture.Events.Count;
        }
        catch
        {
            await factory.DisposeAsync();
            throw;
        }

        // Disposing the factory stops the host (and then disposes it).
        var clock = Stopwatch.StartNew();
        await factory.DisposeAsync();
        var stopped = clock.Elapsed;
        unanswered.HostStopped();

        Assert.True(stopped < ShutdownTimeout / 2, $"the host took {stopped} to stop (its shutdown timeout is {ShutdownTimeout})");
        var errors = capture.Events.Skip(before).Where(e => e.Level >= LogEventLevel.Error).Select(LogCapture.Text).ToList();
        Assert.True(errors.Count == 0, $"a clean stop logged errors:\n{string.Join("\n---\n", errors)}");
    }
}
