using Npgsql;
using Taifa.Operators.Simulator;

namespace Taifa.FaultInjection;

/// <summary>What a fault did, on the ledger's clock.</summary>
/// <param name="Injected">When the fault began.</param>
/// <param name="Healed">When it ended (the server back, the operator normal; for a silo, when it was gone).</param>
/// <param name="Outage">For a PostgreSQL restart: from the stop command to the server accepting connections again.</param>
public sealed record FaultTimings(TimeSpan Injected, TimeSpan Healed, string Notes, (TimeSpan From, TimeSpan To)? Outage = null);

/// <summary>How a fault's recovery time is measured.</summary>
public enum RecoveryMeasure
{
    /// <summary>From the fault (or, for PostgreSQL, from the server's return) until every account was answered 1000 / ESME_ROK again on both channels.</summary>
    Intake,

    /// <summary>From the operator's return to normal until every message accepted before it had its final receipt.</summary>
    Backlog,
}

public sealed record FaultContext(FaultCluster Cluster, PrivatePostgres Postgres, Ledger Ledger, TimeSpan Hold);

/// <summary>What a fault's own checks see: the phase's accepted messages, the fault's timings, and the submits per text at each operator.</summary>
public sealed record FaultCheck(
    IReadOnlyList<AcceptedMessage> Accepted, FaultTimings Timings, IReadOnlyDictionary<string, int> AtPreferred, IReadOnlyDictionary<string, int> AtBackup);

/// <summary>One fault, injected once while the load runs.</summary>
/// <param name="AllowedDuplicates">
/// Duplicate submits the operator may see: a submit the operator accepted whose outcome the gateway could not
/// record (its silo died, its bind or answer was lost) is sent again, so at most what the binds had outstanding:
/// 2 binds x window 50.
/// </param>
public sealed record Fault(string Name, string Description, RecoveryMeasure Recovery, int AllowedDuplicates, Func<FaultContext, Task<FaultTimings>> InjectAsync)
{
    public const int OperatorWindows = 2 * 50;

    /// <summary>The validity every message of the phase is sent with (null: the gateway's default); set, the phase
    /// expects the messages that waited past it to expire.</summary>
    public TimeSpan? Validity { get; init; }

    public static Fault OperatorDownPastValidity(TimeSpan validity, TimeSpan down) => new(
        $"operator down past the validity ({down.TotalSeconds:0} s)",
        $"the SMSC closes every bind and refuses connections for {down.TotalSeconds:0} s; messages carry a validity of " +
        $"{validity.TotalMinutes:0} min, so the first ones sent into the outage expire while they wait (refunded, never sent)",
        RecoveryMeasure.Backlog, OperatorWindows, async context =>
        {
            var at = context.Ledger.Now;
            context.Cluster.Operator.Behaviour = new SimulatorBehaviour { CloseOnAccept = true, RefuseBinds = true };
            context.Cluster.Operator.DropAllBinds();
            await Task.Delay(down);
            context.Cluster.Operator.Behaviour = SimulatorBehaviour.Normal;
            return new FaultTimings(at, context.Ledger.Now, $"down for {down.TotalSeconds:0} s");
        })
    {
        Validity = validity,
    };

    /// <summary>An SMSC that closes every connection and refuses every bind: the backup operator until its fault.</summary>
    public static readonly SimulatorBehaviour OutOfService = new() { CloseOnAccept = true, RefuseBinds = true };

    /// <summary>The silos' failover thresholds when the run has a backup route (<see cref="FaultCluster.Backup"/>).</summary>
    public static readonly TimeSpan BackupBindDownAfter = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan BackupRecoverAfter = TimeSpan.FromSeconds(2);

    // Once the preferred operator is back: by then its traffic has returned (reconnect back-off at most 2 s, then
    // RecoverAfter, with a margin); the load goes on until FailBackSeen so that is seen.
    private static readonly TimeSpan FailBackBy = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan FailBackSeen = TimeSpan.FromSeconds(9);

    /// <summary>This fault's own checks, after the common ones; a note for the report.</summary>
    public Func<FaultCheck, PhaseResult, string>? Check { get; init; }

