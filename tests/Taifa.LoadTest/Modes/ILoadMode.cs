using Taifa.LoadTest.Reporting;

namespace Taifa.LoadTest.Modes;

/// <summary>
/// A way of driving sends into the gateway. A mode only produces load and records what came back into the
/// <see cref="LoadRun"/>; account set-up, balance reads and verification are shared, and always go through the
/// REST API, so an SMPP mode (binds, window per bind) plugs in beside <see cref="RestMode"/> unchanged.
/// </summary>
public interface ILoadMode
{
    /// <summary>Short name for the report ("rest", later "smpp").</summary>
    string Name { get; }

    /// <summary>How much is kept in flight, in the mode's own terms (connections, binds × window).</summary>
    string Shape { get; }

    /// <summary>Drives load until <see cref="LoadRun.IsOver"/>, then waits for every request in flight to be answered.</summary>
    Task RunAsync(LoadRun run, CancellationToken cancellationToken);
}
