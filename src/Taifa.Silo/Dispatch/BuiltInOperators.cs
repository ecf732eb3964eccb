using Microsoft.Extensions.Options;
using Taifa.Domain.Numbers;
using Taifa.Grains.Dispatch;
using Taifa.Operators.Simulator;

namespace Taifa.Silo.Dispatch;

/// <summary>
/// With no operator configured, one SMSC simulator per network on loopback (ephemeral ports, so several silos on
/// one machine never clash), and the operator routes that point at them: a newcomer sees the whole lifecycle.
/// The first network's simulator answers ids in hex and receipts in decimal with leading zeros, as some real
/// operators do, so the id matching is exercised from the first message.
/// </summary>
public sealed class BuiltInOperators(NumberingPlan plan, IConfiguration configuration, ILoggerFactory loggers, TimeProvider time)
    : IPostConfigureOptions<DispatchOptions>, IAsyncDisposable
{
    private readonly Dictionary<string, SmscSimulator> _simulators = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, SmscSimulator> Simulators => _simulators;

    public static string OperatorName(MobileNetwork network) =>
        new string(network.Name.TakeWhile(c => c != '(').Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();

    public void PostConfigure(string? name, DispatchOptions options)
    {
        if (options.Operators.Count > 0 || !configuration.GetValue("Taifa:Simulators:Enabled", true)) return;
        var receiptDelay = configuration.GetValue("Taifa:Simulators:ReceiptDelay", TimeSpan.FromSeconds(1));
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
                        ReceiptDelay = receiptDelay,
                        SubmitIdFormat = oddIds ? SimulatedIdFormat.Hex : SimulatedIdFormat.Decimal,
                        ReceiptIdFormat = SimulatedIdFormat.Decimal,
                        ReceiptIdWidth = oddIds ? 20 : 0,
                    }, loggers.CreateLogger<SmscSimulator>(), time);
                    simulator.Start();
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

    public async ValueTask DisposeAsync()
    {
        foreach (var simulator in _simulators.Values) await simulator.DisposeAsync();
    }
}
