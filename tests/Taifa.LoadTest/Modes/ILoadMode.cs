using Taifa.LoadTest.Reporting;

namespace Taifa.LoadTest.Modes;

/// <summary>
/// A way of driving sends into the gateway. A mode only produces load and records what came back into the
/// <see cref="LoadRun"/>; account set-up, balance reads and verification are shared, and always go through the
/// REST API, so <see cref="RestMode"/> and <see cref="SmppMode"/> differ only in how they send.
/// </summary>
public interface ILoadMode
{
    /// <summary>Short name for the report ("rest", "smpp").</summary>
    string Name { get; }

    /// <summary>How much is kept in flight, in the mode's own terms (connections, binds × window).</summary>
    string Shape { get; }

    /// <summary>Set-up that must not eat into the warm-up: connections, binds, encoded messages.</summary>
    Task PrepareAsync(CancellationToken cancellationToken);

    /// <summary>Drives load until <see cref="LoadRun.IsOver"/>, then waits for every request in flight to be answered.</summary>
    Task RunAsync(LoadRun run, CancellationToken cancellationToken);
}
