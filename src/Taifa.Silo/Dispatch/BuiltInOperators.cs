using Microsoft.Extensions.Options;
using Taifa.Domain.Numbers;
using Taifa.Grains.Dispatch;
using Taifa.Operators.Simulator;
using Taifa.Silo.Options;

namespace Taifa.Silo.Dispatch;

/// <summary>
/// With no operator configured, one SMSC simulator per network on loopback (ephemeral ports, so several silos on
/// one machine never clash), and the operator routes that point at them: a newcomer sees the whole lifecycle.
/// The first network's simulator answers ids in hex and receipts in decimal with leading zeros, as some real
/// operators do, so the id matching is exercised from the first message.
/// </summary>
/// <remarks>
/// The routes need the simulators' ports while <see cref="DispatchOptions"/> is built, which happens before any
/// hosted service starts (validation on start, constructors that read the routes): so the post-configure step only
/// takes the ports (<see cref="SmscSimulator.Listen"/>), and this hosted service starts answering on them. A bind
/// that arrives in between waits in the listen backlog.
/// </remarks>
public sealed class BuiltInOperators(NumberingPlan plan, IOptions<TaifaOptions> taifa, IServiceProvider services, ILoggerFactory loggers, TimeProvider time)
    : IPostConfigureOptions<DispatchOptions>, IHostedService, IAsyncDisposable
{
    private readonly Dictionary<string, SmscSimulator> _simulators = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, SmscSimulator> Simulators => _simulators;

    public static string OperatorName(MobileNetwork network) =>
        new string(network.Name.TakeWhile(c => c != '(').Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();

    public void PostConfigure(string? name, DispatchOptions options)
    {
        var simulators = taifa.Value.Simulators;
        if (options.Operators.Count > 0 || !simulators.Enabled) return;
        lock (_simulators)
        {
            foreach (var network in plan.Networks)
            {
                var operatorName = OperatorName(network);
                var oddIds = network.Id == 1;
                if (!_simulators.TryGetValue(operatorName, out var simulator))
                {
                    simulator = new SmscSimulator(new SmscSimulatorOptions
                    {
                        Name = operatorName,
                        ReceiptDelay = simulators.ReceiptDelay,
                        SubmitIdFormat = oddIds ? SimulatedIdFormat.Hex : SimulatedIdFormat.Decimal,
                        ReceiptIdFormat = SimulatedIdFormat.Decimal,
                        ReceiptIdWidth = oddIds ? 20 : 0,
                    }, loggers.CreateLogger<SmscSimulator>(), time);
                    simulator.Listen();
                    _simulators[operatorName] = simulator;
                }

                options.Operators[operatorName] = new OperatorOptions
                {
                    Host = simulator.EndPoint.Address.ToString(),
                    Port = simulator.EndPoint.Port,
                    SystemId = "taifa",
                    Password = "taifa",
                    NetworkIds = [network.Id],
                    Binds = 1,
                    Window = 100,
                    MaxMessagesPerSecond = 5000,
                    SubmitIdFormat = oddIds ? OperatorIdFormat.Hex : OperatorIdFormat.Decimal,
                    ReceiptIdFormat = OperatorIdFormat.Decimal,
                };
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Builds the routes (and so the simulators) if nothing has yet.
        _ = services.GetRequiredService<IOptions<DispatchOptions>>().Value;
        lock (_simulators)
        {
            foreach (var simulator in _simulators.Values) simulator.Start();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var simulator in _simulators.Values) await simulator.DisposeAsync();
    }
}
