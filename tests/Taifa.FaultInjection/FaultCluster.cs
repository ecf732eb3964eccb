using Taifa.Cluster.Tests.Infrastructure;
using Taifa.Operators.Simulator;

namespace Taifa.FaultInjection;

/// <summary>
/// Two silo slots of one <see cref="TestCluster"/> (shared operator simulator in this process). A silo that was
/// killed or drained is replaced by a fresh process in its slot, as an orchestrator would restart it.
/// </summary>
public sealed class FaultCluster : IAsyncDisposable
{
    /// <summary>Longer than the cluster tests allow: the runs share two cores with whatever else the machine does.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);

    private readonly TestCluster _cluster;
    private readonly SiloProcess[] _slots;
    private readonly Dictionary<string, string> _settings;
    private readonly int[] _generation = [1, 1];
    private readonly List<SiloProcess> _started;

    /// <summary>The backup route's operator name (<see cref="Backup"/>).</summary>
    public const string BackupName = "backup";

    private FaultCluster(TestCluster cluster, SiloProcess[] slots, Dictionary<string, string> settings, SmscSimulator? backup)
    {
        _cluster = cluster;
        Backup = backup;
        _slots = slots;
        _settings = settings;
        _started = [.. slots];
        // A run that times out or is interrupted exits without disposing: its silos must not outlive it.
        AppDomain.CurrentDomain.ProcessExit += KillAllAtExit;
    }

    public SmscSimulator Operator => _cluster.SharedOperator!;

    /// <summary>
    /// With a backup route: a second SMSC in this process, the second route of the load's network (1) after
    /// <see cref="Operator"/>, so the shared operator's traffic moves there while it fails over.
    /// </summary>
    public SmscSimulator? Backup { get; }

    /// <summary>Every operator of the run.</summary>
    public IReadOnlyList<SmscSimulator> Operators => Backup is null ? [Operator] : [Operator, Backup];

    public static async Task<FaultCluster> StartAsync(IReadOnlyDictionary<string, string> settings, bool backupRoute = false)
    {
        var cluster = await TestCluster.CreateAsync("faults", sharedOperator: true);
        var copy = new Dictionary<string, string>(settings);
        SmscSimulator? backup = null;
        if (backupRoute)
        {
            backup = new SmscSimulator(TestCluster.OperatorSimulatorOptions(BackupName));
            backup.Behaviour = Fault.OutOfService;
            backup.Start();
            var prefix = $"Taifa__Operators__{BackupName}__";
            copy[prefix + "Host"] = backup.EndPoint.Address.ToString();
            copy[prefix + "Port"] = backup.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            copy[prefix + "SystemId"] = "taifa";
            copy[prefix + "Password"] = "taifa";
            copy[prefix + "Binds"] = "2";
            copy[prefix + "Window"] = "50";
            copy[prefix + "MaxMessagesPerSecond"] = "2000";
            copy[prefix + "ReconnectMinDelay"] = "00:00:00.200";
            copy[prefix + "ReconnectMaxDelay"] = "00:00:02";
            copy["Taifa__Routes__1"] = $"{TestCluster.OperatorName},{BackupName}";
            copy["Taifa__Dispatch__Failover__BindDownAfter"] = Fault.BackupBindDownAfter.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
            copy["Taifa__Dispatch__Failover__RecoverAfter"] = Fault.BackupRecoverAfter.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        }

        var slots = new[] { cluster.Start("a", copy), cluster.Start("b", copy) };
        await Task.WhenAll(slots.Select(s => s.WaitReadyAsync(StartTimeout)));
        return new FaultCluster(cluster, slots, copy, backup);
    }

    public SiloProcess this[int slot] => Volatile.Read(ref _slots[slot]);

    /// <summary>A silo still running for the <paramref name="n"/>-th request: round robin over the live ones, as a load balancer would.</summary>
    public SiloProcess Pick(int n)
    {
        var first = this[n & 1];
        return first.HasExited ? this[(n + 1) & 1] : first;
    }

    /// <summary>Silos whose process still runs (a draining one included).</summary>
    public IReadOnlyList<SiloProcess> Live => [.. _slots.Where(s => !s.HasExited)];

    /// <summary>Starts a new process in every slot whose silo has exited, and waits until it is ready.</summary>
    public async Task<IReadOnlyList<string>> ReplaceExitedAsync()
    {
        var started = new List<SiloProcess>();
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            if (!_slots[slot].HasExited) continue;
            var name = $"{(char)('a' + slot)}{++_generation[slot]}";
            var silo = _cluster.Start(name, _settings);
            Volatile.Write(ref _slots[slot], silo);
            started.Add(silo);
            lock (_started) _started.Add(silo);
        }

        await Task.WhenAll(started.Select(s => s.WaitReadyAsync(StartTimeout)));
        return [.. started.Select(s => s.Name)];
    }

    public async ValueTask DisposeAsync()
    {
        // Disposed silo processes can no longer be asked whether they run; the cluster stops them itself.
        AppDomain.CurrentDomain.ProcessExit -= KillAllAtExit;
        await _cluster.DisposeAsync();
        if (Backup is not null) await Backup.DisposeAsync();
    }

    private void KillAllAtExit(object? sender, EventArgs e)
    {
        lock (_started)
        {
            foreach (var silo in _started)
            {
                try
                {
                    if (!silo.HasExited) silo.Kill();
                }
                catch (InvalidOperationException)
                {
                    // Already disposed: nothing left to stop.
                }
            }
        }
    }
}
