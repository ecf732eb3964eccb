using System.Collections.Concurrent;
using System.Text;
using Taifa.Operators.Client;
using Taifa.Operators.Simulator;
using Taifa.Smpp.Pdus;

namespace Taifa.Operators.Tests;

/// <summary>A simulator on an ephemeral loopback port and client binds to it, all torn down together.</summary>
internal sealed class Harness : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly List<OperatorBind> _binds = [];

    public Harness(Action<SmscSimulatorOptions>? configure = null)
    {
        var options = new SmscSimulatorOptions { ReceiptDelay = TimeSpan.FromMilliseconds(50), ReceiptRetryInterval = TimeSpan.FromMilliseconds(100) };
        configure?.Invoke(options);
        Simulator = new SmscSimulator(options);
        Simulator.Start();
    }

    public SmscSimulator Simulator { get; }

    /// <summary>What the handler was given, in arrival order.</summary>
    public ConcurrentQueue<ReceivedDeliverSm> Received { get; } = new();

    /// <summary>The handler's answer for each deliver_sm; true unless a test says otherwise.</summary>
    public Func<ReceivedDeliverSm, bool> Accept { get; set; } = _ => true;

    public OperatorBindOptions Options(Action<OperatorBindOptions>? configure = null)
    {
        var options = new OperatorBindOptions
        {
            Name = "test-operator",
            Host = "127.0.0.1",
            Port = Simulator.EndPoint.Port,
            SystemId = "taifa",
            Password = "secret",
            MaxSubmitsPerSecond = 0,
            ResponseTimeout = TimeSpan.FromSeconds(2),
            ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
            UnbindTimeout = TimeSpan.FromSeconds(1),
        };
        configure?.Invoke(options);
        return options;
    }

    public OperatorBind Bind(OperatorBindOptions options)
    {
        var bind = new OperatorBind(options, (received, _) =>
        {
            Received.Enqueue(received);
            return Task.FromResult(Accept(received));
        });
        _binds.Add(bind);
        return bind;
    }

    public async Task<OperatorBind> BoundAsync(Action<OperatorBindOptions>? configure = null)
    {
        var bind = Bind(Options(configure));
        bind.Start();
        await WaitBoundAsync(bind);
        return bind;
    }

    public static async Task WaitBoundAsync(OperatorBind bind)
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await bind.WaitUntilBoundAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The bind was not bound within {Patience}; it is {bind.State}.");
        }
    }

    public static SubmitSm Message(string text = "Habari, karibu Taifa", string to = "254702739804", byte registeredDelivery = RegisteredDelivery.SmscReceiptOnSuccessOrFailure) => new()
    {
        Source = SmppAddress.Alphanumeric("TAIFA"),
        Destination = SmppAddress.International(to),
        RegisteredDelivery = registeredDelivery,
        DataCoding = DataCoding.SmscDefault,
        ShortMessage = Encoding.ASCII.GetBytes(text),
    };

    public static async Task<SubmitOutcome> SubmitAsync(OperatorBind bind, SubmitSm? message = null)
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await bind.SubmitAsync(message ?? Message(), timeout.Token);
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails naming <paramref name="what"/> otherwise.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Patience);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Waited {within ?? Patience} for {what}.");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var bind in _binds)
        {
            await bind.DisposeAsync();
        }

        await Simulator.DisposeAsync();
    }
}
