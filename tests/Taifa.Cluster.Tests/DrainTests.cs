using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Taifa.Cluster.Tests.Infrastructure;
using Taifa.Smpp.Pdus;
using Xunit.Abstractions;

namespace Taifa.Cluster.Tests;

/// <summary>SIGTERM, as Kubernetes sends it: readiness false first, answers to what is in flight, SMPP clients unbound, exit in time.</summary>
public sealed partial class DrainTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ExitMargin = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CleanExitLimit = TimeSpan.FromSeconds(1 + 10); // the default DrainDelay + 10 s
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.CreateAsync("drain", sharedOperator: true);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Sigterm_under_load_turns_readiness_off_unbinds_smpp_clients_and_loses_no_accepted_message()
    {
        // (An idle silo's SIGTERM is timed in RestartTests, where both silos stop idle.)
        var settings = new Dictionary<string, string> { ["Taifa__ShutdownTimeout"] = "00:00:10" };
        var silos = new[] { "a", "b" }.Select(name => _cluster.Start(name, settings)).ToArray();
        await Task.WhenAll(silos.Select(s => s.WaitReadyAsync(TestCluster.StartTimeout)));
        var (a, b) = (silos[0], silos[1]);

        const decimal opening = 10_000m;
        var account = await b.OpenAccountAsync(opening, 1m);
        await b.SetSmppCredentialsAsync(account, "drainuser", "pass1234");
        await using var session = await SmppCustomer.BindAsync(a, "drainuser", "pass1234");

        var accepted = new ConcurrentBag<string>();
        var restOutcomes = new ConcurrentDictionary<string, int>();
        var smppOutcomes = new ConcurrentDictionary<string, int>();
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        TimeSpan? terminatedAt = null, firstNotReadyAt = null, unboundAt = null;
        string? firstNotReady = null;

        var restLoops = Enumerable.Range(0, 4).Select(loop => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var answer = await a.SendAsync(account, $"rest {loop}.{i}");
                    restOutcomes.AddOrUpdate(answer.Code() ?? "?", 1, (_, n) => n + 1);
                    if (answer.Code() == "1000") accepted.Add(answer["message_id"]!.GetValue<string>());
                }
                catch (HttpRequestException exception)
                {
                    // Refused once Kestrel has stopped listening: the client would now go to another silo.
                    restOutcomes.AddOrUpdate(exception.HttpRequestError.ToString(), 1, (_, n) => n + 1);
                    if (terminatedAt is not null) return;
                }
            }
        })).ToList();
        var smppLoop = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested && !session.UnbindReceived.IsCompleted; i++)
            {
                try
                {
                    var response = await session.SubmitAsync(SmppCustomer.Submit(account.SenderId, "254702739804", $"smpp {i}", receipt: false));
                    smppOutcomes.AddOrUpdate(response.CommandStatus.ToString(), 1, (_, n) => n + 1);
                    if (response.CommandStatus == CommandStatus.Ok)
                    {
                        accepted.Add(response.MessageId);
                        continue;
                    }

                    // A submit that crossed the server's unbind is refused (ESME_RINVBNDSTS), never charged; anything else is a failure.
                    Assert.True(response.CommandStatus == CommandStatus.IncorrectBindStatus && terminatedAt is not null,
                        $"submit_sm answered {response.CommandStatus} before the drain");
                    break;
                }
                catch (TimeoutException exception)
                {
                    // Sent after the server's unbind crossed it on the wire: never answered, never charged (the balance says so).
                    smppOutcomes.AddOrUpdate(exception.Message, 1, (_, n) => n + 1);
                }
            }
        });
        var readinessProbe = Task.Run(async () =>
        {
            using var probe = new HttpClient { BaseAddress = a.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
            while (!a.HasExited && firstNotReady is null)
            {
                try
                {
                    using var answer = await probe.GetAsync(new Uri("/ready", UriKind.Relative));
                    if (answer.StatusCode != HttpStatusCode.OK && terminatedAt is not null)
                    {
                        firstNotReadyAt = clock.Elapsed;
                        firstNotReady = $"{(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}";
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    if (terminatedAt is not null) firstNotReady ??= $"no answer: {exception.Message}";
                }

                await Task.Delay(10);
            }
        });

        await Task.Delay(TimeSpan.FromSeconds(2));
        var beforeTerm = accepted.Count;
        var mark = a.LinesWritten;
        terminatedAt = clock.Elapsed;
        a.Terminate();
        var unbind = session.UnbindReceived.ContinueWith(_ => unboundAt = clock.Elapsed, TaskScheduler.Default);
        var drainExit = await a.WaitForExitAsync(ShutdownTimeout + ExitMargin);
        await stop.CancelAsync();
        await Task.WhenAll([.. restLoops, smppLoop, readinessProbe]);
        await Task.WhenAny(unbind, Task.Delay(1000));

        output.WriteLine($"under load ({beforeTerm} accepted in 2 s before SIGTERM, {accepted.Count} in all): exit {drainExit.TotalSeconds:0.00} s after SIGTERM, code {a.ExitCode}; " +
                         $"first /ready not 200 at +{(firstNotReadyAt - terminatedAt)?.TotalMilliseconds:0} ms ({firstNotReady}); " +
                         $"SMPP unbind at +{(unboundAt - terminatedAt)?.TotalMilliseconds:0} ms");
        output.WriteLine($"REST outcomes: {string.Join(", ", restOutcomes.Select(o => $"{o.Key} x{o.Value}"))}; SMPP outcomes: {string.Join(", ", smppOutcomes.Select(o => $"{o.Key} x{o.Value}"))}");

        Assert.True(unboundAt is not null, $"the SMPP session on the draining silo was never sent unbind\n{a.OutputTail()}");
        Assert.True(firstNotReady?.StartsWith("503", StringComparison.Ordinal) == true,
            $"after SIGTERM /ready should answer 503 before the listener goes; the first answer that was not 200 was: {firstNotReady ?? "none"}");
        Assert.True(firstNotReadyAt <= unboundAt, $"/ready turned 503 at {firstNotReadyAt}, after the SMPP unbind at {unboundAt}");
        Assert.True(drainExit < ShutdownTimeout + ExitMargin, $"drain took {drainExit}");
        var errors = a.OutputLinesFrom(mark).Where(line => ErrorLine().IsMatch(line)).ToList();
        Assert.True(errors.Count == 0, $"the draining silo logged errors (a /ready 503 is its answer, not one):\n{string.Join('\n', errors)}");

        await b.WaitForStatusAsync(account, [.. accepted], "delivered", TimeSpan.FromSeconds(60));
        Assert.Equal(Gateway.Money(opening - accepted.Count), await b.BalanceAsync(account));
    }

    [Fact]
    public async Task Sigterm_under_light_load_exits_with_code_0_within_the_drain_delay_and_10_s_and_logs_no_error()
    {
        // Default settings (DrainDelay 1 s). Two silos stop at once, as in a rolling restart gone fast, so each has calls
        // out to a peer that is leaving too; the third stops last, after both have departed.
        var silos = await _cluster.StartSilosAsync("quiet-a", "quiet-b", "quiet-c");
        var (a, b, c) = (silos[0], silos[1], silos[2]);
        var account = await c.OpenAccountAsync(1_000m, 1m);
        await c.SetSmppCredentialsAsync(account, "quietuser", "pass1234");
        await using var session = await SmppCustomer.BindAsync(a, "quietuser", "pass1234");
        var accepted = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            foreach (var silo in silos) accepted.Add(await silo.SendAcceptedAsync(account, $"rest {silo.Name} {i}"));
            accepted.Add(await session.SubmitAcceptedAsync(SmppCustomer.Submit(account.SenderId, "254702739804", $"smpp {i}", receipt: false)));
        }

        await c.WaitForStatusAsync(account, accepted, "delivered", TimeSpan.FromSeconds(30));

        using var stop = new CancellationTokenSource();
        var trickle = Task.Run(async () =>
        {
            // A send every 200 ms through the silo that stays, while its peers leave.
            while (!stop.IsCancellationRequested)
            {
                await c.SendAsync(account, "during the drain");
                await Task.Delay(200);
            }
        });

        var marks = silos.Select(s => s.LinesWritten).ToArray();
        a.Terminate();
        b.Terminate();
        var exits = await Task.WhenAll(a.WaitForExitAsync(CleanExitLimit + ExitMargin), b.WaitForExitAsync(CleanExitLimit + ExitMargin));
        await stop.CancelAsync();
        await trickle;
        c.Terminate();
        var lastExit = await c.WaitForExitAsync(CleanExitLimit + ExitMargin);

        AssertCleanExit(a, exits[0], a.OutputLinesFrom(marks[0]));
        AssertCleanExit(b, exits[1], b.OutputLinesFrom(marks[1]));
        AssertCleanExit(c, lastExit, c.OutputLinesFrom(marks[2]));
    }

    private void AssertCleanExit(SiloProcess silo, TimeSpan exit, IReadOnlyList<string> linesSinceTerm)
    {
        // Orleans itself logs an activation or a placement its stopping silo refuses (a receipt arriving as the silo stops)
        // as an error; that is the runtime's line, not ours (a known gap of issue 13), so only those are let through.
        var errors = linesSinceTerm.Where((line, i) => ErrorLine().IsMatch(line) &&
                                                      !RefusedWhileStopping(line, i + 1 < linesSinceTerm.Count ? linesSinceTerm[i + 1] : "")).ToList();
        output.WriteLine($"silo {silo.Name} exited {exit.TotalSeconds:0.00} s after SIGTERM, code {silo.ExitCode}, {errors.Count} error lines");
        Assert.True(errors.Count == 0, $"silo {silo.Name} logged errors after SIGTERM:\n{string.Join('\n', errors)}\n(full log: {silo.LogPath})");
        Assert.True(exit < CleanExitLimit, $"silo {silo.Name} took {exit} to exit after SIGTERM (limit DrainDelay + 10 s)\n{silo.OutputTail()}");
        Assert.Equal(0, silo.ExitCode);
    }

    /// <summary>An activation refused as Deactivating, or a message its stopping silo would not place (the exception, on the next line, says so).</summary>
    private static bool RefusedWhileStopping(string line, string next) =>
        (line.Contains("State=Deactivating", StringComparison.Ordinal) &&
         (line.Contains("Error activating grain", StringComparison.Ordinal) || line.Contains("Error starting lifecycle for activation", StringComparison.Ordinal))) ||
        (line.Contains("Failed to address message", StringComparison.Ordinal) &&
         next.StartsWith("Orleans.Runtime.SiloUnavailableException", StringComparison.Ordinal) && next.EndsWith("is shutting down.", StringComparison.Ordinal));

    /// <summary>The console sink's "[HH:mm:ss ERR]" or "[HH:mm:ss FTL]".</summary>
    [GeneratedRegex(@"^\[\d\d:\d\d:\d\d (ERR|FTL)\]")]
    private static partial Regex ErrorLine();
}
