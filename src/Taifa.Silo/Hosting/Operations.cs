using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Orleans.Runtime;
using Taifa.Grains.Telemetry;
using Taifa.Silo.Database;
using Taifa.Silo.Options;
using Taifa.Silo.Smpp;
using System.Diagnostics.Metrics;

namespace Taifa.Silo.Hosting;

/// <summary>Probes, metrics and graceful shutdown: what Kubernetes and the operations staff see.</summary>
public static class Operations
{
    public static void AddTaifaOperations(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<Readiness>();
        builder.Services.AddHostedService<Drain>();
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<TaifaOptions>>((host, taifa) => host.ShutdownTimeout = taifa.Value.ShutdownTimeout);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(TaifaMetrics.MeterName, "Microsoft.Orleans", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());
    }

    public static void MapTaifaOperations(this WebApplication app)
    {
        app.MapGet("/healthz", () => TypedResults.Text("ok")).ExcludeFromDescription();
        app.MapGet("/ready", async (Readiness readiness, Serilog.IDiagnosticContext log, CancellationToken cancellationToken) =>
        {
            var problem = await readiness.ProblemAsync(cancellationToken);
            log.Set("Outcome", problem ?? "ready");
            return problem is null
                ? Results.Text("ready")
                : Results.Text(problem, statusCode: StatusCodes.Status503ServiceUnavailable);
        }).ExcludeFromDescription();
        app.MapPrometheusScrapingEndpoint("/metrics");

        var queue = app.Services.GetRequiredService<Dispatch.QueueDepth>();
        TaifaMetrics.Observe("taifa.queue_depth", "{message}", "Accepted messages not yet handed to an operator, cluster-wide",
            () => [new Measurement<long>(queue.Last)]);
        if (app.Services.GetService<SmppSessionHost>() is { } smpp)
        {
            TaifaMetrics.Observe("taifa.smpp.sessions", "{session}", "Customer SMPP sessions open on this silo",
                () => [new Measurement<long>(smpp.Count)]);
        }
    }
}

/// <summary>
/// Ready means: the silo is an active cluster member, PostgreSQL answers (production mode), and the process
/// is not shutting down. Readiness turns false the moment SIGTERM arrives, before anything stops.
/// </summary>
public sealed class Readiness(ISiloStatusOracle silo, StorageMode storage, IHostApplicationLifetime lifetime, TimeProvider time)
{
    private static readonly TimeSpan DatabaseCheckEvery = TimeSpan.FromSeconds(2);
    private readonly string? _connectionString = storage.ConnectionString;
    private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;
    private bool _databaseReachable;

    public async Task<string?> ProblemAsync(CancellationToken cancellationToken)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested) return "draining";
        if (silo.CurrentStatus != SiloStatus.Active) return $"silo {silo.CurrentStatus}";
        if (_connectionString is null) return null;

        if (time.GetUtcNow() - _checkedAt > DatabaseCheckEvery)
        {
            _databaseReachable = await DatabaseSchema.IsReachableAsync(_connectionString, cancellationToken);
            _checkedAt = time.GetUtcNow();
        }

        return _databaseReachable ? null : "database unreachable";
    }
}

/// <summary>
/// The first step of a graceful stop. At SIGTERM readiness turns false at once (<see cref="Readiness"/>); for
/// <c>Taifa:DrainDelay</c> the silo keeps serving so load balancers stop sending it new work; then its SMPP clients
/// are unbound (they rebind elsewhere) and only after that does Kestrel stop listening and the silo leave the cluster.
/// </summary>
public sealed class Drain(IServiceProvider services, IOptions<TaifaOptions> options) : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(options.Value.DrainDelay, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        services.GetService<SmppSessionHost>()?.UnbindAll("silo shutting down");
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