    public static Fault SiloKill(int slot) => new(
        $"SIGKILL silo {(char)('a' + slot)}",
        "kill -9 of one silo under load: its grains, dispatchers and sessions vanish without leaving the cluster",
        RecoveryMeasure.Intake, OperatorWindows, context =>
        {
            var silo = context.Cluster[slot];
            var at = context.Ledger.Now;
            silo.Kill();
            return Task.FromResult(new FaultTimings(at, at, $"killed {silo.Name} (pid {silo.ProcessId})"));
        });

    public static Fault SiloDrain(int slot) => new(
        $"SIGTERM silo {(char)('a' + slot)}",
        "graceful drain of one silo under load: readiness off, SMPP clients unbound, in-flight answers sent, exit",
        // Not 0: measured, a drain can leave a couple of operator submits unrecorded (docs/reliability.md, findings).
        RecoveryMeasure.Intake, OperatorWindows, async context =>
        {
            var silo = context.Cluster[slot];
            var at = context.Ledger.Now;
            silo.Terminate();
            var drained = await silo.WaitForExitAsync(TimeSpan.FromSeconds(40));
            return new FaultTimings(at, context.Ledger.Now, $"{silo.Name} exited {drained.TotalSeconds:0.0} s after SIGTERM with code {silo.ExitCode}");
        });

    public static Fault PostgresRestart(TimeSpan down) => new(
        $"PostgreSQL restart ({down.TotalSeconds:0} s down)",
        "fast shutdown of the database server (every connection cut), down for a while, started again",
        RecoveryMeasure.Intake, OperatorWindows, async context =>
        {
            var at = context.Ledger.Now;
            await context.Postgres.StopAsync();
            var stopped = context.Ledger.Now;
            await Task.Delay(down);
            await context.Postgres.StartServerAsync();
            var back = context.Ledger.Now;
            // The harness's own pooled connections (database creation and teardown) died with the server too.
            NpgsqlConnection.ClearAllPools();
            return new FaultTimings(at, back, $"stopped in {(stopped - at).TotalSeconds:0.0} s, accepting connections again {(back - at).TotalSeconds:0.0} s after the stop command", (at, back));
        });

    public static Fault OperatorDropsBinds(int times) => new(
        $"operator drops binds x{times}",
        "the SMSC closes every bind at once, 1 s apart; the gateway rebinds",
        RecoveryMeasure.Backlog, OperatorWindows, async context =>
        {
            var at = context.Ledger.Now;
            for (var i = 0; i < times; i++)
            {
                if (i > 0) await Task.Delay(TimeSpan.FromSeconds(1));
                context.Cluster.Operator.DropAllBinds();
            }

            return new FaultTimings(at, context.Ledger.Now, $"{context.Cluster.Operator.Counters.BindsAccepted} binds accepted by the operator so far");
        });

    public static Fault OperatorDownWithBackupRoute() => new(
        "operator down, backup route",
        "the backup SMSC is put in service; the preferred SMSC drops its binds and refuses connections; its network's messages go through the backup route, and back once it returns",
        RecoveryMeasure.Backlog, OperatorWindows, async context =>
        {
            var preferred = context.Cluster.Operator;
            var backup = context.Cluster.Backup ?? throw new InvalidOperationException("the backup-route fault needs a run with a backup route");

            // In service: bound by every backup shard (2), which then takes traffic once bound for RecoverAfter.
            var bindsBefore = backup.Counters.BindsAccepted;
            backup.Behaviour = SimulatorBehaviour.Normal;
            var deadline = context.Ledger.Now + TimeSpan.FromSeconds(30);
            while (backup.Counters.BindsAccepted < bindsBefore + 2 && context.Ledger.Now < deadline) await Task.Delay(100);
            await Task.Delay(BackupRecoverAfter + TimeSpan.FromSeconds(1));

            var at = context.Ledger.Now;
            preferred.Behaviour = new SimulatorBehaviour { CloseOnAccept = true };
            preferred.DropAllBinds();
            await Task.Delay(context.Hold);
            preferred.Behaviour = SimulatorBehaviour.Normal;
            var healed = context.Ledger.Now;
            await Task.Delay(FailBackSeen);
            return new FaultTimings(at, healed, $"down {(healed - at).TotalSeconds:0} s, load on for {FailBackSeen.TotalSeconds:0} s after its return");
        })
    {
        Check = CheckBackupRoute,
    };

