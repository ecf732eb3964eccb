using System.Globalization;
using Taifa.Operators.Simulator;

namespace Taifa.Cluster.Tests.Infrastructure;

/// <summary>
/// Silo processes of one Orleans cluster (unique ClusterId and ServiceId) on a fresh PostgreSQL database. With
/// <see cref="SharedOperator"/> every silo dispatches to one SMSC simulator in the test process instead of starting
/// its own: a real operator outlives any silo, so receipts for messages a dead silo submitted still come back, and
/// the operator's view (duplicates) can be counted.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    public const string AdminToken = "cluster-tests-admin-token";
    public const string OperatorName = "shared";

    private readonly List<SiloProcess> _silos = [];
    private readonly Dictionary<string, string> _environment;
    private readonly string _logDirectory;

    private TestCluster(string name, ClusterDatabase database, SmscSimulator? sharedOperator, int operatorBinds)
    {
        Name = name;
        Database = database;
        SharedOperator = sharedOperator;
        _logDirectory = Path.Combine(SiloBinaries.RunDirectory, name);
        var clusterId = $"{name}-{Guid.NewGuid():N}";
        _environment = new Dictionary<string, string>
        {
            ["Taifa__AdminToken"] = AdminToken,
            ["ConnectionStrings__Taifa"] = database.ConnectionString,
            ["Orleans__ClusterId"] = clusterId,
            ["Orleans__ServiceId"] = clusterId,
            ["Taifa__Simulators__ReceiptDelay"] = "00:00:00.300",
            ["Taifa__Dispatch__RetryBaseDelay"] = "00:00:00.200",
            ["Taifa__Dispatch__RetryMaxDelay"] = "00:00:02",
        };
        if (sharedOperator is not null)
        {
            var prefix = $"Taifa__Operators__{OperatorName}__";
            _environment[prefix + "Host"] = sharedOperator.EndPoint.Address.ToString();
            _environment[prefix + "Port"] = sharedOperator.EndPoint.Port.ToString(CultureInfo.InvariantCulture);
            _environment[prefix + "SystemId"] = "taifa";
            _environment[prefix + "Password"] = "taifa";
            _environment[prefix + "Binds"] = operatorBinds.ToString(CultureInfo.InvariantCulture);
            _environment[prefix + "Window"] = "50";
            _environment[prefix + "MaxMessagesPerSecond"] = "2000";
            _environment[prefix + "ReconnectMinDelay"] = "00:00:00.200";
            _environment[prefix + "ReconnectMaxDelay"] = "00:00:02";
            _environment["Taifa__Dispatch__DefaultRoute"] = OperatorName;
        }
    }

    public string Name { get; }

    public ClusterDatabase Database { get; }

    public SmscSimulator? SharedOperator { get; }

    /// <param name="name">Short, for log directories and the cluster id.</param>
    /// <param name="sharedOperator">Route every network to one simulator in the test process (see the class summary).</param>
    public static async Task<TestCluster> CreateAsync(string name, bool sharedOperator = false, int operatorBinds = 2)
    {
        SmscSimulator? simulator = null;
        if (sharedOperator)
        {
            simulator = new SmscSimulator(OperatorSimulatorOptions(OperatorName));
            simulator.Start();
        }

        return new TestCluster(name, await ClusterDatabase.CreateAsync(), simulator, operatorBinds);
    }

    /// <summary>An SMSC simulator in the test process, as the silos reach it: receipts after 300 ms, redelivered every 300 ms.</summary>
    public static SmscSimulatorOptions OperatorSimulatorOptions(string name) => new()
    {
        Name = name,
        ReceiptDelay = TimeSpan.FromMilliseconds(300),
        ReceiptRetryInterval = TimeSpan.FromMilliseconds(300),
    };

    /// <summary>Starts silos side by side and waits until every one answers <c>/ready</c>.</summary>
    public async Task<SiloProcess[]> StartSilosAsync(params string[] names)
    {
        var silos = names.Select(name => Start(name)).ToArray();
        await Task.WhenAll(silos.Select(silo => silo.WaitReadyAsync(StartTimeout)));
        return silos;
    }

    /// <summary>Starts one silo without waiting for it; extra settings override the cluster's.</summary>
    public SiloProcess Start(string name, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>(_environment);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        var silo = SiloProcess.Start(name, _logDirectory, environment);
        lock (_silos) _silos.Add(silo);
        return silo;
    }

    public async ValueTask DisposeAsync()
    {
        SiloProcess[] silos;
        lock (_silos) silos = [.. _silos];
        await Task.WhenAll(silos.Select(silo => silo.DisposeAsync().AsTask()));
        if (SharedOperator is not null) await SharedOperator.DisposeAsync();
        await Database.DisposeAsync();
    }
}
