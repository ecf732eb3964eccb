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