    /// <summary>
    /// Accepted once the preferred route had been down for its threshold (and before it returned): submitted through
    /// the backup alone. Accepted after the fault began: never submitted twice, at either. Accepted once the preferred
    /// route had been back for a while: through it again.
    /// </summary>
    private static string CheckBackupRoute(FaultCheck check, PhaseResult result)
    {
        int Copies(AcceptedMessage m) => check.AtPreferred.GetValueOrDefault(m.Text) + check.AtBackup.GetValueOrDefault(m.Text);
        var moved = check.Accepted.Where(m => m.At >= check.Timings.Injected + BackupBindDownAfter + TimeSpan.FromSeconds(1.5) && m.At < check.Timings.Healed).ToList();
        var back = check.Accepted.Where(m => m.At >= check.Timings.Healed + FailBackBy).ToList();
        var notViaBackup = moved.Where(m => !check.AtBackup.ContainsKey(m.Text) || check.AtPreferred.ContainsKey(m.Text)).ToList();
        var twice = check.Accepted.Where(m => m.At >= check.Timings.Injected && Copies(m) > 1).ToList();
        var notBack = back.Where(m => !check.AtPreferred.ContainsKey(m.Text) || check.AtBackup.ContainsKey(m.Text)).ToList();
        if (moved.Count == 0) result.Violations.Add("no message was accepted while the preferred route was failed over");
        if (notViaBackup.Count > 0)
        {
            result.Violations.Add($"{notViaBackup.Count} of the {moved.Count} messages accepted while the preferred operator was down did not go through the backup route alone: " +
                                  string.Join(", ", notViaBackup.Take(5).Select(m => $"{m.MessageId} (preferred {check.AtPreferred.GetValueOrDefault(m.Text)}, backup {check.AtBackup.GetValueOrDefault(m.Text)})")));
        }

        if (twice.Count > 0)
        {
            result.Violations.Add($"{twice.Count} messages accepted after the fault began were submitted more than once: {string.Join(", ", twice.Take(5).Select(m => m.MessageId))}");
        }

        if (back.Count == 0) result.Violations.Add("no message was accepted late enough to see the traffic back on the preferred route");
        if (notBack.Count > 0)
        {
            result.Violations.Add($"{notBack.Count} of the {back.Count} messages accepted {FailBackBy.TotalSeconds:0} s after the preferred operator's return did not go through it alone: " +
                                  string.Join(", ", notBack.Take(5).Select(m => m.MessageId)));
        }

        var viaBackup = check.Accepted.Count(m => check.AtBackup.ContainsKey(m.Text));
        return $"{viaBackup} messages through the backup route ({moved.Count} accepted while failed over), {back.Count} accepted after the return checked back on the preferred one";
    }

    public static Fault OperatorStalls() => Behaviour(
        "operator stalls", "the SMSC stops reading its binds (requests pile up unanswered), then resumes",
        OperatorWindows, new SimulatorBehaviour { Stall = true });

    public static Fault OperatorThrottles(int perSecond) => Behaviour(
        $"operator throttles ({perSecond}/s)", $"the SMSC answers ESME_RTHROTTLED above {perSecond} submits a second",
        0, new SimulatorBehaviour { ThrottleAbovePerSecond = perSecond });

    public static Fault OperatorErrors() => Behaviour(
        "operator answers errors", "30 % of submits answered ESME_RSYSERR (retried), 5 % rejected for good (refunded)",
        0, new SimulatorBehaviour { SystemErrorShare = 0.30, RejectShare = 0.05 });

    private static Fault Behaviour(string name, string description, int allowedDuplicates, SimulatorBehaviour behaviour) => new(
        name, description, RecoveryMeasure.Backlog, allowedDuplicates, async context =>
        {
            var at = context.Ledger.Now;
            context.Cluster.Operator.Behaviour = behaviour;
            await Task.Delay(context.Hold);
            context.Cluster.Operator.Behaviour = SimulatorBehaviour.Normal;
            return new FaultTimings(at, context.Ledger.Now, $"for {context.Hold.TotalSeconds:0} s");
        });
}
