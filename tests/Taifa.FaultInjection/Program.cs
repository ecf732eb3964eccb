using Taifa.FaultInjection;

// Usage: Taifa.FaultInjection [--short|--long] [--only TEXT] [--report FILE]
// --only TEXT runs just the faults of the form whose name contains TEXT (for working on one fault).
// Exit code 0: every fault passed every check; 1: some check failed; 2: the run itself broke or ran out of time.
var form = args.Contains("--long") ? "long" : "short";
var reportIndex = Array.IndexOf(args, "--report");
var report = reportIndex >= 0 && reportIndex + 1 < args.Length ? args[reportIndex + 1] : null;

var shape = form == "long"
    ? new SuiteShape("long", new LoadShape(2, 2, TimeSpan.FromMilliseconds(10)),
        Warmup: TimeSpan.FromSeconds(5), Hold: TimeSpan.FromSeconds(12), Tail: TimeSpan.FromSeconds(5),
        RecoveryLimit: TimeSpan.FromSeconds(45), SettleTimeout: TimeSpan.FromSeconds(150),
        [
            Fault.SiloKill(0),
            Fault.SiloDrain(1),
            Fault.PostgresRestart(TimeSpan.FromSeconds(10)),
            Fault.OperatorDropsBinds(5),
            Fault.OperatorStalls(),
            Fault.OperatorThrottles(20),
            Fault.OperatorErrors(),
            Fault.OperatorDownPastValidity(validity: TimeSpan.FromMinutes(1), down: TimeSpan.FromSeconds(80)),
            Fault.OperatorDownWithBackupRoute(),
            Fault.SiloKill(1),
        ],
        // The load's network has a second route for the whole long run, a backup operator that is out of service (it
        // refuses binds) until the backup-route fault puts it in service: before that, the operator faults see the
        // route refuse what the failing-over operator offers, so their messages wait (or expire) as they did without
        // it; the faults after it may move traffic there, and the checks count what reached either operator.
        BackupRoute: true)
    : new SuiteShape("short", new LoadShape(1, 1, TimeSpan.FromMilliseconds(40)),
        Warmup: TimeSpan.FromSeconds(1.5), Hold: TimeSpan.FromSeconds(3), Tail: TimeSpan.FromSeconds(1),
        RecoveryLimit: TimeSpan.FromSeconds(30),
        // Generous: a dlr_url POST cut by the kill is retried with back-off (1, 2, 4 … 32 s).
        SettleTimeout: TimeSpan.FromSeconds(90),
        [
            // The kill goes last: no replacement silo has to start after it.
            Fault.PostgresRestart(TimeSpan.FromSeconds(3)),
            Fault.OperatorErrors(),
            Fault.SiloKill(0),
        ]);

var onlyIndex = Array.IndexOf(args, "--only");
if (onlyIndex >= 0 && onlyIndex + 1 < args.Length)
{
    shape = shape with { Faults = [.. shape.Faults.Where(f => f.Name.Contains(args[onlyIndex + 1], StringComparison.OrdinalIgnoreCase))] };
    if (shape.Faults.Count == 0)
    {
        Console.WriteLine($"no fault of the {form} form has \"{args[onlyIndex + 1]}\" in its name");
        return 2;
    }
}

var limit = form == "long" ? TimeSpan.FromMinutes(25) : TimeSpan.FromMinutes(5);
var run = new FaultSuite(shape, Console.Out).RunAsync();
if (await Task.WhenAny(run, Task.Delay(limit)) != run)
{
    Console.WriteLine($"FAIL: the {form} fault-injection run did not finish within {limit}");
    return 2;
}

IReadOnlyList<PhaseResult> results;
try
{
    results = await run;
}
catch (Exception exception)
{
    Console.WriteLine($"FAIL: the {form} fault-injection run broke: {exception}");
    return 2;
}

var table = FaultSuite.Table(results);
Console.WriteLine();
Console.WriteLine(table);
if (report is not null)
{
    await File.WriteAllTextAsync(report, table + Environment.NewLine +
        string.Join(Environment.NewLine, results.Select(r => $"- {r.Fault}: {r.Notes}; refusals: {(r.Refusals.Length == 0 ? "none" : r.Refusals)}")) + Environment.NewLine);
}

var failed = results.Where(r => !r.Passed).ToList();
foreach (var result in failed) Console.WriteLine($"FAIL {result.Fault}:\n  - {string.Join("\n  - ", result.Violations)}");
Console.WriteLine(failed.Count == 0
    ? $"fault injection ({form}): all {results.Count} faults passed"
    : $"fault injection ({form}): {failed.Count} of {results.Count} faults FAILED: {string.Join(", ", failed.Select(r => r.Fault))}");
return failed.Count == 0 ? 0 : 1;
