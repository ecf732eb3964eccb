using Taifa.LoadTest.Reporting;
using Taifa.LoadTest.Smpp;
using Taifa.LoadTest.Workload;

namespace Taifa.LoadTest.Modes;

/// <summary>Where and as whom the SMPP mode binds.</summary>
public sealed record SmppTarget(string Host, int Port, string SystemId, string Password);

/// <summary>
/// Pipelined SMPP load: <c>binds</c> transmitter sessions, each keeping up to <c>window</c> submit_sm outstanding.
/// Every submit_sm bills one part (one-part texts, or one UDH segment of a long message) at <c>price</c>.
/// </summary>
public sealed class SmppMode(SmppTarget target, SendWorkload workload, string senderId, int binds, int window, decimal price) : ILoadMode
{
    /// <summary>Distinct messages encoded per bind; the pool is cycled.</summary>
    private const int MessagesPerBind = 4096;

    private readonly List<(SmppLoadBind Bind, SubmitSmFrames Frames)> _binds = [];

    public string Name => "smpp";

    public string Shape => $"{binds} bind(s) × window {window} to {target.Host}:{target.Port}, mix {workload.Mix.ToString().ToLowerInvariant()}";

    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < binds; i++)
        {
            var frames = new SubmitSmFrames(workload, senderId, MessagesPerBind, seed: i + 1);
            var bind = await SmppLoadBind.BindAsync(target.Host, target.Port, target.SystemId, target.Password, window, price, cancellationToken);
            _binds.Add((bind, frames));
        }
    }

    public async Task RunAsync(LoadRun run, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_binds.Select(b => Task.Run(() => b.Bind.RunAsync(run, b.Frames, cancellationToken), cancellationToken)));
        }
        finally
        {
            foreach (var (bind, _) in _binds) await bind.DisposeAsync();
        }
    }
}
